"""The Content-Security-Policy as the browser sees it."""

from __future__ import annotations

import re

import pytest

from .support import Tab

pytestmark = pytest.mark.browser


def test_scripts_are_allowed_by_a_nonce(tab: Tab):
    """Each response's policy names the nonce its ``<script>`` elements carry."""
    messages: list[str] = []
    tab.page.on("console", lambda message: messages.append(message.text))
    response = tab.goto("/accounts/login/")
    policy = response.headers["content-security-policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    nonces = set(re.findall(r"'nonce-([^']+)'", script_src))
    assert "'nonce'" not in script_src.split(), f"invalid source in {script_src!r}"
    assert len(nonces) == 1, script_src
    scripts = tab.page.locator("script[src]")
    assert scripts.count() >= 1
    # The browser hides the nonce attribute's value from the DOM; the property keeps it.
    assert set(scripts.evaluate_all("els => els.map(s => s.nonce)")) == nonces
    assert not [m for m in messages if "Content Security Policy" in m], messages
