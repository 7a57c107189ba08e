from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from . import navigation


def shell(request: HttpRequest) -> dict[str, Any]:
    """Give the base template the navigation of the user's roles and the site settings."""
    user = getattr(request, "user", None)
    from .middleware import mfa_required

    nav = []
    missing = getattr(request, "mfa_missing", None)  # MfaRequiredMiddleware found it out
    if missing is None and user is not None and user.is_authenticated:
        missing = mfa_required(user, request)
    if user is not None and user.is_authenticated and not missing:
        nav = navigation.items_for(user)  # while the second factor is missing, nothing leads on
    demo: dict[str, Any] = {}
    if settings.DEMO:
        from .demo import DEMO_PASSWORD, LOGINS

        demo = {"demo_logins": LOGINS, "demo_password": DEMO_PASSWORD}
    return {
        **demo,
        "nav_items": nav,
        "demo_mode": settings.DEMO,
        "feedback_email": settings.FEEDBACK_EMAIL,
    }
