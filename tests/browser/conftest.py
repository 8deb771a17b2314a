"""Chromium driven by Playwright against the live server, with everything the page complains about recorded.

The browser is Debian's `chromium` package (no browser download): CHROMIUM_PATH points at
another build. Pages may only reach 127.0.0.1; anything else is refused and reported.
"""

from __future__ import annotations

import copy
import os
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.servers.basehttp import WSGIServer
from django.utils.module_loading import import_string
from django_q.signing import SignedPackage
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, Route, sync_playwright
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from sandboxes.ponto import PontoSandbox
from tests.integrations.ponto import conftest as ponto_fixtures

# The Ponto sandbox served on a local port, as the connector tests use it.
ponto = ponto_fixtures.ponto
sandbox_size = ponto_fixtures.sandbox_size

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1"}

# Injected by Playwright before any page script; the CSP does not apply to it. A violation is
# reported to the test through an exposed function, so it survives the page navigating away.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const violation = {
    directive: event.effectiveDirective, blocked: event.blockedURI, source: event.sourceFile,
    line: event.lineNumber, sample: event.sample, page: document.location.href,
  };
  window.__cspViolations.push(violation);
  if (window.__recordCspViolation) { window.__recordCspViolation(violation); }
});
"""


@dataclass
class BrowserLog:
    """What went wrong in the browser while a test ran."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[dict[str, Any]] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return [
            *(f"console error: {text}" for text in self.console_errors),
            *(f"page error: {text}" for text in self.page_errors),
            *(f"CSP violation: {violation}" for violation in self.csp_violations),
            *(f"request outside 127.0.0.1 refused: {url}" for url in self.external_requests),
        ]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keeps the test's outcome on the item, so the page fixture can photograph a failure."""
    report = yield
    if report.when == "call":
        item.call_report = report  # type: ignore[attr-defined]
    return report


# On SQLite the live server and the test's own database work (the queued tasks) share one
# in-memory connection: they take turns with this lock. A sync written while a page's request
# still read the same table failed with "database table is locked".
SHARED_CONNECTION_TURN = threading.Lock()


class OneRequestAtATimeServer(WSGIServer):
    """The live server's HTTP server when its requests share the test's in-memory SQLite
    connection: sqlite3 can deadlock when two threads use one connection at once (two chart
    requests of the dashboard did), so requests are served in turn, and never while the test
    runs queued tasks. Django answers each with `Connection: close`, so no keep-alive
    connection holds the queue."""

    def __init__(self, *args: Any, connections_override: object = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def process_request(self, request: Any, client_address: Any) -> None:
        with SHARED_CONNECTION_TURN:
            super().process_request(request, client_address)


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """The live server on 127.0.0.1 (not `localhost`, which may resolve to ::1), on a free port."""
    server = LiveServer("127.0.0.1:0", start=False)
    if server.thread.connections_override:
        # django-stubs do not declare LiveServerThread.server_class.
        server.thread.server_class = OneRequestAtATimeServer  # type: ignore[attr-defined]
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    if not os.access(executable, os.X_OK):
        pytest.fail(
            f"No Chromium at {executable}: install Debian's `chromium` package (apt-get install chromium) "
            "or set CHROMIUM_PATH to a Chromium binary. The browser tests never download a browser.",
            pytrace=False,
        )
    # Playwright's sync API keeps an asyncio loop in the main thread, so Django takes every ORM
    # call made meanwhile for a call from async code and refuses it. The test code is plain
    # synchronous code; allow it for as long as this browser is running, and no longer.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


@pytest.fixture
def page(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer, browser_log: BrowserLog
) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server.url, accept_downloads=True, viewport={"width": 1280, "height": 900}, locale="en-GB"
    )
    context.set_default_timeout(15_000)

    def local_only(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname in LOCAL_HOSTS or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            browser_log.external_requests.append(url)
            route.abort("blockedbyclient")

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            browser_log.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def page_error(error: Error) -> None:
        browser_log.page_errors.append(str(error))

    def csp_violation(violation: dict[str, Any]) -> None:
        browser_log.csp_violations.append(violation)

    context.route("**/*", local_only)
    context.expose_function("__recordCspViolation", csp_violation)
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    context.on("console", console)
    tab = context.new_page()
    tab.on("pageerror", page_error)
    yield tab
    report = getattr(request.node, "call_report", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=SCREENSHOTS / f"{request.node.name}-failed.png", full_page=True)
    context.close()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """Saves a full-page screenshot as a test artifact; returns its path."""

    def take(page: Page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture
def linkable_ponto(ponto: PontoSandbox, live_server: LiveServer, settings: Settings) -> PontoSandbox:
    """The sandbox set up to send the browser back to the live server after consent.

    The connect form posts to us and is redirected to the sandbox: the CSP's form-action must
    allow the sandbox's origin (settings.py derives it from PONTO_AUTH_URL at start-up).
    """
    callback = f"{live_server.url}/connections/ponto/callback/"
    settings.PONTO_REDIRECT_URI = callback
    ponto.register_client(settings.PONTO_CLIENT_ID, settings.PONTO_CLIENT_SECRET, [callback])
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"] = [*policy["DIRECTIVES"]["form-action"], ponto.base_url]  # type: ignore[attr-defined]
    settings.CONTENT_SECURITY_POLICY = policy
    return ponto


@pytest.fixture
def run_queued_tasks(task_queue: Any) -> Callable[[], list[str]]:
    """Runs what the pages queued for the django-q workers, here and now; returns the task names.

    On SQLite it takes turns with the live server, which shares the test's connection.
    """

    def run() -> list[str]:
        with SHARED_CONNECTION_TURN:
            return drain()

    def drain() -> list[str]:
        done: list[str] = []
        for _ in range(50):  # a task may queue another; a loop that never ends is a bug
            if not task_queue.queue_size():
                return done
            for task_id, payload in task_queue.dequeue() or []:
                task = SignedPackage.loads(payload)
                func = import_string(task["func"]) if isinstance(task["func"], str) else task["func"]
                func(*task["args"], **task["kwargs"])
                if task_id is not None:
                    task_queue.acknowledge(task_id)
                done.append(str(task["func"]))
        raise AssertionError(f"the task queue does not drain: {done[-5:]}")

    return run
