"""Views of the pupil record. Each fetches through ``visible_to``, calls one service, renders."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from teilhabe.core.audit import log_access
from teilhabe.core.conflicts import EditConflict
from teilhabe.core.roles import Role
from teilhabe.core.views import (
    PermissionMixin,
    SessionSearchMixin,
    SortableListMixin,
    centre_for,
    form_error,
)

from . import services
from .importing import COLUMNS, ImportFileError, import_pupils
from .models import Pupil, SchoolForm, Stage
from .pupil_forms import (
    MAX_UPLOAD_BYTES,
    CounsellingForm,
    ImportForm,
    PupilEditForm,
    PupilFilterForm,
    PupilReportForm,
    SearchForm,
    StatusForm,
)
from .pupil_records import pupil_data_json
from .services import set_siblings

# --- The list -------------------------------------------------------------------------------


class PupilListView(PermissionMixin, SessionSearchMixin, SortableListMixin, ListView):
    """The waiting list (or all pupils): filters in the URL, the name search in the session."""

    permission_required = "schooling.view_pupil"
    search_key = "schooling.pupil_search"
    search_form_class = SearchForm
    template_name = "schooling/pupil_list.html"
    paginate_by = 25
    default_sort = "-waiting"
    sort_fields = {
        "waiting": ("days", "registration_date"),
        "name": ("last_name", "first_name"),
        "registered": ("registration_date",),
        "status": ("status", "registration_date"),
    }

    def get_queryset(self) -> QuerySet[Pupil]:
        user = self.request.user
        self.today = timezone.localdate()
        qs = Pupil.objects.visible_to(user).select_related("municipality", "school")
        self.filter_form = PupilFilterForm(self.request.GET or None, user=user)
        data = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        self.status = data.get("status", "")
        if not self.status:
            qs = qs.filter(status__in=Pupil.WAITING)
        elif self.status != "all":
            qs = qs.filter(status=self.status)
        if data.get("municipality"):
            qs = qs.filter(municipality=data["municipality"])
        if data.get("stage"):
            qs = qs.filter(recommended_stage=data["stage"])
        if data.get("language"):
            qs = qs.filter(family_languages__icontains=data["language"].strip())
        if self.search:
            qs = qs.filter(
                Q(last_name__icontains=self.search)
                | Q(first_name__icontains=self.search)
                | Q(report_key__iexact=self.search)
            )
        # Days waiting as Pupil.days_waiting counts them; an ended record without a school
        # start has none (sorted last).
        end = Coalesce(F("school_start"), Value(self.today, output_field=DateField()))
        qs = qs.annotate(
            days=Case(
                When(Q(status__in=Pupil.ENDED, school_start__isnull=True), then=None),
                default=ExpressionWrapper(
                    end - F("registration_date"), output_field=DurationField()
                ),
                output_field=DurationField(),
            )
        )
        return self.sort_queryset(qs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(
            **self.sort_context(),
            filter_form=self.filter_form,
            **self.search_context(),
            status=self.status,
            **kwargs,
        )
        for pupil in context["object_list"]:
            pupil.waiting_days = pupil.days_waiting(self.today)
        return context


# --- Report (intake) ------------------------------------------------------------------------


class PupilCreateView(PermissionMixin, View):
    """Report a pupil by hand; a possible duplicate is shown and must be confirmed."""

    permission_required = "schooling.change_pupil"
    template_name = "schooling/pupil_create.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            self.centre = centre_for(request.user, Role.NEWCOMER_COUNSELLOR)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.show(PupilReportForm(centre=self.centre))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PupilReportForm(request.POST, centre=self.centre)
        if not form.is_valid():
            return self.show(form)
        data = form.cleaned_data
        try:
            with transaction.atomic():
                pupil = services.report_pupil(
                    request.user,
                    self.centre,
                    confirmed_new=data["confirmed_new"],
                    guardians=form.guardians(),
                    **({"report_key": data["report_key"]} if data["report_key"] else {}),
                    **form.pupil_data(),
                )
                if data["siblings"]:
                    set_siblings(request.user, pupil, data["siblings"])
        except services.PossibleDuplicate as duplicate:
            form.add_error(None, duplicate)
            # The next submit confirms that this is another child.
            form.data = form.data.copy()
            form.data["confirmed_new"] = "on"
            return self.show(form, duplicates=duplicate.matches)
        except ValidationError as error:
            form_error(form, error)
            return self.show(form)
        messages.success(request, _("%(name)s has been recorded.") % {"name": pupil.full_name})
        return redirect("schooling:pupil-detail", pk=pupil.pk)

    def show(self, form: PupilReportForm, **extra: Any) -> HttpResponse:
        return render(self.request, self.template_name, {"form": form, **extra})


# --- The record -----------------------------------------------------------------------------


class PupilMixin(LoginRequiredMixin):
    """Fetch the pupil of the URL through ``visible_to`` (else 404), check the permission.

    Every page of the record shows personal data: each read is written to the access log.
    """

    permission = "schooling.change_pupil"
    #: What a GET of the page is logged as.
    read_action = "read"
    request: HttpRequest
    kwargs: dict[str, Any]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()  # type: ignore[attr-defined]
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        self.pupil = get_object_or_404(Pupil.objects.visible_to(request.user), pk=kwargs["pk"])
        if not request.user.has_perm(self.permission, self.pupil):
            raise PermissionDenied
        if request.method == "GET":
            log_access(request, self.pupil, action=self.read_action, centre=self.pupil.centre)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def pupil_url(self, anchor: str = "") -> str:
        url = reverse("schooling:pupil-detail", args=[self.pupil.pk])
        return f"{url}#{anchor}" if anchor else url


def next_statuses(pupil: Pupil) -> list[Pupil.Status]:
    """Return the status steps staff may take by hand from the pupil's status."""
    return [Pupil.Status(s) for s in sorted(services.STATUS_STEPS.get(pupil.status, ()))]


def can_end(pupil: Pupil) -> bool:
    return pupil.status not in Pupil.ENDED and pupil.status != Pupil.Status.STARTED


class PupilDetailView(PupilMixin, TemplateView):
    permission = "schooling.view_pupil"
    template_name = "schooling/pupil_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        pupil = (
            Pupil.objects.select_related("municipality", "school", "preferred_school", "centre")
            .filter(pk=self.pupil.pk)
            .get()
        )
        today = timezone.localdate()
        forms = dict(SchoolForm.choices)
        return super().get_context_data(
            pupil=pupil,
            guardians=list(pupil.guardians.all()),
            siblings=list(pupil.siblings.order_by("last_name", "first_name")),
            counsellings=list(pupil.counsellings.select_related("by")),
            recommended_forms=[forms.get(f, f) for f in pupil.recommended_forms],
            days_waiting=pupil.days_waiting(today),
            next_statuses=next_statuses(pupil),
            can_end=can_end(pupil),
            ended=[Pupil.Status(s) for s in sorted(Pupil.ENDED)],
            can_counsel=pupil.status
            in {Pupil.Status.REPORTED, Pupil.Status.INVITED, Pupil.Status.COUNSELLED},
            Status=Pupil.Status,
            today=today,
            **kwargs,
        )


class PupilStatusView(PupilMixin, View):
    """Move the pupil on by hand, or close the record with a reason (POST only)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = StatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Please choose the new status."))
            return redirect(self.pupil_url("status"))
        try:
            services.set_status(
                request.user,
                self.pupil,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(str(m) for m in error.messages))
        else:
            messages.success(request, _("The status has been changed."))
        return redirect(self.pupil_url("status"))


class PupilUpdateView(PupilMixin, TemplateView):
    """Edit the pupil's data; a colleague's save in between is shown, not lost."""

    template_name = "schooling/pupil_update.html"

    def form(self, data: Any = None) -> PupilEditForm:
        instance = (
            Pupil.objects.visible_to(self.request.user).get(pk=self.pupil.pk)
            if data
            else self.pupil
        )
        return PupilEditForm(
            data,
            instance=instance,
            centre=self.pupil.centre,
            pupil=self.pupil,
            initial={"version": self.pupil.version, "siblings": list(self.pupil.siblings.all())},
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("form", self.form())
        return super().get_context_data(pupil=self.pupil, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            with transaction.atomic():
                pupil = services.update_pupil(
                    request.user,
                    self.pupil,
                    version=form.cleaned_data["version"],
                    **form.pupil_data(),
                )
                set_siblings(request.user, pupil, form.cleaned_data["siblings"])
        except EditConflict:
            return self.render_to_response(
                self.get_context_data(form=form, conflicts=self._conflicts(form)), status=409
            )
        except ValidationError as error:
            form_error(form, error)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("The pupil's data has been saved."))
        return redirect(self.pupil_url())

    def _conflicts(self, form: PupilEditForm) -> dict[str, Any]:
        """Return the fields where the stored value differs from the user's, with both values.

        The form gets the stored version, so saving again takes the user's values.
        """
        stored = Pupil.objects.visible_to(self.request.user).get(pk=self.pupil.pk)
        data = form.data.copy()
        data["version"] = stored.version
        form.data = data
        differences: dict[str, Any] = {}
        for name in services.PUPIL_FIELDS:
            theirs = getattr(stored, name)
            if _comparable(theirs) != _comparable(form.cleaned_data.get(name)):
                differences[name] = {
                    "label": form.fields[name].label,
                    "theirs": _display(stored, name),
                }
        return differences


def _comparable(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    if hasattr(value, "code"):  # a country
        return value.code or ""
    if value is None:
        return ""
    return str(value)


def _display(obj: Pupil, name: str) -> str:
    value = getattr(obj, name)
    if hasattr(value, "code"):
        return str(value.name) or "–"
    display = getattr(obj, f"get_{name}_display", None)
    if display is not None:
        return str(display()) or "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    return str(value) if value not in (None, "") else "–"


# --- Counselling ----------------------------------------------------------------------------


class CounsellingView(PupilMixin, TemplateView):
    """Record the counselling; grade and stage are proposed from the age, always editable."""

    template_name = "schooling/pupil_counselling.html"

    def initial(self) -> dict[str, Any]:
        pupil = self.pupil
        today = timezone.localdate()
        grade = pupil.proposed_grade or services.default_grade(
            pupil.birth_date, years_of_schooling=pupil.years_of_schooling, on=today
        )
        age = services.age_on(pupil.birth_date, today)
        return {
            "starts": timezone.localtime().replace(second=0, microsecond=0),
            "interpreter_language": pupil.interpreter_language,
            "proposed_grade": grade,
            "recommended_stage": pupil.recommended_stage or services.default_stage(grade, age),
            "recommended_forms": pupil.recommended_forms,
            "initial_support": pupil.initial_support,
            "preferred_school": pupil.preferred_school_id,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        if "form" not in kwargs:
            kwargs["form"] = CounsellingForm(initial=self.initial(), centre=self.pupil.centre)
        return super().get_context_data(
            pupil=self.pupil,
            age=services.age_on(self.pupil.birth_date, timezone.localdate()),
            stages=Stage.choices,
            **kwargs,
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = CounsellingForm(request.POST, centre=self.pupil.centre)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        try:
            services.record_counselling(
                request.user,
                self.pupil,
                recommended_stage=data["recommended_stage"],
                recommended_forms=data["recommended_forms"],
                proposed_grade=data["proposed_grade"],
                initial_support=data["initial_support"],
                preferred_school=data["preferred_school"],
                **form.assessment(),
            )
        except ValidationError as error:
            form_error(form, error)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("The counselling has been recorded."))
        return redirect(self.pupil_url("counselling"))


# --- Art. 15 export -------------------------------------------------------------------------


class PupilExportView(PupilMixin, View):
    """Return everything stored about the pupil as JSON (Art. 15 DSGVO); logged as an export."""

    permission = "schooling.view_pupil"
    read_action = "export"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        pupil = self.pupil
        response = HttpResponse(
            pupil_data_json(pupil), content_type="application/json; charset=utf-8"
        )
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = content_disposition_header(
            True, f"Auskunft-Schueler-{pupil.pk}-{stamp}.json"
        )
        response["Cache-Control"] = "no-store"
        return response


# --- Import ---------------------------------------------------------------------------------


class PupilImportView(PermissionMixin, View):
    """Upload the registration office's report; dry run first, then the real import."""

    permission_required = "schooling.change_pupil"
    template_name = "schooling/pupil_import.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        centre_for(request.user, Role.NEWCOMER_COUNSELLOR)
        return self.show(ImportForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        centre = centre_for(request.user, Role.NEWCOMER_COUNSELLOR)
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.show(form)
        upload = form.cleaned_data["file"]
        try:
            report = import_pupils(
                request.user, centre, upload, dry_run=form.cleaned_data["dry_run"]
            )
        except ImportFileError as error:
            form.add_error("file", error.message)
            return self.show(form)
        # The browser cannot keep the chosen file: the next step needs it chosen again.
        return self.show(ImportForm(), report=report, file_name=upload.name)

    def show(self, form: ImportForm, **extra: Any) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "columns": COLUMNS,
                "max_upload_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
                **extra,
            },
        )
