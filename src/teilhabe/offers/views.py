"""Staff views of the offers directory: list, detail, form, texts, places, times, workflow."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, Count, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from teilhabe.core.views import (
    PermissionMixin,
    SortableListMixin,
    TenantFormView,
    TenantObjectMixin,
    centre_for,
    form_error,
)
from teilhabe.network.models import FieldOfAction
from teilhabe.network.permissions import EDITORS

from . import services
from .duplicates import find_candidates
from .forms import (
    LocationForm,
    OfferFilterForm,
    OfferForm,
    OfferSettingsForm,
    OpeningHoursForm,
    RubricForm,
    RubricRenameForm,
    TranslationForm,
)
from .models import (
    CONTENT_LANGUAGES,
    DuplicateDecision,
    Offer,
    OfferLocation,
    OfferText,
    OpeningHours,
    Rubric,
    stale_before_by_centre,
)
from .permissions import STEERING


class OfferListView(PermissionMixin, SortableListMixin, ListView):
    permission_required = "offers.view_offer"
    template_name = "offers/offer_list.html"
    paginate_by = 25
    default_sort = "-changed"
    sort_fields = {
        "title": ("sort_title",),
        "status": ("status", "sort_title"),
        "verified": ("last_verified",),
        "changed": ("updated",),
    }

    def get_queryset(self) -> QuerySet[Offer]:
        user = self.request.user
        towns = user.municipalities()
        rubrics = Rubric.objects.visible_to(user).order_by(
            "field_of_action", "centre", "position", "name"
        )
        self.filter_form = OfferFilterForm(
            self.request.GET or None, municipalities=towns, rubrics=rubrics
        )
        data = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        german = OfferText.objects.filter(offer=OuterRef("pk"), language="de")
        # Each centre has its own period after which an offer is due for checking.
        centres = sorted({m.centre_id for m in user.active_memberships() if m.centre_id})
        self.stale_cutoffs = stale_before_by_centre(centres)
        stale = Q(pk__in=[])
        for centre_id, cutoff in self.stale_cutoffs.items():
            stale |= Q(centre_id=centre_id, last_verified__lt=cutoff)
        qs = (
            Offer.objects.visible_to(user)
            .select_related("provider", "rubric")
            .prefetch_related("texts", "locations__municipality")
            .annotate(
                sort_title=Subquery(german.values("title")[:1]),
                due_for_check=ExpressionWrapper(stale, output_field=BooleanField()),
            )
        )
        if data.get("q"):
            qs = qs.filter(
                Q(texts__title__icontains=data["q"])
                | Q(texts__description__icontains=data["q"])
                | Q(provider__name__icontains=data["q"])
            ).distinct()
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("field"):
            qs = qs.filter(field_of_action=data["field"])
        if data.get("rubric"):
            qs = qs.filter(rubric=data["rubric"])
        if data.get("municipality"):
            qs = qs.filter(locations__municipality=data["municipality"]).distinct()
        if data.get("stale"):
            qs = qs.filter(stale)
        return self.sort_queryset(qs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            **self.sort_context(),
            filter_form=self.filter_form,
            can_add=self.request.user.has_perm("offers.change_offer"),
            can_steer=self.request.user.has_perm("offers.change_rubric"),
            **kwargs,
        )


class OfferDetailView(TenantObjectMixin, DetailView):
    permission_required = "offers.view_offer"
    model = Offer
    template_name = "offers/offer_detail.html"
    context_object_name = "offer"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        offer = self.object
        user = self.request.user
        statuses = offer.translation_status()
        languages = [(code, name, statuses[code]) for code, name in CONTENT_LANGUAGES]
        moves = [
            (to, Offer.Status(to).label)
            for (now, to), perm in services.TRANSITIONS.items()
            if now == offer.status and user.has_perm(perm, offer)
        ]
        return super().get_context_data(
            languages=languages,
            texts=offer.texts.all(),
            locations=offer.locations.select_related("municipality"),
            hours=offer.opening_hours.select_related("location"),
            moves=moves,
            stale=offer.is_stale(),
            can_change=user.has_perm("offers.change_offer", offer),
            location_form=LocationForm(centre=offer.centre),
            hours_form=OpeningHoursForm(offer=offer),
            translation_form=TranslationForm(),
            **kwargs,
        )


class OfferFormView(TenantFormView):
    permission_required = "offers.change_offer"
    template_name = "offers/offer_form.html"
    form_class = OfferForm
    model = Offer
    creator_roles = EDITORS

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(offer=self.object, **kwargs)

    def form_valid(self, form: OfferForm) -> HttpResponse:
        data = {name: form.cleaned_data[name] for name in services.OFFER_FIELDS}
        original = Offer.objects.get(pk=self.object.pk) if self.object else None
        try:
            offer = services.save_offer(
                self.request.user,
                self.centre,
                offer=original,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                **data,
            )
        except ValidationError as error:
            return self.service_error(form, error)
        messages.success(self.request, _("“%(name)s” has been saved.") % {"name": offer})
        return redirect("offers:offer-detail", pk=offer.pk)


class _OfferAction(TenantObjectMixin, View):
    """A POST on an offer's page; errors come back as a message on that page."""

    permission_required = "offers.change_offer"
    model = Offer

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        offer = self.get_object()
        try:
            text = self.act(request, offer)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if text:
                messages.success(request, text)
        return redirect("offers:offer-detail", pk=offer.pk)

    def act(self, request: HttpRequest, offer: Offer) -> str:
        raise NotImplementedError


class OfferStatusView(_OfferAction):
    def act(self, request: HttpRequest, offer: Offer) -> str:
        to = request.POST.get("to", "")
        if to not in Offer.Status.values:
            raise ValidationError(_("Unknown status."))
        services.change_status(request.user, offer, to=to)
        return _("The offer is now “%(status)s”.") % {"status": offer.get_status_display()}


class OfferConfirmView(_OfferAction):
    def act(self, request: HttpRequest, offer: Offer) -> str:
        services.confirm_offer(request.user, offer)
        return _("Thank you: the offer is marked as checked today.")


class TranslationSaveView(_OfferAction):
    def act(self, request: HttpRequest, offer: Offer) -> str:
        form = TranslationForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Please fill in language, title and description."))
        services.save_translation(request.user, offer, **form.cleaned_data)
        return _("The translation has been saved.")


class LocationAddView(_OfferAction):
    def act(self, request: HttpRequest, offer: Offer) -> str:
        form = LocationForm(request.POST, centre=offer.centre)
        if not form.is_valid():
            raise ValidationError(_("Please give at least the Gemeinde of the place."))
        services.add_location(request.user, offer, **form.cleaned_data)
        return _("The place has been added.")


class HoursAddView(_OfferAction):
    def act(self, request: HttpRequest, offer: Offer) -> str:
        form = OpeningHoursForm(request.POST, offer=offer)
        if not form.is_valid():
            raise ValidationError(
                _("Please give a weekday and a start before the end: %(errors)s")
                % {"errors": " ".join(e for errors in form.errors.values() for e in errors)}
            )
        services.add_opening_hours(request.user, offer, **form.cleaned_data)
        return _("The time has been added.")


class _PartRemoveView(View):
    """Remove a place or a time of an offer (POST)."""

    model: type
    remove: Any

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not request.user.has_perm("offers.change_offer"):
            raise PermissionDenied
        part = get_object_or_404(
            self.model.objects.visible_to(request.user).select_related("offer"), pk=pk
        )
        if not request.user.has_perm("offers.change_offer", part.offer):
            raise PermissionDenied
        type(self).remove(request.user, part)
        messages.success(request, _("Removed."))
        return redirect("offers:offer-detail", pk=part.offer_id)


class LocationRemoveView(PermissionMixin, _PartRemoveView):
    permission_required = "offers.change_offer"
    model = OfferLocation
    remove = services.remove_location


class HoursRemoveView(PermissionMixin, _PartRemoveView):
    permission_required = "offers.change_offer"
    model = OpeningHours
    remove = services.remove_opening_hours


class DuplicateListView(PermissionMixin, TemplateView):
    """Offers that look alike for the same place and people, to review as duplicate or not."""

    permission_required = "offers.view_offer"
    template_name = "offers/duplicates.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        offers = (
            Offer.objects.visible_to(user)
            .exclude(status=Offer.Status.ARCHIVED)
            .select_related("provider")
            .prefetch_related("texts", "locations__municipality")
            .order_by("-updated", "-pk")  # the centres' pairs in the same order on every page
        )
        by_centre: dict[int, list[Offer]] = {}
        for offer in offers:
            by_centre.setdefault(offer.centre_id, []).append(offer)
        candidates = [c for group in by_centre.values() for c in find_candidates(group)]
        decisions = {
            (d.first_id, d.second_id): d
            for d in DuplicateDecision.objects.visible_to(user).select_related("decided_by")
        }
        show = self.request.GET.get("zeige", "offen")
        rows = []
        for candidate in candidates:
            decision = decisions.get((candidate.a.pk, candidate.b.pk))
            if show == "offen" and decision is not None:
                continue
            rows.append((candidate, decision))
        page = Paginator(rows, 20).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page_obj=page,
            paginator=page.paginator,
            show=show,
            querystring=f"zeige={show}",
            verdicts=DuplicateDecision.Verdict.choices,
            can_decide=user.has_perm("offers.change_offer"),
            **kwargs,
        )


class DuplicateDecideView(PermissionMixin, View):
    permission_required = "offers.change_offer"

    def post(self, request: HttpRequest, pk: int, other: int) -> HttpResponse:
        visible = Offer.objects.visible_to(request.user)
        first = get_object_or_404(visible, pk=pk)
        second = get_object_or_404(visible, pk=other)
        try:
            score = float(request.POST.get("score", "0"))
            services.decide_duplicate(
                request.user,
                first,
                second,
                verdict=request.POST.get("verdict", ""),
                score=score,
                note=request.POST.get("note", "")[:300],
            )
        except (ValidationError, ValueError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("The decision has been kept."))
        return redirect(
            f"{reverse('offers:duplicates')}?zeige={request.POST.get('zeige', 'offen')}"
        )


# --- The centre's own rubrics and offer settings -------------------------------------------


class RubricListView(PermissionMixin, TemplateView):
    """The rubrics of every field of action: the defaults (read-only) and the centre's own."""

    permission_required = "offers.change_rubric"
    template_name = "offers/rubrics.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            self.centre = centre_for(request.user, *STEERING)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        rubrics = (
            Rubric.objects.for_centre(self.centre)
            .annotate(offer_count=Count("offers", filter=Q(offers__centre=self.centre)))
            .order_by("field_of_action", "centre", "position", "name")
        )
        by_field: dict[str, list[Rubric]] = {}
        for rubric in rubrics:
            by_field.setdefault(rubric.field_of_action, []).append(rubric)
        fields = [(value, label, by_field.get(value, [])) for value, label in FieldOfAction.choices]
        kwargs.setdefault("form", RubricForm())
        return super().get_context_data(centre=self.centre, fields=fields, **kwargs)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = RubricForm(request.POST)
        if form.is_valid():
            try:
                rubric = services.add_rubric(request.user, self.centre, **form.cleaned_data)
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(
                    request, _("The rubric “%(name)s” has been added.") % {"name": rubric}
                )
                return redirect("offers:rubrics")
        return self.render_to_response(self.get_context_data(form=form), status=200)


class _OwnRubricMixin(PermissionMixin):
    """One of the centre's own rubrics; a default one or another centre's answers 404."""

    permission_required = "offers.change_rubric"

    def get_rubric(self, request: HttpRequest, pk: int) -> Rubric:
        rubric = get_object_or_404(
            Rubric.objects.visible_to(request.user).filter(centre__isnull=False), pk=pk
        )
        if not request.user.has_perm(self.permission_required, rubric):
            raise PermissionDenied
        return rubric


class RubricRenameView(_OwnRubricMixin, TemplateView):
    template_name = "offers/rubric_form.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:  # type: ignore[override]
        rubric = self.get_rubric(request, pk)
        form = RubricRenameForm(initial={"name": rubric.name})
        return self.render_to_response(self.get_context_data(rubric=rubric, form=form))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        rubric = self.get_rubric(request, pk)
        form = RubricRenameForm(request.POST)
        if form.is_valid():
            try:
                services.rename_rubric(request.user, rubric, name=form.cleaned_data["name"])
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The rubric has been renamed."))
                return redirect("offers:rubrics")
        return self.render_to_response(self.get_context_data(rubric=rubric, form=form))


class RubricArchiveView(_OwnRubricMixin, View):
    """Archive an own rubric, or bring it back (POST ``archived`` = 1 or 0)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        rubric = self.get_rubric(request, pk)
        archived = request.POST.get("archived", "1") != "0"
        services.archive_rubric(request.user, rubric, archived=archived)
        if archived:
            text = _("The rubric “%(name)s” is archived; its offers keep it.")
        else:
            text = _("The rubric “%(name)s” can be chosen again.")
        messages.success(request, text % {"name": rubric})
        return redirect("offers:rubrics")


class OfferSettingsView(PermissionMixin, FormView):
    """What the own centre decides for its offers directory."""

    permission_required = "offers.change_settings"
    template_name = "offers/offer_settings.html"
    form_class = OfferSettingsForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            self.centre = centre_for(request.user, *STEERING)
            self.settings = services.settings_for(self.centre)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.settings}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from django.conf import settings

        return super().get_context_data(
            centre=self.centre, default_months=settings.OFFER_STALE_MONTHS, **kwargs
        )

    def form_valid(self, form: OfferSettingsForm) -> HttpResponse:
        try:
            services.save_offer_settings(
                self.request.user, self.centre, stale_months=form.cleaned_data["stale_months"]
            )
        except ValidationError as error:
            form_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The offer settings have been saved."))
        return redirect("offers:settings")
