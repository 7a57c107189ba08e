"""Caseload figures and system gaps for leadership and strategic coordination (no case files)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from teilhabe.core.roles import Role
from teilhabe.core.views import PermissionMixin, SortableListMixin, TenantObjectMixin, centre_for
from teilhabe.network.models import Actor

from .caseload import CLOSED_DAYS, OPEN_PHASES, RECENT_DAYS, caseload, system_gap_overview
from .caseload import take_up_system_gap as take_up
from .models import SystemGap


class CaseloadView(PermissionMixin, TemplateView):
    """Figures of the centre's case management per case manager and Bezirk: no names of clients."""

    permission_required = "cases.view_caseload"
    template_name = "cases/caseload.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        centre = centre_for(self.request.user, Role.LEADERSHIP, Role.COORDINATOR)
        return super().get_context_data(
            centre=centre,
            load=caseload(centre),
            phases=OPEN_PHASES,
            recent_days=RECENT_DAYS,
            closed_days=CLOSED_DAYS,
            **kwargs,
        )


class GapFilterForm(forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Agency"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("all agencies"),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[
            ("", gettext_lazy("all")),
            ("open", gettext_lazy("not taken up yet")),
            ("taken_up", gettext_lazy("taken up")),
        ],
    )

    def __init__(self, *args: Any, agencies: QuerySet[Actor], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            ("", gettext_lazy("all categories")),
            *SystemGap.Category.choices,
        ]
        self.fields["agency"].queryset = agencies


class SystemGapListView(PermissionMixin, SortableListMixin, ListView):
    """System gaps of the centre: counts by category and month, and the reports themselves.

    Reports are shown without their case and without who reported them (pseudonymity).
    """

    permission_required = "cases.view_system_gaps"
    template_name = "cases/system_gaps.html"
    paginate_by = 25
    default_sort = "-reported"
    sort_fields = {
        "reported": ("reported_on",),
        "category": ("category", "reported_on"),
        "agency": ("agency__name", "reported_on"),
        "taken_up": ("taken_up_on", "reported_on"),
    }

    def get_queryset(self) -> QuerySet[SystemGap]:
        self.gaps = SystemGap.objects.visible_to(self.request.user)
        agencies = Actor.objects.filter(
            pk__in=self.gaps.filter(agency__isnull=False).values("agency")
        ).order_by("name")
        self.filter_form = GapFilterForm(self.request.GET or None, agencies=agencies)
        qs = self.gaps.select_related("agency")
        data = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        if data.get("category"):
            qs = qs.filter(category=data["category"])
        if data.get("agency"):
            qs = qs.filter(agency=data["agency"])
        if data.get("status") == "open":
            qs = qs.filter(taken_up_on__isnull=True)
        elif data.get("status") == "taken_up":
            qs = qs.filter(taken_up_on__isnull=False)
        return self.sort_queryset(qs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            **self.sort_context(),
            filter_form=self.filter_form,
            overview=system_gap_overview(self.gaps),
            **kwargs,
        )


class SystemGapTakeUpView(TenantObjectMixin, View):
    """Mark a system gap as taken up, with a note on what is done about it."""

    permission_required = "cases.take_up_system_gap"
    model = SystemGap

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        gap = self.get_object()
        try:
            take_up(request.user, gap, note=request.POST.get("note", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The system gap is marked as taken up."))
        target = request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(target)
        return redirect("cases:system-gaps")
