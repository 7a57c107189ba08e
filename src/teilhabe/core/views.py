"""Views of the core: start page, staff, Bezirke, access log, statewide overview, statements."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, FormView, ListView, TemplateView
from django_scopes import scopes_disabled

from . import services, start
from .audit import log_access
from .forms import AccessLogFilterForm, CaseAreaForm, MemberForm
from .models import AccessLog, CaseArea, Centre, Membership
from .roles import Role


class PermissionMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Require log-in and a permission: anonymous users log in, others without it get 403."""


class TenantObjectMixin(PermissionMixin):
    """Fetch the object through ``visible_to`` (another centre: 404), then check the permission."""

    model: type

    def get_object(self, queryset: QuerySet | None = None) -> Any:
        obj = get_object_or_404(
            self.model.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
        )
        if not self.request.user.has_perm(self.permission_required, obj):
            raise PermissionDenied
        return obj


def centre_for(user: Any, *roles: str) -> Centre:
    """Return the centre where ``user`` holds one of ``roles`` (the first, if several)."""
    for membership in user.active_memberships():
        if membership.role in roles and membership.centre is not None:
            return membership.centre
    raise PermissionDenied


class TenantFormView(PermissionMixin, FormView):
    """Create (no ``pk``) or change (``pk``) a tenant object through a service.

    A role without the permission gets 403, an object of another centre 404, and an object the
    user sees but may not change 403. Forms receive the centre as ``centre``.
    """

    model: type
    #: Roles whose centre a new object is created in.
    creator_roles: tuple[str, ...] = ()
    object: Any = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm(self.permission_required):
            return self.handle_no_permission()
        if "pk" in kwargs:
            self.object = get_object_or_404(
                self.model.objects.visible_to(request.user), pk=kwargs["pk"]
            )
            if not request.user.has_perm(self.permission_required, self.object):
                raise PermissionDenied
            self.centre = self.object.centre
        else:
            self.centre = centre_for(request.user, *self.creator_roles)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "centre": self.centre}

    def service_error(self, form: Any, error: ValidationError) -> HttpResponse:
        """Show a service's refusal on the form, at the field it names where it has one."""
        form_error(form, error)
        return self.form_invalid(form)


def form_error(form: Any, error: ValidationError) -> None:
    """Put a service's refusal on the form, at the field it names where the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def error_text(error: ValidationError) -> str:
    """Return a service's refusal as one sentence for a message."""
    return " ".join(str(m) for m in error.messages)


class SessionSearchMixin:
    """A list's name search sent by POST and kept in the session: no names in URLs or logs.

    The POST stores the term (or clears it) and redirects to the list with its filters.
    """

    #: Session key of the term.
    search_key: str
    #: The form with the single field ``q``.
    search_form_class: type
    request: HttpRequest

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.search_form_class(request.POST)
        term = form.cleaned_data["q"].strip() if form.is_valid() else ""
        if term and "clear" not in request.POST:
            request.session[self.search_key] = term
        else:
            request.session.pop(self.search_key, None)
        query = request.GET.copy()
        query.pop("page", None)
        return redirect(f"{request.path}?{query.urlencode()}")

    @property
    def search(self) -> str:
        """Return the term searched for, or ""."""
        return self.request.session.get(self.search_key, "")

    def search_context(self) -> dict[str, Any]:
        return {
            "search_form": self.search_form_class(initial={"q": self.search}),
            "search": self.search,
        }


def sort_by(qs: QuerySet, sort_fields: dict[str, tuple[str, ...]], sort: str) -> QuerySet:
    """Order ``qs`` by the fields of the key ``sort`` (``-key``: descending), empty ones last."""
    descending = sort.startswith("-")
    order = [
        F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
        for name in sort_fields[sort.lstrip("-")]
    ]
    return qs.order_by(*order, "pk")


class SortableListMixin:
    """Sort a list by the ``sort`` parameter (``name`` or ``-name``), empty values last."""

    #: Sort keys of the page and the fields each sorts by.
    sort_fields: dict[str, tuple[str, ...]] = {}
    default_sort = "name"
    request: HttpRequest

    def sort_queryset(self, qs: QuerySet) -> QuerySet:
        sort = self.request.GET.get("sort", self.default_sort)
        self.sort = sort if sort.lstrip("-") in self.sort_fields else self.default_sort
        return sort_by(qs, self.sort_fields, self.sort)

    def sort_context(self) -> dict[str, Any]:
        """Return the current sort and the query string without sort and page."""
        params = self.request.GET.copy()
        params.pop("page", None)
        without_sort = params.copy()
        without_sort.pop("sort", None)
        return {
            "sort": self.sort,
            "querystring": params.urlencode(),
            "sort_base": without_sort.urlencode(),
        }


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        return super().get_context_data(
            panels=start.panels_for(user), memberships=user.active_memberships(), **kwargs
        )


class StaffListView(PermissionMixin, SortableListMixin, ListView):
    permission_required = "core.view_staff"
    template_name = "core/staff_list.html"
    paginate_by = 25
    sort_fields = {
        "name": ("user__last_name", "user__first_name"),
        "role": ("role", "user__last_name"),
        "since": ("created",),
    }

    def get_queryset(self) -> QuerySet[Membership]:
        qs = Membership.objects.visible_to(self.request.user).select_related("user", "centre")
        self.role = self.request.GET.get("role", "")
        if self.role in Role.values:
            qs = qs.filter(role=self.role)
        self.query = self.request.GET.get("q", "").strip()[:100]
        if self.query:
            qs = qs.filter(
                Q(user__last_name__icontains=self.query)
                | Q(user__first_name__icontains=self.query)
                | Q(user__email__icontains=self.query)
            )
        self.show_ended = self.request.GET.get("ended") == "1"
        if not self.show_ended:
            qs = qs.filter(is_active=True)
        return self.sort_queryset(qs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            **self.sort_context(),
            roles=Role.choices,
            role=self.role,
            query=self.query,
            show_ended=self.show_ended,
            can_add=self.request.user.has_perm("core.change_staff"),
            **kwargs,
        )


class StaffDetailView(TenantObjectMixin, DetailView):
    permission_required = "core.view_staff"
    model = Membership
    template_name = "core/staff_detail.html"
    context_object_name = "membership"

    def get_object(self, queryset: QuerySet | None = None) -> Membership:
        membership = super().get_object(queryset)
        log_access(self.request, membership.user, centre=membership.centre)
        return membership

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from .middleware import has_second_factor

        membership = self.object
        return super().get_context_data(
            other_roles=Membership.objects.visible_to(self.request.user)
            .filter(user=membership.user)
            .exclude(pk=membership.pk)
            .select_related("centre"),
            has_mfa=has_second_factor(membership.user),
            can_change=self.request.user.has_perm("core.change_staff", membership),
            **kwargs,
        )


class StaffCreateView(PermissionMixin, FormView):
    permission_required = "core.change_staff"
    template_name = "core/staff_form.html"
    form_class = MemberForm

    def get_form_kwargs(self) -> dict[str, Any]:
        self.centre = centre_for(self.request.user, Role.ADMINISTRATION)
        return {**super().get_form_kwargs(), "centre": self.centre}

    def form_valid(self, form: MemberForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            membership = services.add_member(
                self.request.user,
                self.centre,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=data["role"],
                case_areas=data["case_areas"],
                organisation=data["organisation"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(name)s now has the role “%(role)s”.")
            % {"name": membership.user, "role": membership.get_role_display()},
        )
        return redirect("core:staff-detail", pk=membership.pk)


class StaffEndView(TenantObjectMixin, View):
    permission_required = "core.change_staff"
    model = Membership

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        membership = self.get_object()
        try:
            services.end_membership(request.user, membership)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The role has been ended."))
        return redirect("core:staff-detail", pk=membership.pk)


class CaseAreaListView(PermissionMixin, ListView):
    permission_required = "core.view_case_area"
    template_name = "core/case_area_list.html"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[CaseArea]:
        return (
            CaseArea.objects.visible_to(self.request.user)
            .select_related("centre")
            .prefetch_related("municipalities")
            .annotate(members=Count("memberships", filter=Q(memberships__is_active=True)))
            .order_by("centre__name", "name", "pk")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            can_add=self.request.user.has_perm("core.change_case_area"), **kwargs
        )


class CaseAreaDetailView(TenantObjectMixin, DetailView):
    permission_required = "core.view_case_area"
    model = CaseArea
    template_name = "core/case_area_detail.html"
    context_object_name = "area"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            members=self.object.memberships.filter(is_active=True).select_related("user"),
            can_change=self.request.user.has_perm("core.change_case_area", self.object),
            **kwargs,
        )


class CaseAreaFormView(TenantFormView):
    permission_required = "core.change_case_area"
    template_name = "core/case_area_form.html"
    form_class = CaseAreaForm
    model = CaseArea
    creator_roles = (Role.ADMINISTRATION,)

    def get_initial(self) -> dict[str, Any]:
        if self.object is None:
            return {}
        return {
            "name": self.object.name,
            "description": self.object.description,
            "municipalities": list(self.object.municipalities.all()),
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(area=self.object, **kwargs)

    def form_valid(self, form: CaseAreaForm) -> HttpResponse:
        try:
            area = services.save_case_area(
                self.request.user, self.centre, case_area=self.object, **form.cleaned_data
            )
        except ValidationError as error:
            return self.service_error(form, error)
        messages.success(self.request, _("The Bezirk “%(name)s” has been saved.") % {"name": area})
        return redirect("core:case-area-detail", pk=area.pk)


class AccessLogView(PermissionMixin, ListView):
    """Search the log of reads and exports of personal data (data protection officer)."""

    permission_required = "core.view_access_log"
    template_name = "core/access_log.html"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[AccessLog]:
        types = (
            AccessLog.objects.visible_to(self.request.user)
            .values_list("content_type", flat=True)
            .distinct()
        )
        record_types = [
            (str(ct.pk), str(ct.model_class()._meta.verbose_name))
            for ct in ContentType.objects.filter(pk__in=list(types))
            if ct.model_class() is not None
        ]
        self.form = AccessLogFilterForm(self.request.GET or None, record_types=record_types)
        qs = AccessLog.objects.visible_to(self.request.user).select_related(
            "content_type", "centre"
        )
        if self.form.is_bound and self.form.is_valid():
            data = self.form.cleaned_data
            if data["user"]:
                qs = qs.filter(user_email__icontains=data["user"])
            if data["record_type"]:
                qs = qs.filter(content_type_id=data["record_type"])
            if data["object_id"]:
                qs = qs.filter(object_id=data["object_id"])
            if data["action"]:
                qs = qs.filter(action=data["action"])
            if data["date_from"]:
                qs = qs.filter(time__date__gte=data["date_from"])
            if data["date_to"]:
                qs = qs.filter(time__date__lte=data["date_to"])
        elif self.form.is_bound:
            return qs.none()
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        params = self.request.GET.copy()
        params.pop("page", None)
        return super().get_context_data(form=self.form, querystring=params.urlencode(), **kwargs)


class StatewideView(PermissionMixin, TemplateView):
    """Figures across all centres for LaKI: counts only, never a person."""

    permission_required = "core.view_statewide_figures"
    template_name = "core/statewide.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        with scopes_disabled():
            centres = list(
                Centre.objects.select_related("district__administrative_district")
                .annotate(
                    staff=Count(
                        "memberships", filter=Q(memberships__is_active=True), distinct=True
                    ),
                    areas=Count("case_areas", distinct=True),
                )
                .order_by("district__administrative_district__name", "name")
            )
        return super().get_context_data(centres=centres, **kwargs)


class AccessibilityView(TemplateView):
    template_name = "core/accessibility.html"


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer a load balancer: the app is up and reaches its database."""
    with scopes_disabled():
        Centre.objects.exists()
    return JsonResponse({"status": "ok"})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
