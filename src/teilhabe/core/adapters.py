from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records  # allauth pinned
from allauth.core import context
from django.http import HttpRequest
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by a centre's administration, never by sign-up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Let a fresh log-in count for setting up the first second factor.

        Teilhabe sends members who must use a second factor to its set-up right after they log
        in; asking for the password a second time there helps nobody. Changing or removing an
        existing factor still asks for it.
        """
        request = context.request
        if app == "allauth.mfa" and request is not None and request.user.is_authenticated:
            records = get_authentication_records(request, request.user)
            fresh = records and time.time() - records[-1]["at"] < (
                app_settings.REAUTHENTICATION_TIMEOUT
            )
            if fresh and self._first_set_up(request, records[-1]["at"]):
                return False
        return super().is_reauthentication_required(app=app, **kwargs)

    @staticmethod
    def _first_set_up(request: HttpRequest, logged_in_at: float) -> bool:
        """Return whether the request belongs to setting up the first factor after log-in.

        That is activating TOTP while the user has none, and seeing the recovery codes made
        by that activation.
        """
        from allauth.mfa.models import Authenticator

        from .middleware import has_second_factor

        if request.path == reverse("mfa_activate_totp"):
            return not has_second_factor(request.user)
        if request.path in (
            reverse("mfa_view_recovery_codes"),
            reverse("mfa_download_recovery_codes"),
        ):
            since = datetime.fromtimestamp(logged_in_at, tz=UTC)
            return Authenticator.objects.filter(
                user=request.user, type=Authenticator.Type.RECOVERY_CODES, created_at__gte=since
            ).exists()
        return False
