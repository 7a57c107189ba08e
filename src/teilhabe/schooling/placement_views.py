"""Views of the placement: run the optimiser, review its proposal row by row, place by hand."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from teilhabe.core.audit import log_access
from teilhabe.core.roles import Role
from teilhabe.core.views import PermissionMixin, centre_for

from . import placement
from .models import Proposal, ProposalItem, Pupil, School


def _error_text(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


def _pupil_url(pupil: Pupil) -> str:
    try:
        return reverse("schooling:pupil-detail", args=[pupil.pk])
    except NoReverseMatch:  # the pupil pages are optional for this module
        return reverse("schooling:proposal-list")


def _school_from(request: HttpRequest) -> School | None:
    value = request.POST.get("school", "")
    if not value.isdigit():
        return None
    return School.objects.visible_to(request.user).filter(pk=int(value)).first()


class ProposalListView(PermissionMixin, ListView):
    """The runs of the optimiser, newest first."""

    permission_required = "schooling.propose_placements"
    template_name = "schooling/proposal_list.html"
    paginate_by = 25

    def get_queryset(self) -> QuerySet[Proposal]:
        return (
            Proposal.objects.visible_to(self.request.user)
            .select_related("by", "centre")
            .annotate(
                pupils=Count("items"),
                proposed=Count("items", filter=Q(items__school__isnull=False)),
                still_open=Count("items", filter=Q(items__decision=ProposalItem.Decision.OPEN)),
                placed=Count(
                    "items",
                    filter=Q(
                        items__decision__in=[
                            ProposalItem.Decision.ACCEPTED,
                            ProposalItem.Decision.OVERRIDDEN,
                        ]
                    ),
                ),
            )
            .order_by("-created", "-pk")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        centre = centre_for(self.request.user, Role.NEWCOMER_COUNSELLOR)
        return super().get_context_data(waiting=placement.count_proposable(centre), **kwargs)


class ProposalCreateView(PermissionMixin, View):
    """Run the optimiser for the user's centre and show its proposal."""

    permission_required = "schooling.propose_placements"

    def post(self, request: HttpRequest) -> HttpResponse:
        centre = centre_for(request.user, Role.NEWCOMER_COUNSELLOR)
        try:
            proposal = placement.propose_placements(request.user, centre)
        except ValidationError as error:
            messages.error(request, _error_text(error))
            return redirect("schooling:proposal-list")
        messages.success(
            request, _("The optimiser has proposed school places. Please review them.")
        )
        return redirect("schooling:proposal-detail", pk=proposal.pk)


class ProposalMixin(PermissionMixin):
    """Fetch the proposal of the URL through ``visible_to`` (another centre: 404)."""

    permission_required = "schooling.propose_placements"

    def get_proposal(self, pk: int) -> Proposal:
        proposal = get_object_or_404(Proposal.objects.visible_to(self.request.user), pk=pk)
        if not self.request.user.has_perm(self.permission_required, proposal):
            raise PermissionDenied
        return proposal


class ProposalDetailView(ProposalMixin, TemplateView):
    """One proposal: a table per school, the pupils without a place, and the decisions."""

    template_name = "schooling/proposal_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        proposal = self.get_proposal(self.kwargs["pk"])
        # The page lists pupils by name: the read is logged once for the proposal.
        log_access(self.request, proposal, centre=proposal.centre)
        items = list(
            ProposalItem.objects.visible_to(self.request.user)
            .filter(proposal=proposal)
            .select_related("pupil", "school__municipality", "chosen_school")
            .prefetch_related("pupil__siblings")
            .order_by("school__name", "pupil__last_name", "pupil__first_name", "pk")
        )
        offers = placement.school_offers(proposal.centre, proposal.school_year)
        school_of = {item.pupil_id: item.school_id for item in items}
        today = timezone.localdate()
        per_school: dict[School, list[dict[str, Any]]] = defaultdict(list)
        unplaced: list[dict[str, Any]] = []
        for item in items:
            pupil = item.pupil
            row = {
                "item": item,
                "pupil": pupil,
                "days_waiting": pupil.days_waiting(today),
                "is_open": item.decision == ProposalItem.Decision.OPEN,
                "with_sibling": item.school_id is not None
                and any(school_of.get(s.pk) == item.school_id for s in pupil.siblings.all()),
                "preferred": item.school_id is not None
                and pupil.preferred_school_id == item.school_id,
                "options": [],
            }
            if row["is_open"]:
                row["options"] = [
                    (offer.school, offer.free[pupil.recommended_stage])
                    for offer in offers
                    if offer.school.form in pupil.recommended_forms
                    and offer.free.get(pupil.recommended_stage, 0) > 0
                    and offer.school.pk != item.school_id
                ]
            if item.school is not None:
                per_school[item.school].append(row)
            else:
                unplaced.append(row)
        decided = [
            i
            for i in items
            if i.decision in {ProposalItem.Decision.ACCEPTED, ProposalItem.Decision.OVERRIDDEN}
        ]
        placed_schools = sorted(
            {i.chosen_school or i.school for i in decided if (i.chosen_school or i.school)},
            key=lambda s: s.name,
        )
        proposed = [i for i in items if i.school_id is not None]
        return super().get_context_data(
            proposal=proposal,
            schools=sorted(per_school.items(), key=lambda pair: pair[0].name),
            unplaced=unplaced,
            total=len(items),
            proposed=len(proposed),
            total_distance=sum(i.distance_km or 0 for i in proposed),
            open_count=sum(1 for i in proposed if i.decision == ProposalItem.Decision.OPEN),
            placed_count=len(decided),
            placed_schools=placed_schools,
            decisions=ProposalItem.Decision,
            **kwargs,
        )


class ProposalItemDecideView(PermissionMixin, View):
    """Accept, override or reject one row of a proposal."""

    permission_required = "schooling.propose_placements"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        item = get_object_or_404(
            ProposalItem.objects.visible_to(request.user).select_related("pupil", "proposal"),
            pk=pk,
        )
        if not request.user.has_perm("schooling.change_pupil", item.pupil):
            raise PermissionDenied
        url = reverse("schooling:proposal-detail", args=[item.proposal_id])
        decision = request.POST.get("decision", "")
        if decision not in ProposalItem.Decision.values or decision == ProposalItem.Decision.OPEN:
            messages.error(request, _("Choose whether to accept, override or reject the proposal."))
            return redirect(f"{url}#item-{item.pk}")
        try:
            placement.decide_item(
                request.user,
                item,
                decision=decision,
                school=_school_from(request),
                reason=request.POST.get("reason", "")[:200],
            )
        except ValidationError as error:
            text = _error_text(error)
            if hasattr(error, "error_dict"):  # a missing field, not yet named per pupil
                text = f"{item.pupil.full_name}: {text}"
            messages.error(request, text)
        else:
            messages.success(
                request,
                {
                    ProposalItem.Decision.ACCEPTED: _("%(pupil)s has been placed."),
                    ProposalItem.Decision.OVERRIDDEN: _(
                        "%(pupil)s has been placed at the school you chose."
                    ),
                    ProposalItem.Decision.REJECTED: _(
                        "The proposal for %(pupil)s has been rejected; the pupil waits again."
                    ),
                }[decision]
                % {"pupil": item.pupil.full_name},
            )
        return redirect(f"{url}#item-{item.pk}")


class ProposalAcceptAllView(ProposalMixin, View):
    """Accept every open row that names a school; rows whose place is gone stay open."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        proposal = self.get_proposal(pk)
        accepted, failures = placement.accept_all(request.user, proposal)
        if accepted:
            messages.success(
                request, _("%(n)s proposed places have been accepted.") % {"n": accepted}
            )
        for failure in failures:
            messages.error(request, failure)
        if not accepted and not failures:
            messages.info(request, _("There is no open proposal with a school to accept."))
        return redirect("schooling:proposal-detail", pk=proposal.pk)


class PupilPlaceView(PermissionMixin, View):
    """Place a counselled pupil at a school chosen by hand on the pupil's page."""

    permission_required = "schooling.change_pupil"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        pupil = get_object_or_404(Pupil.objects.visible_to(request.user), pk=pk)
        if not request.user.has_perm(self.permission_required, pupil):
            raise PermissionDenied
        url = f"{_pupil_url(pupil)}#placement"
        school = _school_from(request)
        if school is None:
            messages.error(request, _("Choose a school with a free place."))
            return redirect(url)
        try:
            placement.place_by_hand(request.user, pupil, school=school)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                _("%(pupil)s has been placed at %(school)s.")
                % {"pupil": pupil.full_name, "school": school.name},
            )
        return redirect(url)
