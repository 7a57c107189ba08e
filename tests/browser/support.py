"""Helpers of the browser tests: a tab that checks every page it visits.

:meth:`Tab.check` fails the test on any WCAG 2.1 A/AA violation axe-core finds, on script errors,
on Content-Security-Policy violations and on sub-resources (CSS, fonts, scripts) that failed to
load, and saves a full-page screenshot to ``test-artifacts/screenshots/<name>.png``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Page, Request, Response

PROJECT_DIR = Path(__file__).resolve().parents[2]
AXE_JS = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = PROJECT_DIR / "test-artifacts" / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

#: Beginnings of console errors of known bugs, each with a strict xfail test that fails once the
#: bug is fixed (then remove both). None at the moment.
KNOWN_CONSOLE_ERRORS: tuple[str, ...] = ()

_RUN_AXE = """async (tags) => {
    const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
    return results.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({
            target: n.target.map(String), html: n.html, summary: n.failureSummary,
        })),
    }));
}"""


def format_violations(where: str, violations: list[dict[str, Any]]) -> str:
    """Return axe-core's violations as a message a person can act on."""
    lines = [f"{len(violations)} accessibility violation(s) (axe-core, WCAG 2.1 AA) on {where}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} [{violation['impact']}]: {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(node['target'])}")
            lines.append(f"       {node['html'][:300]}")
            summary = (node["summary"] or "").replace("\n", "\n         ")
            lines.append(f"       {summary}")
    return "\n".join(lines)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page and return its violations of WCAG 2.1 level A and AA.

    The site's Content-Security-Policy allows no inline script without a nonce, so axe is not
    added as a ``<script>`` element: DevTools evaluation is not subject to the page's CSP.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    return page.evaluate(_RUN_AXE, AXE_TAGS)


def totp_code(secret: str) -> str:
    """Return the current TOTP code of ``secret``, never one about to expire."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    if app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD < 3:
        time.sleep(3)  # the server could see the next period; wait for it instead
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def wrong_totp_code(secret: str) -> str:
    """Return a six-digit code that is not valid for ``secret`` right now."""
    from allauth.mfa.totp.internal.auth import validate_totp_code

    return next(
        code for code in ("000000", "111111", "123456") if not validate_totp_code(secret, code)
    )


@dataclass
class Tab:
    """A browser page on the live server that notices what goes wrong while loading."""

    page: Page
    base_url: str
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        self.page.on("console", self._console)
        self.page.on("response", self._response)
        self.page.on("requestfailed", self._request_failed)

    def _console(self, message: ConsoleMessage) -> None:
        # A page answered with 404/403 on purpose logs "Failed to load resource"; real failures
        # of sub-resources are caught by _response.
        if message.type != "error" or message.text.startswith("Failed to load resource"):
            return
        if not message.text.startswith(KNOWN_CONSOLE_ERRORS):
            self.problems.append(f"console error: {message.text}")

    def _response(self, response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(
                f"{response.status} for {response.request.resource_type} {response.url}"
            )

    def _request_failed(self, request: Request) -> None:
        # The browser cancels its own favicon request when the test navigates on at once.
        if request.url.endswith("/favicon.svg") and request.failure == "net::ERR_ABORTED":
            return
        self.problems.append(f"request failed: {request.url} ({request.failure})")

    @property
    def path(self) -> str:
        """The path of the page shown, e.g. ``/accounts/login/``."""
        return urlsplit(self.page.url).path

    def goto(self, path: str) -> Response:
        """Open ``path`` and return the response of the (last) document."""
        response = self.page.goto(path)
        assert response is not None, f"no response for {path}"
        return response

    def submit(self, form_selector: str = "main form") -> None:
        """Press the submit button of the form and wait until the next page has loaded."""
        self.page.locator(form_selector).locator('[type="submit"]').first.click()
        self.page.wait_for_load_state("load")

    def log_in(self, email: str, password: str) -> None:
        """Log in through the log-in form (fields found by name: the labels are translated)."""
        self.goto("/accounts/login/")
        form = self.page.locator("form", has=self.page.locator('input[name="login"]'))
        form.locator('input[name="login"]').fill(email)
        form.locator('input[name="password"]').fill(password)
        form.locator('[type="submit"]').first.click()
        self.page.wait_for_load_state("load")

    def h1(self) -> str:
        """The text of the page's only ``h1``."""
        heading = self.page.locator("h1")
        assert heading.count() == 1, f"{self.path}: expected one h1, found {heading.count()}"
        text = heading.inner_text().strip()
        assert text, f"{self.path}: the h1 is empty"
        return text

    def main_nav_links(self) -> list[str]:
        """The paths the main navigation links to, in order."""
        links = self.page.locator("nav[aria-label]").first.locator("a")
        return [urlsplit(href).path for href in links.evaluate_all("els => els.map(a => a.href)")]

    def check(self, name: str) -> None:
        """Fail on problems while loading or on axe violations; save a screenshot as ``name``."""
        self.page.wait_for_load_state("load")
        self.page.screenshot(path=SCREENSHOTS / f"{_slug(name)}.png", full_page=True)
        problems, self.problems = self.problems, []
        assert not problems, f"{self.path} ({name}):\n" + "\n".join(problems)
        violations = axe_violations(self.page)
        assert not violations, format_violations(f"{self.path} ({name})", violations)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
