"""Views of the actor registry: list, detail, form, contact persons."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from teilhabe.core.audit import log_access
from teilhabe.core.models import Municipality
from teilhabe.core.views import PermissionMixin, TenantObjectMixin, centre_for

from . import services
from .forms import ActorFilterForm, ActorForm, ContactForm
from .models import Actor, ContactPerson
from .permissions import EDITORS


class ActorListView(PermissionMixin, ListView):
    permission_required = "network.view_actor"
    template_name = "network/actor_list.html"
    paginate_by = 25
    sort_fields = {
        "name": ("name",),
        "kind": ("kind", "name"),
        "town": ("municipality__name", "name"),
        "changed": ("updated",),
    }

    def get_queryset(self) -> QuerySet[Actor]:
        user = self.request.user
        towns = Municipality.objects.filter(
            pk__in=[t.pk for c in user.centres() for t in c.municipalities()]
        )
        self.filter_form = ActorFilterForm(self.request.GET or None, municipalities=towns)
        qs = (
            Actor.objects.visible_to(user)
            .select_related("municipality", "parent")
            .annotate(contact_count=Count("contacts"))
        )
        data = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        if data.get("q"):
            qs = qs.filter(Q(name__icontains=data["q"]) | Q(description__icontains=data["q"]))
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("municipality"):
            qs = qs.filter(municipality=data["municipality"])
        if data.get("field"):
            # JSON containment is not on SQLite; the list of fields is short, so match the text.
            qs = qs.filter(fields_of_action__icontains=f'"{data["field"]}"')
        if not data.get("archived"):
            qs = qs.filter(is_active=True)
        sort = self.request.GET.get("sort", "name")
        self.sort = sort if sort.lstrip("-") in self.sort_fields else "name"
        fields = self.sort_fields[self.sort.lstrip("-")]
        if self.sort.startswith("-"):
            fields = tuple(f"-{f}" for f in fields)
        return qs.order_by(*fields, "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        params = self.request.GET.copy()
        params.pop("page", None)
        without_sort = params.copy()
        without_sort.pop("sort", None)
        return super().get_context_data(
            filter_form=self.filter_form,
            sort=self.sort,
            querystring=params.urlencode(),
            sort_base=without_sort.urlencode(),
            can_add=self.request.user.has_perm("network.change_actor"),
            **kwargs,
        )


class ActorDetailView(TenantObjectMixin, DetailView):
    permission_required = "network.view_actor"
    model = Actor
    template_name = "network/actor_detail.html"
    context_object_name = "actor"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        actor = self.object
        contacts = list(actor.contacts.all())
        if contacts:
            log_access(self.request, actor, centre=actor.centre)  # contact persons are people
        return super().get_context_data(
            contacts=contacts,
            children=actor.children.filter(is_active=True),
            can_change=self.request.user.has_perm("network.change_actor", actor),
            contact_form=ContactForm(),
            **kwargs,
        )


class ActorFormView(PermissionMixin, FormView):
    permission_required = "network.change_actor"
    template_name = "network/actor_form.html"
    form_class = ActorForm
    actor: Actor | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm(self.permission_required):
            return self.handle_no_permission()
        if "pk" in kwargs:
            self.actor = get_object_or_404(Actor.objects.visible_to(request.user), pk=kwargs["pk"])
            if not request.user.has_perm(self.permission_required, self.actor):
                raise PermissionDenied
            self.centre = self.actor.centre
        else:
            self.centre = centre_for(request.user, *EDITORS)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "centre": self.centre, "instance": self.actor}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(actor=self.actor, **kwargs)

    def form_valid(self, form: ActorForm) -> HttpResponse:
        data = {name: form.cleaned_data[name] for name in services.ACTOR_FIELDS}
        # The form worked on a copy; the service decides on the saved object.
        original = Actor.objects.get(pk=self.actor.pk) if self.actor else None
        try:
            actor = services.save_actor(self.request.user, self.centre, actor=original, **data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("“%(name)s” has been saved.") % {"name": actor})
        return redirect("network:actor-detail", pk=actor.pk)


class ActorArchiveView(TenantObjectMixin, View):
    permission_required = "network.change_actor"
    model = Actor

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        actor = self.get_object()
        active = request.POST.get("active") == "1"
        services.set_actor_active(request.user, actor, active=active)
        text = _("“%(name)s” is active again.") if active else _("“%(name)s” has been archived.")
        messages.success(request, text % {"name": actor})
        return redirect("network:actor-detail", pk=actor.pk)


class ContactCreateView(TenantObjectMixin, View):
    permission_required = "network.change_actor"
    model = Actor

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        actor = self.get_object()
        form = ContactForm(request.POST)
        if form.is_valid():
            services.add_contact(request.user, actor, **form.cleaned_data)
            messages.success(request, _("The contact person has been added."))
        else:
            errors = "; ".join(
                f"{form.fields[f].label}: {' '.join(e)}" if f in form.fields else " ".join(e)
                for f, e in form.errors.items()
            )
            messages.error(
                request, _("The contact person was not added: %(errors)s") % {"errors": errors}
            )
        return redirect("network:actor-detail", pk=actor.pk)


class ContactDeleteView(TenantObjectMixin, View):
    permission_required = "network.change_actor"
    model = ContactPerson

    def get_object(self, queryset: QuerySet | None = None) -> ContactPerson:
        contact = get_object_or_404(
            ContactPerson.objects.visible_to(self.request.user).select_related("actor"),
            pk=self.kwargs["pk"],
        )
        if not self.request.user.has_perm(self.permission_required, contact.actor):
            raise PermissionDenied
        return contact

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contact = self.get_object()
        actor_pk = contact.actor_id
        services.remove_contact(request.user, contact)
        messages.success(request, _("The contact person has been removed."))
        return redirect("network:actor-detail", pk=actor_pk)
