"""Request id, tenant scope and the second-factor requirement."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import middleware as auth_middleware
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_scopes import scope, scopes_disabled

from .roles import requires_mfa
from .tenancy import centre_ids

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id (or keep a proxy's ``X-Request-ID``) for logs and audit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with ``request.user`` read at once instead of behind a lazy object.

    Every request asks for its user anyway (``TenantScopeMiddleware`` does; static files are
    served before), so the lazy object saved no query. Yet every use of ``request.user`` in
    views, permission checks and templates, hundreds in a case file, went through the proxy:
    about 2 % of the CPU under the load test. Logging in and out still replace it.
    """

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = auth.get_user(request)


class TenantScopeMiddleware:
    """Run every request inside a django-scopes scope of the user's own centres.

    A query on a tenant model then only ever reaches the user's centres, even where a view
    forgot ``visible_to``; anonymous visitors get a scope of no centre at all.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.is_superuser:
            with scopes_disabled():
                return self.get_response(request)
        ids = centre_ids(user.active_memberships()) if user.is_authenticated else []
        with scope(centre=ids):
            return self.get_response(request)


def has_second_factor(user: object) -> bool:
    """Return whether ``user`` has an activated TOTP authenticator."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def mfa_required(user: object, request: HttpRequest | None = None) -> bool:
    """Return whether ``user`` must use a second factor and has none yet.

    A session whose log-in used a second factor (allauth records it in the session) has one;
    the database is asked only when the session does not say so.
    """
    if not settings.REQUIRE_MFA or not user.is_authenticated:  # type: ignore[attr-defined]
        return False
    if not any(requires_mfa(m.role) for m in user.active_memberships()):  # type: ignore[attr-defined]
        return False
    if request is not None and used_second_factor(request, user):
        return False
    return not has_second_factor(user)


def used_second_factor(request: HttpRequest, user: object) -> bool:
    """Return whether ``user`` logged in to this session with a second factor."""
    from allauth.account.authentication import get_authentication_records

    return any(r.get("method") == "mfa" for r in get_authentication_records(request, user))


class MfaRequiredMiddleware:
    """Send members of roles that see personal data to set up TOTP before anything else."""

    #: Pages reachable without a second factor: setting it up, logging out, static files.
    allowed_prefixes = (
        "/accounts/",
        "/static/",
        "/i18n/",
        "/barrierefreiheit/",
        "/healthz",
        "/verzeichnis/",
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(self.allowed_prefixes):
            # Kept for the page's navigation (context_processors.shell): one query, not two.
            request.mfa_missing = mfa_required(request.user, request)  # type: ignore[attr-defined]
            if request.mfa_missing:  # type: ignore[attr-defined]
                return redirect("mfa_activate_totp")
        return self.get_response(request)
