"""Views of the network: actors, working groups, meetings, agreements and who cooperates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from teilhabe.core.audit import log_access
from teilhabe.core.views import (
    PermissionMixin,
    SortableListMixin,
    TenantFormView,
    TenantObjectMixin,
)

from . import services
from .forms import (
    ActorFilterForm,
    ActorForm,
    AgreementForm,
    ContactForm,
    GraphFilterForm,
    GroupForm,
    GroupMemberForm,
    MeetingForm,
    PartnerActorForm,
    ReviewForm,
)
from .graph import cooperation_graph
from .models import (
    Actor,
    ActorChange,
    ContactPerson,
    CooperationAgreement,
    FollowUp,
    GroupMember,
    Meeting,
    WorkingGroup,
)
from .permissions import EDITORS


class ActorListView(PermissionMixin, SortableListMixin, ListView):
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
        towns = user.municipalities()
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
        return self.sort_queryset(qs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            **self.sort_context(),
            filter_form=self.filter_form,
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


class ActorFormView(TenantFormView):
    permission_required = "network.change_actor"
    template_name = "network/actor_form.html"
    form_class = ActorForm
    model = Actor
    creator_roles = EDITORS

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(actor=self.object, **kwargs)

    def form_valid(self, form: ActorForm) -> HttpResponse:
        data = {name: form.cleaned_data[name] for name in services.ACTOR_FIELDS}
        # The form worked on the object itself; the service gets a fresh copy to change.
        original = Actor.objects.get(pk=self.object.pk) if self.object else None
        try:
            actor = services.save_actor(self.request.user, self.centre, actor=original, **data)
        except ValidationError as error:
            return self.service_error(form, error)
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


class GroupListView(PermissionMixin, ListView):
    permission_required = "network.view_actor"
    template_name = "network/group_list.html"
    paginate_by = 25

    def get_queryset(self) -> QuerySet[WorkingGroup]:
        qs = WorkingGroup.objects.visible_to(self.request.user).annotate(
            member_count=Count("members", distinct=True),
            last_meeting=Max("meetings__date"),
        )
        self.kind = self.request.GET.get("kind", "")
        if self.kind in WorkingGroup.Kind.values:
            qs = qs.filter(kind=self.kind)
        return qs.order_by("-is_active", "name", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            kinds=WorkingGroup.Kind.choices,
            kind=self.kind,
            querystring=f"kind={self.kind}",
            can_add=self.request.user.has_perm("network.change_actor"),
            **kwargs,
        )


class GroupDetailView(TenantObjectMixin, DetailView):
    permission_required = "network.view_actor"
    model = WorkingGroup
    template_name = "network/group_detail.html"
    context_object_name = "group"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        group = self.object
        return super().get_context_data(
            members=group.members.select_related("actor"),
            meetings=group.meetings.annotate(
                attendee_count=Count("attendees", distinct=True),
                open_tasks=Count("follow_ups", filter=Q(follow_ups__done=False), distinct=True),
            ).order_by("-date", "-pk")[:20],
            can_change=self.request.user.has_perm("network.change_actor", group),
            member_form=GroupMemberForm(centre=group.centre),
            **kwargs,
        )


class GroupFormView(TenantFormView):
    permission_required = "network.change_actor"
    template_name = "network/group_form.html"
    form_class = GroupForm
    model = WorkingGroup
    creator_roles = EDITORS

    def get_initial(self) -> dict[str, Any]:
        group = self.object
        if group is None:
            return {"kind": WorkingGroup.Kind.WORKING_GROUP}
        return {
            "name": group.name,
            "kind": group.kind,
            "description": group.description,
            "fields_of_action": group.fields_of_action,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(group=self.object, **kwargs)

    def form_valid(self, form: GroupForm) -> HttpResponse:
        try:
            group = services.save_group(
                self.request.user, self.centre, group=self.object, **form.cleaned_data
            )
        except ValidationError as error:
            return self.service_error(form, error)
        messages.success(self.request, _("“%(name)s” has been saved.") % {"name": group})
        return redirect("network:group-detail", pk=group.pk)


class GroupMemberAddView(TenantObjectMixin, View):
    permission_required = "network.change_actor"
    model = WorkingGroup

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        group = self.get_object()
        form = GroupMemberForm(request.POST, centre=group.centre)
        if form.is_valid():
            services.add_group_member(request.user, group, **form.cleaned_data)
            messages.success(
                request, _("%(actor)s takes part.") % {"actor": form.cleaned_data["actor"]}
            )
        else:
            messages.error(request, _("Please choose an actor of the centre."))
        return redirect("network:group-detail", pk=group.pk)


class GroupMemberRemoveView(TenantObjectMixin, View):
    permission_required = "network.change_actor"
    model = GroupMember

    def get_object(self, queryset: QuerySet | None = None) -> GroupMember:
        member = get_object_or_404(
            GroupMember.objects.visible_to(self.request.user).select_related("group", "actor"),
            pk=self.kwargs["pk"],
        )
        if not self.request.user.has_perm(self.permission_required, member.group):
            raise PermissionDenied
        return member

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        member = self.get_object()
        services.remove_group_member(request.user, member)
        messages.success(request, _("%(actor)s no longer takes part.") % {"actor": member.actor})
        return redirect("network:group-detail", pk=member.group_id)


class MeetingCreateView(TenantObjectMixin, FormView):
    """Record a meeting of a group."""

    permission_required = "network.change_actor"
    model = WorkingGroup
    template_name = "network/meeting_form.html"
    form_class = MeetingForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm(self.permission_required):
            return self.handle_no_permission()
        self.group = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        members = Actor.objects.filter(group_memberships__group=self.group).order_by("name")
        return {
            **super().get_form_kwargs(),
            "centre": self.group.centre,
            "members": members if members.exists() else None,
        }

    def get_initial(self) -> dict[str, Any]:
        return {"date": timezone.localdate()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(group=self.group, **kwargs)

    def form_valid(self, form: MeetingForm) -> HttpResponse:
        meeting = services.record_meeting(self.request.user, self.group, **form.cleaned_data)
        messages.success(self.request, _("The meeting has been recorded."))
        return redirect("network:meeting-detail", pk=meeting.pk)


class MeetingDetailView(TenantObjectMixin, DetailView):
    permission_required = "network.view_actor"
    model = Meeting
    template_name = "network/meeting_detail.html"
    context_object_name = "meeting"

    def get_object(self, queryset: QuerySet | None = None) -> Meeting:
        meeting = get_object_or_404(
            Meeting.objects.visible_to(self.request.user).select_related("group"),
            pk=self.kwargs["pk"],
        )
        if not self.request.user.has_perm(self.permission_required, meeting.group):
            raise PermissionDenied
        return meeting

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            attendees=self.object.attendees.order_by("name"),
            follow_ups=self.object.follow_ups.select_related("responsible"),
            can_change=self.request.user.has_perm("network.change_actor", self.object.group),
            **kwargs,
        )


class FollowUpDoneView(TenantObjectMixin, View):
    permission_required = "network.change_actor"
    model = FollowUp

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        follow_up = get_object_or_404(
            FollowUp.objects.visible_to(request.user).select_related("meeting__group"), pk=pk
        )
        if not request.user.has_perm(self.permission_required, follow_up.meeting.group):
            raise PermissionDenied
        services.set_follow_up_done(request.user, follow_up, done=request.POST.get("done") == "1")
        return redirect("network:meeting-detail", pk=follow_up.meeting_id)


class AgreementListView(PermissionMixin, ListView):
    permission_required = "network.view_actor"
    template_name = "network/agreement_list.html"
    paginate_by = 25

    def get_queryset(self) -> QuerySet[CooperationAgreement]:
        return (
            CooperationAgreement.objects.visible_to(self.request.user)
            .prefetch_related("partners")
            .order_by(F("valid_until").asc(nulls_last=True), "title", "pk")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            can_add=self.request.user.has_perm("network.change_actor"), **kwargs
        )


class AgreementFormView(TenantFormView):
    permission_required = "network.change_actor"
    template_name = "network/agreement_form.html"
    form_class = AgreementForm
    model = CooperationAgreement
    creator_roles = EDITORS

    def get_initial(self) -> dict[str, Any]:
        a = self.object
        if a is None:
            return {"valid_from": timezone.localdate(), "remind_days": 90}
        return {
            "title": a.title,
            "partners": list(a.partners.all()),
            "valid_from": a.valid_from,
            "valid_until": a.valid_until,
            "remind_days": a.remind_days,
            "notes": a.notes,
        }

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "agreement": self.object}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(agreement=self.object, **kwargs)

    def form_valid(self, form: AgreementForm) -> HttpResponse:
        try:
            agreement = services.save_agreement(
                self.request.user, self.centre, agreement=self.object, **form.cleaned_data
            )
        except ValidationError as error:
            return self.service_error(form, error)
        messages.success(self.request, _("“%(name)s” has been saved.") % {"name": agreement})
        return redirect("network:agreement-list")


class CooperationGraphView(PermissionMixin, TemplateView):
    """Who cooperates with whom, as a drawing and as a table."""

    permission_required = "network.view_actor"
    template_name = "network/graph.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        towns = user.municipalities()
        form = GraphFilterForm(self.request.GET or None, municipalities=towns)
        data = form.cleaned_data if form.is_valid() else {}
        graph = cooperation_graph(
            Actor.objects.visible_to(user),
            field_of_action=data.get("field", ""),
            municipality=data.get("municipality"),
        )
        return super().get_context_data(
            filter_form=form, graph=graph, drawing=graph.layout(), **kwargs
        )


class OwnActorView(PermissionMixin, FormView):
    """A partner keeps its organisation's public data; changes wait for the centre's review."""

    permission_required = "network.propose_actor_change"
    template_name = "network/own_actor.html"
    form_class = PartnerActorForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            self.actor = services.partner_actor(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class: Any = None) -> PartnerActorForm | None:
        if self.actor is None:
            return None
        return PartnerActorForm(**self.get_form_kwargs(), centre=self.actor.centre)

    def get_initial(self) -> dict[str, Any]:
        if self.actor is None:
            return {}
        initial = {name: getattr(self.actor, name) for name in ActorChange.FIELDS}
        pending = self.actor.changes.filter(status=ActorChange.Status.PENDING).first()
        if pending:
            initial.update(pending.proposed)
        return initial

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        changes = self.actor.changes.all()[:5] if self.actor else []
        return super().get_context_data(actor=self.actor, changes=changes, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.actor is None:
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: PartnerActorForm) -> HttpResponse:
        try:
            services.propose_actor_change(self.request.user, self.actor, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Thank you. The integration centre reviews your changes before they go live."),
        )
        return redirect("network:own-actor")


class ChangeListView(PermissionMixin, ListView):
    """Partners' proposed changes, waiting ones first."""

    permission_required = "network.change_actor"
    template_name = "network/change_list.html"
    paginate_by = 25

    def get_queryset(self) -> QuerySet[ActorChange]:
        return (
            ActorChange.objects.visible_to(self.request.user)
            .select_related("actor", "proposed_by", "reviewed_by")
            .order_by(F("reviewed").desc(nulls_first=True), "-created", "-pk")
        )


class ChangeReviewView(TenantObjectMixin, View):
    permission_required = "network.change_actor"
    model = ActorChange

    def get_object(self, queryset: QuerySet | None = None) -> ActorChange:
        change = get_object_or_404(
            ActorChange.objects.visible_to(self.request.user).select_related("actor"),
            pk=self.kwargs["pk"],
        )
        if not self.request.user.has_perm(self.permission_required, change.actor):
            raise PermissionDenied
        return change

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        change = self.get_object()
        form = ReviewForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Please choose whether to approve or reject."))
            return redirect("network:change-list")
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.review_actor_change(
                request.user, change, approve=approve, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                (
                    _("The changes of “%(name)s” are live.")
                    if approve
                    else _("The proposal of “%(name)s” has been rejected.")
                )
                % {"name": change.actor},
            )
        return redirect("network:change-list")
