"""Partner organisations keep their own offers; every change waits for the centre's review."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView

from teilhabe.core.views import PermissionMixin
from teilhabe.network.services import partner_actor

from . import services
from .forms import OfferForm
from .models import Offer


class PartnerOfferForm(OfferForm):
    """The offer form without the provider: it is always the partner's own organisation."""

    class Meta(OfferForm.Meta):
        fields = [f for f in OfferForm.Meta.fields if f != "provider"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("provider", None)


class PartnerOfferListView(PermissionMixin, ListView):
    permission_required = "offers.propose_offer"
    template_name = "offers/partner_offers.html"
    paginate_by = 25

    def get_queryset(self) -> Any:
        return (
            services.partner_offers(self.request.user)
            .prefetch_related("texts", "locations__municipality")
            .order_by("-updated", "-pk")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(actor=partner_actor(self.request.user), **kwargs)


class PartnerOfferFormView(PermissionMixin, FormView):
    permission_required = "offers.propose_offer"
    template_name = "offers/partner_offer_form.html"
    form_class = PartnerOfferForm
    offer: Offer | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm(self.permission_required):
            return self.handle_no_permission()
        self.actor = partner_actor(request.user)
        if self.actor is None:
            raise PermissionDenied
        if "pk" in kwargs:
            self.offer = get_object_or_404(services.partner_offers(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "centre": self.actor.centre, "instance": self.offer}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(offer=self.offer, actor=self.actor, **kwargs)

    def form_valid(self, form: PartnerOfferForm) -> HttpResponse:
        data = {
            name: form.cleaned_data[name]
            for name in services.OFFER_FIELDS
            if name != "provider" and name in form.cleaned_data
        }
        original = Offer.objects.get(pk=self.offer.pk) if self.offer else None
        try:
            services.save_partner_offer(
                self.request.user,
                self.actor,
                offer=original,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                **data,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Thank you. The integration centre reviews the offer before it is published."),
        )
        return redirect("offers:partner-offers")
