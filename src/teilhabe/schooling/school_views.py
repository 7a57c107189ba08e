"""Views of schools, their places, the places overview and the waiting times."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView, TemplateView

from teilhabe.core.models import Centre, Municipality
from teilhabe.core.roles import Role
from teilhabe.core.tenancy import centre_ids
from teilhabe.core.views import PermissionMixin, TenantFormView, TenantObjectMixin, centre_for

from . import schools as service
from .models import Capacity, School, school_year_of
from .school_forms import CapacityForm, SchoolEditForm, SchoolFilterForm, capacity_field


def _current_year() -> int:
    return school_year_of(timezone.localdate())


def _centres_of(user: Any) -> list[Centre]:
    return list(Centre.objects.filter(pk__in=centre_ids(user.active_memberships())))


class SchoolListView(PermissionMixin, ListView):
    """Schools with their places for newcomers this school year."""

    permission_required = "schooling.view_school"
    template_name = "schooling/school_list.html"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[School]:
        user = self.request.user
        self.year = _current_year()
        schools = service.schools_for(user).select_related("municipality").order_by("name", "pk")
        centres = _centres_of(user)
        towns = Municipality.objects.filter(pk__in=schools.values("municipality")).order_by("name")
        self.filter_form = SchoolFilterForm(self.request.GET or None, towns=towns)
        data = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        if data.get("municipality"):
            schools = schools.filter(municipality=data["municipality"])
        if data.get("form"):
            schools = schools.filter(form=data["form"])
        self.bands = service.occupancy_by_school(centres, self.year)
        if data.get("free_stage"):
            with_free = [
                pk
                for pk, bands in self.bands.items()
                if any(b.stage == data["free_stage"] and b.free > 0 for b in bands)
            ]
            schools = schools.filter(pk__in=with_free)
        return schools

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = []
        support = dict(_support_choices())
        for school in context["object_list"]:
            bands = self.bands.get(school.pk, [])
            rows.append(
                {
                    "school": school,
                    "bands": bands,
                    "places": sum(b.places for b in bands),
                    "taken": sum(b.taken for b in bands),
                    "free": sum(b.free for b in bands),
                    "support": [support.get(v, v) for v in school.initial_support],
                }
            )
        params = self.request.GET.copy()
        params.pop("page", None)
        return {
            **context,
            "rows": rows,
            "school_year": self.year,
            "filter_form": self.filter_form,
            "querystring": params.urlencode(),
            "can_add": self.request.user.has_perm("schooling.change_school"),
        }


def _support_choices() -> list[tuple[str, str]]:
    from .models import InitialSupport

    return [(value, str(label)) for value, label in InitialSupport.choices]


class SchoolObjectMixin(TenantObjectMixin):
    """Fetch a school of the user's centres (another centre: 404), then check the permission.

    Partner users are no centre staff, so ``visible_to`` hides schools from them; the school
    whose places they keep is found here and the permission decides.
    """

    model = School

    def get_object(self, queryset: QuerySet | None = None) -> School:
        school = get_object_or_404(
            service.schools_in_centres_of(self.request.user).select_related(
                "municipality", "actor", "centre"
            ),
            pk=self.kwargs["pk"],
        )
        if not self.request.user.has_perm(self.permission_required, school):
            raise PermissionDenied
        return school


class SchoolDetailView(SchoolObjectMixin, DetailView):
    permission_required = "schooling.view_school"
    template_name = "schooling/school_detail.html"
    context_object_name = "school"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        year = _current_year()
        years = service.school_bands(self.object, [year, year + 1])
        support = dict(_support_choices())
        return super().get_context_data(
            years=years,
            placed_now=sum(b.taken for b in years[0][1]),
            support=[support.get(value, value) for value in self.object.initial_support],
            can_change=user.has_perm("schooling.change_school", self.object),
            can_change_capacity=user.has_perm("schooling.change_capacity", self.object),
            **kwargs,
        )


class SchoolFormView(TenantFormView):
    """Create (no ``pk``) or change a school through ``save_school``."""

    permission_required = "schooling.change_school"
    template_name = "schooling/school_form.html"
    form_class = SchoolEditForm
    model = School
    creator_roles = (Role.NEWCOMER_COUNSELLOR,)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "school": self.object}

    def get_initial(self) -> dict[str, Any]:
        school = self.object
        if school is None:
            return {"lowest_grade": 1, "highest_grade": 4}
        return {
            name: getattr(school, name)
            for name in service.SCHOOL_FIELDS
            if name not in {"municipality", "actor"}
        } | {"municipality": school.municipality_id, "actor": school.actor_id}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(school=self.object, **kwargs)

    def form_valid(self, form: SchoolEditForm) -> HttpResponse:
        try:
            school = service.save_school(
                self.request.user, self.centre, school=self.object, **form.cleaned_data
            )
        except ValidationError as error:
            return self.service_error(form, error)
        messages.success(
            self.request, _("The school “%(name)s” has been saved.") % {"name": school}
        )
        return redirect("schooling:school-detail", pk=school.pk)


class CapacityUpdateView(PermissionMixin, FormView):
    """Set a school's places per stage for this and the next school year."""

    permission_required = "schooling.change_capacity"
    template_name = "schooling/school_capacity.html"
    form_class = CapacityForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm(self.permission_required):
            return self.handle_no_permission()
        self.school = get_object_or_404(
            service.schools_in_centres_of(request.user).select_related("municipality"),
            pk=kwargs["pk"],
        )
        if not request.user.has_perm(self.permission_required, self.school):
            raise PermissionDenied
        year = _current_year()
        self.years = [year, year + 1]
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        current = {
            (c.school_year, c.stage): c.places
            for c in Capacity.objects.for_centre(self.school.centre_id).filter(
                school=self.school, school_year__in=self.years
            )
        }
        return {
            **super().get_form_kwargs(),
            "school": self.school,
            "years": self.years,
            "current": current,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            school=self.school,
            bands=dict(service.school_bands(self.school, self.years)),
            can_view=self.request.user.has_perm("schooling.view_school", self.school),
            **kwargs,
        )

    def form_valid(self, form: CapacityForm) -> HttpResponse:
        changes = form.changed_bands()
        try:
            service.set_capacities(self.request.user, self.school, changes)
        except ValidationError as error:
            for key, errors in error.message_dict.items():
                year, _sep, stage = key.partition(":")
                field = capacity_field(int(year), stage) if stage else None
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        if changes:
            messages.success(self.request, _("The places have been saved."))
        else:
            messages.info(self.request, _("Nothing was changed."))
        return redirect("schooling:capacity-update", pk=self.school.pk)


class CapacityOverviewView(PermissionMixin, TemplateView):
    """Places, placed pupils and free places by school and stage, with a map of free places."""

    permission_required = "schooling.view_pupil"
    template_name = "schooling/school_overview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        centre = centre_for(self.request.user, Role.NEWCOMER_COUNSELLOR)
        current = _current_year()
        try:
            year = int(self.request.GET.get("jahr", current))
        except ValueError:
            year = current
        if year not in (current - 1, current, current + 1):
            year = current
        bands = service.occupancy_by_school([centre], year)
        schools = {
            s.pk: s
            for s in School.objects.visible_to(self.request.user)
            .filter(centre=centre, pk__in=list(bands))
            .select_related("municipality")
        }
        rows = [
            (schools[pk], school_bands)
            for pk, school_bands in sorted(bands.items(), key=lambda i: schools[i[0]].name)
            if pk in schools
        ]
        towns = list(centre.municipalities().order_by("name"))
        drawing = service.map_layout(
            towns, [(school, sum(b.free for b in sb)) for school, sb in rows]
        )
        return super().get_context_data(
            centre=centre,
            school_year=year,
            years=[current - 1, current, current + 1],
            rows=rows,
            totals=service.totals_by_stage(bands),
            drawing=drawing,
            **kwargs,
        )


class WaitingTimesView(PermissionMixin, TemplateView):
    """Days from registration to the first school day over the last twelve months."""

    permission_required = "schooling.view_pupil"
    template_name = "schooling/waiting_times.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        centre = centre_for(self.request.user, Role.NEWCOMER_COUNSELLOR)
        months = service.waiting_times(centre)
        labels = [date_format(m.month, "YEAR_MONTH_FORMAT") for m in months]
        chart = {
            "labels": labels,
            "series": [
                {
                    "label": _("Median days until school start"),
                    "values": [m.median for m in months],
                },
                {"label": _("90th percentile of days"), "values": [m.p90 for m in months]},
                {"label": _("Still waiting at month end"), "values": [m.waiting for m in months]},
            ],
        }
        return super().get_context_data(
            centre=centre, months=list(zip(labels, months, strict=True)), chart=chart, **kwargs
        )
