"""Views of retention: the centre's case management settings, the erasure journal, legal holds."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView

from teilhabe.core.roles import Role
from teilhabe.core.views import PermissionMixin, TenantObjectMixin, centre_for

from . import retention
from .models import Case, ErasureEntry
from .retention_forms import CaseSettingsForm, ErasureJournalFilterForm, LegalHoldForm

#: Roles that keep the settings and read the journal (cases/permissions.py).
SETTINGS_ROLES = (Role.LEADERSHIP, Role.ADMINISTRATION)
JOURNAL_ROLES = (Role.DATA_PROTECTION, Role.ADMINISTRATION)


class CaseSettingsView(PermissionMixin, FormView):
    """Change what the own centre decides for its case management."""

    permission_required = "cases.change_settings"
    template_name = "cases/case_settings.html"
    form_class = CaseSettingsForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            self.centre = centre_for(request.user, *SETTINGS_ROLES)
            self.settings = retention.settings_for(self.centre)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.settings}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(centre=self.centre, **kwargs)

    def form_valid(self, form: CaseSettingsForm) -> HttpResponse:
        try:
            retention.save_case_settings(self.request.user, self.centre, **form.cleaned_data)
        except ValidationError as error:
            for name, errors in error.error_dict.items() if hasattr(error, "error_dict") else ():
                form.add_error(name if name in form.fields else None, errors)
            if not hasattr(error, "error_dict"):
                form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The case management settings have been saved."))
        return redirect("cases:settings")


class ErasureJournalView(PermissionMixin, ListView):
    """The erasure journal of the own centre, and what the next retention run would erase."""

    permission_required = "cases.view_erasure_journal"
    template_name = "cases/erasure_journal.html"
    paginate_by = 25

    def get_queryset(self) -> QuerySet[ErasureEntry]:
        self.form = ErasureJournalFilterForm(self.request.GET or None)
        qs = ErasureEntry.objects.visible_to(self.request.user).select_related("centre")
        if not self.form.is_bound:
            return qs
        if not self.form.is_valid():
            return qs.none()
        data = self.form.cleaned_data
        if data["outcome"]:
            qs = qs.filter(outcome=data["outcome"])
        if data["date_from"]:
            qs = qs.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            qs = qs.filter(at__date__lte=data["date_to"])
        return qs

    def previews(self) -> list[tuple[Any, retention.RetentionReport]]:
        """Return a dry run for today for each centre whose journal the user reads."""
        centres = {
            m.centre_id: m.centre
            for m in self.request.user.active_memberships()
            if m.role in JOURNAL_ROLES and m.centre is not None
        }
        today = timezone.localdate()
        return [
            (centre, retention.run_retention(today=today, dry_run=True, centre=centre))
            for centre in centres.values()
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        for entry in context["object_list"]:
            entry.removed_list = retention.removed_labels(entry.removed)
        params = self.request.GET.copy()
        params.pop("page", None)
        previews = self.previews()
        context.update(
            form=self.form,
            querystring=params.urlencode(),
            previews=previews,
            several_centres=len(previews) > 1,
        )
        return context


class LegalHoldView(TenantObjectMixin, View):
    """Set or clear the legal hold of a case (a held case is not erased)."""

    permission_required = "cases.change_case"
    model = Case

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.get_object()
        form = LegalHoldForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose whether to set or clear the legal hold."))
        else:
            hold = form.cleaned_data["hold"]
            try:
                retention.set_legal_hold(
                    request.user, case, hold=hold, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _("The legal hold has been set: the case is not erased while it lasts.")
                    if hold
                    else _("The legal hold has been cleared."),
                )
        # Reversed here, at request time: the case file's URLs belong to the case views.
        return redirect(reverse("cases:case-detail", kwargs={"pk": case.pk}))
