"""Gunicorn settings for the web process (Docker image and Render alike).

Start with ``gunicorn --config platform/gunicorn.conf.py config.wsgi``. Tunable from the
environment: PORT, WEB_CONCURRENCY, GUNICORN_THREADS, GUNICORN_TIMEOUT, FORWARDED_ALLOW_IPS
and LOG_LEVEL (shared with Django).
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote, unquote

# gunicorn ships no type information.
from gunicorn.glogging import Logger  # type: ignore[import-untyped]

# Plain Python, no Django: found because gunicorn puts its working directory on the path first.
from core.redaction import redact_path_secrets


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from exc
    if value < 1:
        raise SystemExit(f"{name} must be at least 1, got {value}")
    return value


def _cpu_count() -> int:
    # The CPUs this process may run on (a container's cpuset narrows them). A CPU quota, as
    # Render and `docker run --cpus` apply, is not visible here: hence the cap below.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# A 2-core box gets 2 * 2 + 1 = 5 workers; more cores do not raise the default, because
# every worker loads plotly (and holds its own database connections).
_MAX_DEFAULT_WORKERS = 5

# --- Socket ----------------------------------------------------------------------------
# Render and Docker route to the container's port from outside: listen on every interface.
bind: list[str] = [f"0.0.0.0:{_env_int('PORT', 8000)}"]
backlog: int = 2048

# --- Workers ---------------------------------------------------------------------------
workers: int = _env_int("WEB_CONCURRENCY", min(2 * _cpu_count() + 1, _MAX_DEFAULT_WORKERS))
worker_class: str = "gthread"
threads: int = _env_int("GUNICORN_THREADS", 4)
# A request still running after this many seconds has its worker killed and restarted.
timeout: int = _env_int("GUNICORN_TIMEOUT", 30)
# On SIGTERM, workers get this long to finish in-flight requests: under the 30 s Render
# (and platform/docker-compose.yml) waits before SIGKILL, so the shutdown stays clean.
graceful_timeout: int = 25
# Seconds an idle keep-alive connection from the load balancer stays open.
keepalive: int = 5
# Recycle each worker after about this many requests, staggered by the jitter so workers
# do not all restart at once: bounds slow memory growth.
max_requests: int = 1000
max_requests_jitter: int = 100
# The heartbeat file lives in memory: on a disk-backed /tmp a slow fchmod can stall workers.
worker_tmp_dir: str | None = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# Import the application in each worker, after the fork: no connection or client created
# at import time is shared between processes.
preload_app: bool = False
# The runtime control socket is not needed in a container and would be one more way in.
control_socket_disable: bool = True

# --- Proxy -----------------------------------------------------------------------------
# TLS ends at the platform's load balancer, which is the only route to this port, so the
# X-Forwarded-* headers are trusted from any peer address.
forwarded_allow_ips: str = os.environ.get("FORWARDED_ALLOW_IPS", "*")

# --- Logging ---------------------------------------------------------------------------
accesslog: str = "-"
errorlog: str = "-"
loglevel: str = os.environ.get("LOG_LEVEL", "INFO").strip().lower() or "info"
# Peer, original client (X-Forwarded-For from the load balancer), method, path, protocol,
# status, bytes, duration in ms, request id (the X-Request-ID response header) and user agent.
# The request line is logged without its query string (see AccessLogWithoutQuery). No
# referrer either: it is a full URL.
access_log_format: str = '%(h)s fwd=%({x-forwarded-for}i)s "%(r)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s "%(a)s"'


class AccessLogWithoutQuery(Logger):  # type: ignore[misc]
    """The request line as sent, without its query string: an OAuth callback's query holds the
    code and state, others what people search for. The path stays percent-encoded, as sent, so
    an encoded newline cannot start a forged log line (the decoded PATH_INFO could). A secret in
    the path (an invitation's token) is replaced, however the path was encoded."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        path = str(environ.get("RAW_URI", "")).split("?", 1)[0].split("#", 1)[0]
        decoded = unquote(path)  # as Django routes it
        if redact_path_secrets(decoded) != decoded:
            path = quote(redact_path_secrets(decoded), safe="/[]")
        atoms["r"] = f"{environ.get('REQUEST_METHOD')} {path} {environ.get('SERVER_PROTOCOL')}"
        return atoms


logger_class: type[Logger] = AccessLogWithoutQuery
