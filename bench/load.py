"""Throughput under load: gunicorn as in production, wrk against four endpoints on 127.0.0.1.

What it measures: one organisation with 3,000 invoices (and their clients and payments) and the
dashboard's data (bank accounts, 20,000 booked transactions, bills, rules, rollups, recurring
flows and matches, built by `bench.dashboards.build`) in PostgreSQL, the cache and sessions in
Redis. Then gunicorn starts with ``platform/gunicorn.conf.py`` (its workers and threads, as in
production, with production settings: DEBUG off, the manifest static files) bound to
127.0.0.1 only, the bench user signs in through the login form, and wrk (``-t2 -c8 -d30s
--latency`` by default) runs against, one after the other:

* ``/health/`` (no session: the database and cache probe), the yardstick,
* the dashboard page, one chart's JSON and the invoice list (first page), with the session cookie.

It prints each endpoint's requests per second, median and p99 latency, the responses that were
not 200 (a redirect to the login page counts: wrk's own count treats 3xx as success) and socket
errors, and each endpoint's rate as a fraction of ``/health/``'s in the same run. Before wrk, one
request to each must answer 200. gunicorn is stopped at the end, whatever happens.

Run it by hand, never from the test suite::

    make bench-load
    make bench-load BENCH_ARGS="--reuse"                      # keep the data of the previous run
    make bench-load BENCH_ARGS="--reuse --duration 10 --port 18091"

It DROPS and re-creates the database named by ``BENCH_LOAD_DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/smart_invoice_bench_load``; its name must contain "bench")
and FLUSHES the Redis database at ``BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379/5``),
which must answer. It runs ``collectstatic`` into ``staticfiles/`` (ignored by git).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any

import django

from bench.environment import bench_database, use_quiet_development_settings
from bench.invoices import analyze, migrate, print_environment, recreate_database, reusable_data

if TYPE_CHECKING:
    from core.models import Organization, User

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/smart_invoice_bench_load"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"
ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
CHART = "flows"  # the chart whose JSON is measured
BILLS = 500
STARTUP_SECONDS = 60
# wrk prints its summary through this script: every response that is not a 200 is counted,
# because wrk's own "Non-2xx or 3xx" treats a redirect (to the login page) as a success.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not_ok = 0 end
function response(status, headers, body) if status ~= 200 then not_ok = not_ok + 1 end end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("not_ok") end
  io.write(string.format("not-200: %d\\n", total))
end
"""


# --- arguments and environment --------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--invoices", type=int, default=3_000, help="invoices to build (default 3000)")
    parser.add_argument(
        "--transactions", type=int, default=20_000, help="booked bank transactions (default 20000, the least)"
    )
    parser.add_argument("--duration", type=int, default=30, help="seconds of wrk per endpoint (default 30)")
    parser.add_argument("--connections", type=int, default=8, help="wrk's open connections (default 8)")
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads (default 2)")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port on 127.0.0.1 (default: a free one)")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the bench database when it already holds this data set"
    )
    args = parser.parse_args(argv)
    if args.invoices < 100 or args.transactions < 20_000:
        parser.error("at least 100 invoices and 20000 transactions")
    if not 1 <= args.duration <= 300 or args.connections < 1 or not 1 <= args.threads <= args.connections:
        parser.error("--duration 1-300 s, at least 1 connection and 1 to --connections threads")
    return args


def configure_environment() -> tuple[dict[str, Any], str]:
    """Point Django at the bench database and Redis, quietly, in development mode; before settings load."""
    import redis

    url, params = bench_database("BENCH_LOAD_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        raise SystemExit(f"Redis at {redis_url} does not answer ({exc}): the load bench needs it.") from exc
    use_quiet_development_settings(url, REDIS_URL=redis_url)
    return params, redis_url


def existing_data(args: argparse.Namespace) -> tuple[Organization, User] | None:
    from bench.dashboards import existing_data as dashboard_data

    return dashboard_data(argparse.Namespace(transactions=args.transactions, invoices=args.invoices, bills=BILLS))


def build(args: argparse.Namespace) -> tuple[Organization, User]:
    from bench.dashboards import build as build_dashboards

    organization, user, steps = build_dashboards(
        argparse.Namespace(transactions=args.transactions, invoices=args.invoices, bills=BILLS)
    )
    for step in steps:
        print(f"  {step.label}: {step.seconds:.1f} s{'; ' + step.detail if step.detail else ''}")
    return organization, user


def sign_in_as(user: User) -> str:
    """A new password for the bench user, whose address is verified (production requires it)."""
    from allauth.account.models import EmailAddress

    password = secrets.token_urlsafe(16)
    user.set_password(password)
    user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return password


def collect_static(environment: dict[str, str]) -> float:
    """The manifest and compressed files the production image builds, with the same settings."""
    started = perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=environment,
        check=True,
    )
    return perf_counter() - started


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


# --- the server -----------------------------------------------------------------------------


def production_environment(database_url: str, redis_url: str) -> dict[str, str]:
    """Production settings against the bench's database and Redis; the field keys the data was
    written with, so encrypted columns read back."""
    from django.conf import settings

    return os.environ | {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on the loopback: no TLS proxy in front
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "WARNING",
    }


@contextmanager
def gunicorn(port: int, environment: dict[str, str], log: Path) -> Iterator[str]:
    """gunicorn with the production config on 127.0.0.1:`port`, until the block ends; its whole
    process group is stopped then, whatever happened."""
    command = [sys.executable, "-m", "gunicorn", "--config", "platform/gunicorn.conf.py"]
    command += ["--bind", f"{HOST}:{port}", "config.wsgi"]
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
            command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://{HOST}:{port}"
    try:
        wait_until_healthy(base, process)
        yield base
    finally:
        stop(process)


def wait_until_healthy(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode} while starting; see its log.")
        try:
            if request(base + "/health/").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer /health/ within {STARTUP_SECONDS} s; see its log.")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# --- HTTP without redirects -----------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Message
    body: str


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def request(url: str, *, cookies: dict[str, str] | None = None, form: dict[str, str] | None = None) -> Answer:
    """One request, redirects not followed. The cookies go in a header: they are Secure in
    production, which a cookie jar would not send over plain HTTP."""
    headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in (cookies or {}).items())}
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    prepared = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310  (127.0.0.1 only)
    try:
        with _OPENER.open(prepared, timeout=30) as response:
            return Answer(response.status, response.headers, response.read().decode())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers, error.read().decode(errors="replace"))


def set_cookies(answer: Answer) -> dict[str, str]:
    found = {}
    for header in answer.headers.get_all("Set-Cookie") or []:
        name, _, value = header.split(";", 1)[0].partition("=")
        found[name.strip()] = value.strip()
    return found


def sign_in(base: str, email: str, password: str) -> dict[str, str]:
    """Through the login form, as a browser would: the session cookie it sets."""
    from django.urls import reverse

    login = base + reverse("account_login")
    page = request(login)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    cookies = set_cookies(page)
    if page.status != 200 or token is None or "csrftoken" not in cookies:
        raise SystemExit(f"GET {login} answered {page.status} without a CSRF token")
    answer = request(
        login,
        cookies=cookies,
        form={"csrfmiddlewaretoken": token.group(1), "login": email, "password": password},
    )
    session = set_cookies(answer).get("sessionid")
    if answer.status != 302 or not session:
        raise SystemExit(f"Signing in answered {answer.status} without a session cookie")
    return {"sessionid": session}


# --- wrk ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    label: str
    path: str
    signed_in: bool = True


@dataclass(frozen=True)
class LoadResult:
    endpoint: Endpoint
    requests_per_second: float
    median_ms: float
    p99_ms: float
    requests: int
    not_ok: int
    socket_errors: int


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse_wrk(endpoint: Endpoint, output: str) -> LoadResult:
    def found(pattern: str) -> re.Match[str]:
        match = re.search(pattern, output)
        if match is None:
            raise SystemExit(f"wrk's output for {endpoint.path} lacks {pattern!r}:\n{output}")
        return match

    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return LoadResult(
        endpoint,
        requests_per_second=float(found(r"Requests/sec:\s+([\d.]+)").group(1)),
        median_ms=_milliseconds(found(r"\s50%\s+([\d.]+\w+)").group(1)),
        p99_ms=_milliseconds(found(r"\s99%\s+([\d.]+\w+)").group(1)),
        requests=int(found(r"(\d+) requests in").group(1)),
        not_ok=int(found(r"not-200: (\d+)").group(1)),
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
    )


def run_wrk(
    args: argparse.Namespace, base: str, endpoint: Endpoint, cookies: dict[str, str], script: Path
) -> LoadResult:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency"]
    command += ["--timeout", "10s", "-s", str(script)]
    if endpoint.signed_in:
        command += ["-H", "Cookie: " + "; ".join(f"{name}={value}" for name, value in cookies.items())]
    completed = subprocess.run(  # noqa: S603  (wrk, our arguments)
        [*command, base + endpoint.path], capture_output=True, text=True, timeout=args.duration + 60, check=False
    )
    if completed.returncode != 0:
        raise SystemExit(f"wrk failed ({completed.returncode}): {completed.stderr}")
    return parse_wrk(endpoint, completed.stdout)


def endpoints() -> list[Endpoint]:
    from django.urls import reverse

    return [
        Endpoint("/health/", "/health/", signed_in=False),
        Endpoint("Dashboard page", reverse("dashboards:overview")),
        Endpoint(f"Chart JSON ({CHART})", reverse("dashboards:chart_json", args=[CHART])),
        Endpoint("Invoice list, page 1", reverse("invoices:invoice_list")),
    ]


def check_answers(base: str, cookies: dict[str, str]) -> None:
    """Every endpoint answers 200 to the signed-in user (a redirect to the login page would not)."""
    for endpoint in endpoints():
        answer = request(base + endpoint.path, cookies=cookies if endpoint.signed_in else None)
        if answer.status != 200:
            where = f" (to {answer.headers['Location']})" if answer.headers["Location"] else ""
            raise SystemExit(f"GET {endpoint.path} answered {answer.status}{where}, not 200: not measuring")


# --- reporting ------------------------------------------------------------------------------


def print_results(results: Sequence[LoadResult], args: argparse.Namespace) -> None:
    health = results[0].requests_per_second
    header = f"{'endpoint':<28} {'req/s':>8} {'median ms':>9} {'p99 ms':>8} {'requests':>9} {'not 200':>7} "
    header += f"{'sock err':>8}  share of /health/"
    print()
    print(header)
    print("-" * len(header))
    for result in results:
        ratio = result.requests_per_second / health if health else 0.0
        share = "1" if result is results[0] else f"{ratio:.2f} (1/{1 / ratio:.1f})" if ratio else "0"
        print(
            f"{result.endpoint.label:<28} {result.requests_per_second:>8.1f} {result.median_ms:>9.1f} "
            f"{result.p99_ms:>8.1f} {result.requests:>9,} {result.not_ok:>7,} {result.socket_errors:>8,}  {share}"
        )
    print()
    print(
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency against each endpoint in turn; "
        "'not 200' counts every other status (a redirect too), 'sock err' wrk's connect/read/write/timeout errors."
    )
    print("Goals: invoice list >= 1/4 of /health/'s rate, dashboard >= 1/3, no error.")


# --- main -------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    run_started = perf_counter()
    args = parse_args(argv)
    params, redis_url = configure_environment()
    database_url = os.environ["DATABASE_URL"]
    django.setup()
    from django.core.cache import cache

    print(f"Load benchmark: gunicorn under wrk, {args.invoices:,} invoices, {args.transactions:,} transactions")

    data = reusable_data(args.reuse, params, lambda: existing_data(args))
    if data is None:
        recreate_database(params)
        print(f"Re-created the database {params['NAME']}; migrated in {migrate():.1f} s.")
        started = perf_counter()
        data = build(args)
        print(f"Built the data in {perf_counter() - started:.1f} s; VACUUM ANALYZE {analyze():.1f} s.")
    organization, user = data
    password = sign_in_as(user)
    cache.clear()  # nothing cached by an earlier run (or another data set) is served
    environment = production_environment(database_url, redis_url)
    print(f"collectstatic (the manifest and compressed files the image builds): {collect_static(environment):.1f} s.")
    print_environment(params)
    print(f"Redis: {redis_url} (cache and sessions)")

    port = args.port or free_port()
    with tempfile.TemporaryDirectory() as scratch:
        script, log = Path(scratch, "count.lua"), Path(scratch, "gunicorn.log")
        script.write_text(WRK_SCRIPT)
        try:
            with gunicorn(port, environment, log) as base:
                print(f"gunicorn (platform/gunicorn.conf.py) on {base}; organisation {organization.name!r}")
                cookies = sign_in(base, user.email, password)
                check_answers(base, cookies)
                results = [run_wrk(args, base, endpoint, cookies, script) for endpoint in endpoints()]
        finally:
            tail = log.read_text(errors="replace").splitlines()[-20:] if log.exists() else []
            if any("Traceback" in line or "ERROR" in line for line in tail):
                print("The end of gunicorn's log:\n" + "\n".join(tail), file=sys.stderr)
    print_results(results, args)
    print()
    print(f"Whole run: {perf_counter() - run_started:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
