"""Fixtures of the browser tests: the system Chromium, driven by Playwright, on a live server.

Every test gets a fresh browser context (cookies, storage) on one Chromium shared by the session,
and a :class:`~tests.browser.support.Tab` that checks each page it visits with axe-core.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from .support import SCREENSHOTS, Tab

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SKIP_REASON = f"BROWSER TESTS SKIPPED: {CHROMIUM} not installed"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say loudly at the end of the run that the accessibility checks did not run."""
    skipped = terminalreporter.stats.get("skipped", [])
    if any(SKIP_REASON in str(getattr(report, "longrepr", "")) for report in skipped):
        terminalreporter.write_sep("#", SKIP_REASON, red=True, bold=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """The system Chromium, started once for the whole session."""
    if not CHROMIUM.exists():
        pytest.skip(SKIP_REASON)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, and Django refuses
    # database access from a thread with a running loop unless told otherwise.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session", autouse=True)
def _live_server_settings() -> Iterator[None]:
    """Settings of the live server, in force before it starts and until the session ends.

    The live server builds its middleware once, when it starts, so the function-scoped
    ``settings`` fixture comes too late for what middleware reads at start-up (the HTTPS
    redirect of ``SecurityMiddleware``). It speaks plain HTTP, and pytest-django serves
    ``/static/`` through Django's ``StaticFilesHandler`` straight from the finders, so templates
    need the plain storage: the manifest storage of production fails without ``collectstatic``.

    The server's request threads close their database connections after each request: a
    persistent connection (``CONN_MAX_AGE``) left open by a thread idling on a browser's
    keep-alive socket would stop PostgreSQL from dropping the test database at the end.
    """
    from django.db import connections
    from django.test import override_settings

    staticfiles = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        STORAGES={**settings.STORAGES, "staticfiles": staticfiles},
    ):
        max_ages = {alias: connections.settings[alias]["CONN_MAX_AGE"] for alias in connections}
        for alias in connections:
            connections.settings[alias]["CONN_MAX_AGE"] = 0
        try:
            yield
        finally:
            for alias, max_age in max_ages.items():
                connections.settings[alias]["CONN_MAX_AGE"] = max_age


@pytest.fixture
def live_url(browser: object, live_server: object) -> str:
    """The address of the live server, with an empty cache."""
    from django.core.cache import cache

    # The database cache table is not emptied between transactional tests: start every test
    # with fresh log-in rate limits and TOTP replay markers.
    cache.clear()
    return live_server.url


@pytest.fixture
def context(browser: object, live_url: str) -> Iterator[object]:
    """A fresh browser context (no cookies) that speaks German, like most users."""
    ctx = browser.new_context(
        base_url=live_url, locale="de-DE", viewport={"width": 1280, "height": 900}
    )
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()
    # Let the live server finish the requests the closed pages left behind, so that their
    # threads end (and close their connections) within this test, not during a later one.
    deadline = time.monotonic() + 3
    for thread in threading.enumerate():
        if "process_request_thread" in thread.name:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))


@pytest.fixture
def tab(context: object, live_url: str) -> Tab:
    """A page that collects script errors and failed requests and checks pages with axe-core."""
    return Tab(context.new_page(), live_url)
