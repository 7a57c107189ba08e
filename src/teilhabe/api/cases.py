"""The case list as JSON, for case managers: the same cases, filters and order as the page.

No name search here: a name in a URL ends up in server logs and browser histories, which is
why the page takes it by POST. Reading a case file is not an API endpoint (the access log
records reads of case files page by page).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from teilhabe.cases import listing
from teilhabe.cases.forms import CaseFilterForm
from teilhabe.cases.models import Case, LegalDomain, LifeArea
from teilhabe.core.pagination import WindowCountPaginator


class CanViewCases(BasePermission):
    """The permission of the case list page (``cases.view_case``)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user.is_authenticated and request.user.has_perm("cases.view_case"))


class CaseSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField()
    name = serializers.CharField(source="person.__str__")
    phase = serializers.CharField()
    phase_label = serializers.CharField(source="get_phase_display")
    bezirk = serializers.CharField(source="case_area.name", default=None)
    gemeinde = serializers.CharField(source="person.municipality.name", default=None)
    opened_on = serializers.DateField()
    priority = serializers.IntegerField()
    is_hardship = serializers.BooleanField()
    case_manager = serializers.CharField(source="case_manager.get_full_name", default=None)
    needs = serializers.ListField(child=serializers.CharField())
    url = serializers.SerializerMethodField()

    def get_url(self, case: Case) -> str:
        return listing.case_url_maker()(case.pk)


def case_row(values: dict[str, Any], case_url: Callable[[int], str]) -> dict[str, Any]:
    """One row of the JSON list, as ``CaseSerializer`` describes it (``listing.ROW_COLUMNS``)."""
    return {
        "id": values["pk"],
        "reference": values["reference"],
        "name": listing.person_name(values),
        "phase": values["phase"],
        "phase_label": str(Case.Phase(values["phase"]).label),
        "bezirk": values["case_area__name"],
        "gemeinde": values["person__municipality__name"],
        "opened_on": values["opened_on"].isoformat() if values["opened_on"] else None,
        "priority": values["priority"],
        "is_hardship": values["is_hardship"],
        "case_manager": listing.manager_name(values),
        "needs": list(values["needs"] or []),
        "url": case_url(values["pk"]),
    }


class CasePagination(PageNumberPagination):
    django_paginator_class = WindowCountPaginator  # the page's ids and the total in one query
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


PHASES = ["open", "waiting", *Case.Phase.values]
FILTERS = [
    OpenApiParameter(
        "phase",
        str,
        enum=PHASES,
        description="open (default: every phase but closed), waiting (no case manager), a phase",
    ),
    OpenApiParameter("case_area", int, description="Bezirk (id)"),
    OpenApiParameter("municipality", int, description="Gemeinde of the person (id)"),
    OpenApiParameter("need", str, enum=LifeArea.values, description="Current need"),
    OpenApiParameter("legal_domain", str, enum=LegalDomain.values),
    OpenApiParameter("agency", int, description="Responsible agency (network actor id)"),
    OpenApiParameter("priority", int, enum=Case.Priority.values),
    OpenApiParameter("mine", bool, description="Only the user's own cases"),
    OpenApiParameter(
        "sort", str, enum=[k for key in listing.SORT_FIELDS for k in (key, f"-{key}")]
    ),
]


class CaseListAPI(ListAPIView):
    """Cases the user may see, 25 per page with the total; filters as on the case list."""

    permission_classes = [CanViewCases]
    serializer_class = CaseSerializer
    pagination_class = CasePagination

    @extend_schema(parameters=FILTERS, summary="List the cases the user may see")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        """The page's ids (with the total), then their rows as plain values in one query.

        Model instances and a DRF serializer per row cost more CPU than the SQL here; the
        rows are the serializer's shape (a test compares them).
        """
        ids = self.paginate_queryset(self.get_queryset().values_list("pk", flat=True))
        assert ids is not None  # noqa: S101 - the view always paginates
        case_url = listing.case_url_maker()
        rows = [case_row(row, case_url) for row in listing.rows_of(ids)]
        return self.get_paginated_response(rows)

    def get_queryset(self) -> Any:
        params = self.request.query_params
        form = CaseFilterForm(params or None, user=self.request.user)
        if params and not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        data = form.cleaned_data if params else {}
        phase = data.get("phase") or ("open" if "phase" not in params else "")
        sort = params.get("sort", listing.DEFAULT_SORT)
        if sort.lstrip("-") not in listing.SORT_FIELDS:
            raise ValidationError({"sort": [f"unknown sort key {sort!r}"]})
        qs = listing.visible_cases(self.request.user, data, phase=phase)
        return listing.sort_by(qs, sort)
