"""Views of the case file. Each fetches through ``visible_to``, calls one service, renders."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from teilhabe.core.audit import log_access
from teilhabe.core.pagination import WindowCountPaginator
from teilhabe.core.roles import Role
from teilhabe.core.views import (
    PermissionMixin,
    SessionSearchMixin,
    SortableListMixin,
    centre_for,
    error_text,
    form_error,
)

from . import listing, sections, services
from .forms import (
    ActionForm,
    AgencyForm,
    AppointmentForm,
    AssessmentForm,
    AssignForm,
    CaseFilterForm,
    CaseForm,
    CloseForm,
    ConferenceForm,
    ConsentForm,
    ContactForm,
    GoalForm,
    HouseholdMemberForm,
    IntakeForm,
    LanguageForm,
    MinutesForm,
    PersonEditForm,
    ReferralAnswerForm,
    ReferralForm,
    ResidenceForm,
    SearchForm,
    SystemGapForm,
)
from .models import (
    Action,
    AgencyResponsibility,
    Case,
    CaseConference,
    Consent,
    Contact,
    Goal,
    LifeArea,
    NeedAssessment,
    Person,
    PersonLanguage,
    Referral,
)

# --- The list -------------------------------------------------------------------------------


class CaseListView(PermissionMixin, SessionSearchMixin, SortableListMixin, ListView):
    """Cases the user may see: filters in the URL, the name search only in the session (POST).

    The list pages through the ids of the cases (with the total in the same query); the
    page's rows are then read as plain values (``listing.page_rows``), as the JSON list does,
    instead of as cases with their relations.
    """

    permission_required = "cases.view_case"
    search_key = "cases.search"
    search_form_class = SearchForm
    template_name = "cases/case_list.html"
    paginate_by = 25
    paginator_class = WindowCountPaginator
    default_sort = listing.DEFAULT_SORT
    sort_fields = listing.SORT_FIELDS

    def get_queryset(self) -> QuerySet[Case]:
        user = self.request.user
        self.filter_form = CaseFilterForm(
            self.request.GET or None, user=user, initial={"phase": "open"}
        )
        data = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        self.phase = data.get("phase") or ("open" if not self.request.GET else "")
        qs = listing.visible_cases(user, data, phase=self.phase, search=self.search)
        return self.sort_queryset(qs).values_list("pk", flat=True)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(
            **self.sort_context(),
            filter_form=self.filter_form,
            **self.search_context(),
            phase=self.phase,
            **kwargs,
        )
        context["rows"] = listing.page_rows(context["object_list"])
        return context


# --- Intake ---------------------------------------------------------------------------------


class IntakeView(PermissionMixin, FormView):
    permission_required = "cases.add_case"
    template_name = "cases/intake.html"
    form_class = IntakeForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            self.centre = centre_for(request.user, Role.CASE_MANAGER)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "centre": self.centre}

    def form_valid(self, form: IntakeForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            case = services.open_case(
                self.request.user,
                self.centre,
                person=form.person_data(),
                case_area=data["case_area"],
                priority=data["priority"],
                is_hardship=data["is_hardship"],
                summary=data["summary"],
                assign_to=self.request.user if data["take_over"] else None,
                confirmed_new_person=data["confirmed_new_person"],
            )
        except services.PossibleDuplicate as duplicate:
            form.add_error(None, duplicate)
            # The next submit confirms that the person is someone else.
            form.data = form.data.copy()
            form.data["confirmed_new_person"] = "on"
            return self.render_to_response(
                self.get_context_data(form=form, duplicates=self._matches(duplicate))
            )
        except ValidationError as error:
            form_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Case %(ref)s has been opened.") % {"ref": case.reference})
        return redirect("cases:case-detail", pk=case.pk)

    def _matches(self, duplicate: services.PossibleDuplicate) -> list[dict[str, Any]]:
        """Describe each possible match; a case the user may open gets a link."""
        rows = []
        visible = set(Case.objects.visible_to(self.request.user).values_list("pk", flat=True))
        for match in duplicate.matches:
            cases = list(match.person.cases.all())
            rows.append(
                {
                    "person": match.person,
                    "same_birth_date": match.same_birth_date,
                    "cases": [(c, c.pk in visible) for c in cases],
                }
            )
        return rows


# --- The case file --------------------------------------------------------------------------


class CaseMixin(LoginRequiredMixin):
    """Fetch the case of the URL through ``visible_to`` (else 404) and check the permission.

    ``model`` names what the URL's pk is: a case, or a row of a case (goal, action, consent …).
    """

    permission = "cases.change_case"
    model: type = Case
    #: Rows of the case the view reads, joined into the one fetch (the access log needs the
    #: centre); for a row of a case they are followed through its ``case``.
    case_related: tuple[str, ...] = ("centre",)
    request: HttpRequest
    kwargs: dict[str, Any]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()  # type: ignore[attr-defined]
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        self.object = self.get_target(request.user, kwargs["pk"])
        self.case = self.object if isinstance(self.object, Case) else self.object.case
        if not request.user.has_perm(self.permission, self.case):
            raise PermissionDenied
        if request.method == "GET":
            # Every page of the case file shows personal data: each read is logged.
            log_access(request, self.case, centre=self.case.centre)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def get_target(self, user: Any, pk: int) -> Any:
        related = self.case_related
        if self.model is not Case:
            related = ("case", *(f"case__{name}" for name in related))
        found = sections.visible_row(self.model, tuple(related), user, pk)
        if found is None:
            raise Http404(f"No {self.model._meta.object_name} matches the given query.")
        return found

    def case_url(self, anchor: str = "") -> str:
        url = reverse("cases:case-detail", args=[self.case.pk])
        return f"{url}#{anchor}" if anchor else url


class CaseDetailView(CaseMixin, TemplateView):
    """The case file: every section read once, in one query each, for one render."""

    permission = "cases.view_case"
    template_name = "cases/case_detail.html"
    case_related = ("centre", "person__municipality", "case_manager", "case_area")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        case = self.case
        person = case.person
        assessments = sections.assessments(case=case.pk)
        # One read of the steps: a goal's steps go under it, the others below the goals.
        steps: dict[int | None, list[Action]] = {}
        for action in sections.actions(case=case.pk):
            steps.setdefault(action.goal_id, []).append(action)
        household = (
            sections.household(household=person.household_id, person=person.pk)
            if person.household_id
            else []
        )
        # The latest contacts with the count of all of them, in one query.
        contacts = sections.latest_contacts(case=case.pk)
        # The conferences with the names of their agencies, in one query.
        conferences: dict[int, tuple[CaseConference, list[str]]] = {}
        for conference in sections.conferences(case=case.pk):
            _, names = conferences.setdefault(conference.pk, (conference, []))
            if conference.agency_name is not None:
                names.append(conference.agency_name)
        matches = services.find_duplicates(
            case.centre,
            last_name=person.last_name,
            first_name=person.first_name,
            birth_date=person.birth_date,
            exclude=person,
        )
        return super().get_context_data(
            case=case,
            person=person,
            languages=sections.languages(person=person.pk),
            residences=sections.residence_statuses(person=person.pk),
            agencies=sections.agencies(person=person.pk),
            household=household,
            consents=sections.consents(person=person.pk),
            assessments=assessments,
            chart=needs_chart(assessments),
            plan=[(goal, steps.get(goal.pk, [])) for goal in sections.goals(case=case.pk)],
            loose_actions=steps.get(None, []),
            contacts=self.contact_rows(contacts),
            contact_count=contacts[0].total if contacts else 0,
            appointments=list(case.appointments.filter(starts__gte=timezone.now())),
            referrals=sections.referrals(case=case.pk),
            conferences=list(conferences.values()),
            handovers=sections.handovers(case=case.pk),
            phase_changes=sections.phase_changes(case=case.pk),
            documents=sections.documents(case=case.pk),
            duplicates=[m for m in matches if m.person.merged_into_id is None],
            next_phases=[Case.Phase(p) for p in services.PHASE_STEPS.get(case.phase, ())],
            goal_form=GoalForm(),
            # the choices of every goal's status field, translated once for all goals
            goal_statuses=[(value, str(label)) for value, label in Goal.Status.choices],
            Phase=Case.Phase,
            **kwargs,
        )

    @staticmethod
    def contact_rows(contacts: list[Contact]) -> list[tuple[Contact, str, str, str]]:
        """Return each contact with its channel, its themes and its notes as the page shows them.

        The channel is ``get_channel_display``, the themes are the minutes per theme ("Arbeit
        (30), Sprache (15)", or "–"), the notes are cut after 30 words (``truncatewords``):
        with the labels translated once for all rows, and without three template nodes per
        theme and a filter per row.
        """
        channels = {value: str(label) for value, label in Contact.Channel.choices}
        areas = {value: str(label) for value, label in LifeArea.choices}
        return [
            (
                contact,
                channels.get(contact.channel, contact.channel),
                ", ".join(
                    f"{areas.get(area, area)} ({minutes})"
                    for area, minutes in contact.themes.items()
                )
                or "–",
                Truncator(contact.notes).words(30, truncate=" …"),
            )
            for contact in contacts
        ]


def needs_chart(assessments: list[NeedAssessment]) -> dict[str, Any]:
    """Return the scores per life area over time, for the chart and its table."""
    labels = [a.assessed_on.isoformat() for a in assessments]
    series = []
    for area, label in LifeArea.choices:
        values = [a.scores.get(area) for a in assessments]
        if any(v is not None for v in values):
            series.append({"area": area, "label": str(label), "values": values})
    return {"labels": labels, "series": series}


class CaseFormPageView(CaseMixin, FormView):
    """A form page of the case file; ``perform`` calls the service."""

    template_name = "cases/case_form.html"
    title: Any = ""
    intro: Any = ""
    anchor = ""
    success_message: Any = gettext_lazy("Saved.")
    submit_label: Any = gettext_lazy("Save")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        if "case" in self.form_class.__init__.__code__.co_varnames:
            kwargs["case"] = self.case
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            case=self.case,
            title=self.title,
            intro=self.intro,
            submit_label=self.submit_label,
            **kwargs,
        )

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            self.perform(form)
        except ValidationError as error:
            form_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, str(self.success_message))
        return redirect(self.case_url(self.anchor))

    def perform(self, form: Any) -> None:
        raise NotImplementedError


class CaseActionView(CaseMixin, View):
    """A POST action on the case file: the service's refusal comes back as a message."""

    anchor = ""
    success_message: Any = gettext_lazy("Saved.")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            self.perform(request.POST)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, str(self.success_message))
        return redirect(self.case_url(self.anchor))

    def perform(self, data: Any) -> None:
        raise NotImplementedError


class CaseUpdateView(CaseMixin, TemplateView):
    """Edit person and case together; a colleague's save in between is shown, not lost."""

    template_name = "cases/case_update.html"

    def fresh(self, model: type, pk: int) -> Any:
        """Return a fresh copy of a row the view already holds (the forms change their copy)."""
        return model.objects.visible_to(self.request.user).get(pk=pk)

    def forms(self, data: Any = None) -> tuple[PersonEditForm, CaseForm]:
        person = self.case.person
        centre = self.case.centre
        return (
            PersonEditForm(
                data,
                instance=self.fresh(Person, person.pk) if data else person,
                centre=centre,
                prefix="person",
                initial={"version": person.version},
            ),
            CaseForm(
                data,
                instance=self.fresh(Case, self.case.pk) if data else self.case,
                centre=centre,
                prefix="case",
                initial={"version": self.case.version},
            ),
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        if "person_form" not in kwargs:
            kwargs["person_form"], kwargs["case_form"] = self.forms()
        return super().get_context_data(case=self.case, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        person_form, case_form = self.forms(request.POST)
        if not (person_form.is_valid() and case_form.is_valid()):
            return self.render_to_response(
                self.get_context_data(person_form=person_form, case_form=case_form)
            )
        conflicts: dict[str, Any] = {}
        try:
            from django.db import transaction

            with transaction.atomic():
                services.update_person(
                    request.user,
                    self.case.person,
                    case=self.case,
                    version=person_form.cleaned_data["version"],
                    **{n: person_form.cleaned_data[n] for n in services.PERSON_FIELDS},
                )
                services.update_case(
                    request.user,
                    self.case,
                    version=case_form.cleaned_data["version"],
                    **{n: case_form.cleaned_data[n] for n in services.CASE_FIELDS},
                )
        except services.EditConflict as conflict:
            conflicts = self._conflicts(conflict, person_form, case_form)
        except ValidationError as error:
            form_error(case_form, error)
            return self.render_to_response(
                self.get_context_data(person_form=person_form, case_form=case_form)
            )
        if conflicts:
            return self.render_to_response(
                self.get_context_data(
                    person_form=person_form,
                    case_form=case_form,
                    conflicts=conflicts,
                    conflict_message=_(
                        "Someone else changed this case while you were editing it. Where their "
                        "values differ from yours, both are shown: choose and save again."
                    ),
                ),
                status=409,
            )
        messages.success(request, _("The case has been saved."))
        return redirect(self.case_url())

    def _conflicts(self, conflict: Any, person_form: Any, case_form: Any) -> dict[str, Any]:
        """Return the fields where the stored value differs from the user's, with both values.

        The forms get the stored version, so saving again takes the user's (merged) values.
        """
        person = self.fresh(Person, self.case.person_id)
        case = self.fresh(Case, self.case.pk)
        differences: dict[str, Any] = {}
        data = person_form.data.copy()
        for form, stored, fields in (
            (person_form, person, services.PERSON_FIELDS),
            (case_form, case, services.CASE_FIELDS),
        ):
            data[form.add_prefix("version")] = stored.version
            form.data = data
            for name in fields:
                theirs = getattr(stored, name)
                mine = form.cleaned_data.get(name)
                if _comparable(theirs) != _comparable(mine):
                    differences[form.add_prefix(name)] = {
                        "label": form.fields[name].label,
                        "theirs": _display(stored, name),
                    }
        return differences


def _comparable(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, list | tuple) or type(value).__name__ == "MultipleCountriesDescriptor":
        return sorted(str(getattr(v, "code", v)) for v in value)
    if hasattr(value, "code"):  # a country
        return value.code
    if value is None:
        return ""
    return str(value)


def _display(obj: Any, name: str) -> str:
    value = getattr(obj, name)
    if hasattr(value, "code"):  # a country
        return str(value.name) or "–"
    if isinstance(value, list | tuple) or name == "nationalities":
        return ", ".join(str(getattr(v, "name", v)) for v in value) or "–"
    display = getattr(obj, f"get_{name}_display", None)
    if display is not None and not isinstance(value, list):
        return str(display()) or "–"
    if isinstance(value, list | tuple):
        return ", ".join(str(getattr(v, "name", v)) for v in value) or "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    return str(value) if value not in (None, "") else "–"


class AssignView(CaseFormPageView):
    form_class = AssignForm
    title = gettext_lazy("Assign the case")
    intro = gettext_lazy(
        "From the waiting list to a case manager, or from one case manager to another with a "
        "handover note."
    )
    success_message = gettext_lazy("The case has been assigned.")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "case_managers": services.case_managers(self.case.centre),
        }

    def perform(self, form: AssignForm) -> None:
        services.assign_case(
            self.request.user,
            self.case,
            case_manager=form.cleaned_data["case_manager"],
            note=form.cleaned_data["note"],
        )


class PhaseView(CaseActionView):
    success_message = gettext_lazy("The phase has been changed.")

    def perform(self, data: Any) -> None:
        services.change_phase(
            self.request.user, self.case, to=data.get("to", ""), reason=data.get("reason", "")
        )


class CloseView(CaseFormPageView):
    form_class = CloseForm
    template_name = "cases/case_close.html"
    title = gettext_lazy("Close the case")
    success_message = gettext_lazy("The case has been closed.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from .retention import erase_date

        return super().get_context_data(
            preview=services.closing_preview(self.case),
            erase_on=erase_date(self.case.centre, timezone.localdate()),
            **kwargs,
        )

    def perform(self, form: CloseForm) -> None:
        services.close_case(
            self.request.user,
            self.case,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )


class ReopenView(CaseActionView):
    success_message = gettext_lazy("The case has been reopened.")

    def perform(self, data: Any) -> None:
        services.reopen_case(self.request.user, self.case, reason=data.get("reason", ""))


class AssessmentView(CaseFormPageView):
    form_class = AssessmentForm
    template_name = "cases/assessment_form.html"
    title = gettext_lazy("Needs assessment")
    anchor = "needs"
    success_message = gettext_lazy("The assessment has been saved.")

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {"assessed_on": timezone.localdate()}
        last = self.case.assessments.last()
        if last is not None:
            initial.update({f"score_{a}": s for a, s in last.scores.items()})
        return initial

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(scale=NeedAssessment.SCALE, **kwargs)

    def perform(self, form: AssessmentForm) -> None:
        services.record_assessment(
            self.request.user,
            self.case,
            scores=form.scores(),
            assessed_on=form.cleaned_data["assessed_on"],
            note=form.cleaned_data["note"],
        )


class GoalCreateView(CaseActionView):
    anchor = "help-plan"
    success_message = gettext_lazy("The goal has been added.")

    def perform(self, data: Any) -> None:
        form = GoalForm(data)
        if not form.is_valid():
            raise ValidationError(_("Please choose a life area and describe the goal."))
        services.add_goal(self.request.user, self.case, **form.cleaned_data)


class GoalStatusView(CaseActionView):
    model = Goal
    anchor = "help-plan"
    success_message = gettext_lazy("The goal has been updated.")

    def perform(self, data: Any) -> None:
        services.set_goal_status(self.request.user, self.object, status=data.get("status", ""))


class ActionCreateView(CaseFormPageView):
    form_class = ActionForm
    title = gettext_lazy("Agree a step")
    anchor = "help-plan"
    success_message = gettext_lazy("The step has been added to the help plan.")

    def perform(self, form: ActionForm) -> None:
        services.add_action(self.request.user, self.case, **form.cleaned_data)


class ActionDoneView(CaseActionView):
    model = Action
    anchor = "help-plan"
    success_message = gettext_lazy("The step is done.")

    def perform(self, data: Any) -> None:
        services.complete_action(self.request.user, self.object)


class ContactCreateView(CaseFormPageView):
    form_class = ContactForm
    template_name = "cases/contact_form.html"
    title = gettext_lazy("Record a contact")
    anchor = "contacts"
    success_message = gettext_lazy("The contact has been recorded.")

    def get_initial(self) -> dict[str, Any]:
        return {"date": timezone.localdate()}

    def perform(self, form: ContactForm) -> None:
        data = form.cleaned_data
        services.record_contact(
            self.request.user,
            self.case,
            date=data["date"],
            duration=data["duration"],
            channel=data["channel"],
            themes=form.themes(),
            interpreter_language=data["interpreter_language"],
            notes=data["notes"],
        )


class AppointmentCreateView(CaseFormPageView):
    form_class = AppointmentForm
    title = gettext_lazy("Plan an appointment")
    anchor = "appointments"
    success_message = gettext_lazy("The appointment has been planned.")

    def perform(self, form: AppointmentForm) -> None:
        services.add_appointment(self.request.user, self.case, **form.cleaned_data)


class ResidenceCreateView(CaseFormPageView):
    form_class = ResidenceForm
    title = gettext_lazy("Record a residence status")
    intro = gettext_lazy("Earlier statuses stay in the history.")
    anchor = "person"

    def perform(self, form: ResidenceForm) -> None:
        services.add_residence_status(self.request.user, self.case, **form.cleaned_data)


class LanguageCreateView(CaseFormPageView):
    form_class = LanguageForm
    title = gettext_lazy("Add a language")
    anchor = "person"

    def perform(self, form: LanguageForm) -> None:
        services.add_language(self.request.user, self.case, **form.cleaned_data)


class HouseholdMemberCreateView(CaseFormPageView):
    form_class = HouseholdMemberForm
    title = gettext_lazy("Add a household member")
    anchor = "person"
    success_message = gettext_lazy("The household member has been added.")

    def perform(self, form: HouseholdMemberForm) -> None:
        services.add_household_member(self.request.user, self.case, **form.cleaned_data)


class AgencyCreateView(CaseFormPageView):
    form_class = AgencyForm
    title = gettext_lazy("Add a responsible agency")
    anchor = "person"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "centre": self.case.centre}

    def perform(self, form: AgencyForm) -> None:
        services.add_agency(self.request.user, self.case, **form.cleaned_data)


class PersonDetailRemoveView(CaseActionView):
    """Remove a language (``kind=language``) or an agency (``kind=agency``) of the person."""

    anchor = "person"
    success_message = gettext_lazy("Removed.")

    def perform(self, data: Any) -> None:
        model = {"language": PersonLanguage, "agency": AgencyResponsibility}.get(data.get("kind"))
        if model is None:
            raise ValidationError(_("Nothing to remove was chosen."))
        row = model.objects.visible_to(self.request.user).filter(
            pk=data.get("id") or 0, person=self.case.person_id
        )
        if not row:
            raise ValidationError(_("Nothing to remove was chosen."))
        services.remove_person_detail(self.request.user, self.case, row.get())


class ConsentCreateView(CaseFormPageView):
    form_class = ConsentForm
    title = gettext_lazy("Record a consent")
    intro = gettext_lazy(
        "Consent per purpose and receiving agency (§ 67b SGB X, Art. 7 DSGVO). From about 15 "
        "the young person consents, below that the legal guardian."
    )
    anchor = "consents"
    success_message = gettext_lazy("The consent has been recorded.")

    def get_initial(self) -> dict[str, Any]:
        return {"given_on": timezone.localdate()}

    def perform(self, form: ConsentForm) -> None:
        services.record_consent(self.request.user, self.case, **form.cleaned_data)


class ConsentWithdrawView(CaseActionView):
    model = Consent
    anchor = "consents"
    success_message = gettext_lazy("The consent has been withdrawn.")

    def get_target(self, user: Any, pk: int) -> Any:
        consent = get_object_or_404(Consent.objects.visible_to(user), pk=pk)
        case = (
            Case.objects.visible_to(user)
            .filter(person=consent.person_id)
            .order_by("-opened_on", "-pk")
            .first()
        )
        if case is None:
            raise PermissionDenied
        consent.case = case
        return consent

    def perform(self, data: Any) -> None:
        services.withdraw_consent(self.request.user, self.case, self.object)


class ReferralCreateView(CaseFormPageView):
    form_class = ReferralForm
    template_name = "cases/referral_form.html"
    title = gettext_lazy("Refer the person")
    anchor = "referrals"
    success_message = gettext_lazy("The referral has been sent.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            can_override=self.request.user.has_perm("cases.override_consent", self.case),
            **kwargs,
        )

    def perform(self, form: ReferralForm) -> None:
        services.send_referral(
            self.request.user, self.case, request=self.request, **form.cleaned_data
        )


class ReferralStatusView(CaseActionView):
    """The case manager moves a referral on (or cancels it)."""

    model = Referral
    anchor = "referrals"
    success_message = gettext_lazy("The referral has been updated.")

    def perform(self, data: Any) -> None:
        services.answer_referral(
            self.request.user,
            self.object,
            status=data.get("status", ""),
            answer=data.get("answer", ""),
        )


class ConferenceCreateView(CaseFormPageView):
    form_class = ConferenceForm
    template_name = "cases/referral_form.html"
    title = gettext_lazy("Plan a case conference")
    intro = gettext_lazy("Only agencies the person has consented to can be invited.")
    anchor = "conferences"
    success_message = gettext_lazy("The case conference has been planned.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            can_override=self.request.user.has_perm("cases.override_consent", self.case),
            **kwargs,
        )

    def perform(self, form: ConferenceForm) -> None:
        services.plan_conference(
            self.request.user, self.case, request=self.request, **form.cleaned_data
        )


class ConferenceView(CaseFormPageView):
    """A conference: who is invited, the agenda, and the minutes with the agreed steps."""

    model = CaseConference
    form_class = MinutesForm
    template_name = "cases/conference.html"
    anchor = "conferences"
    success_message = gettext_lazy(
        "The minutes have been saved; agreed steps are in the help plan."
    )

    def get_initial(self) -> dict[str, Any]:
        return {"minutes": self.object.minutes}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            conference=self.object,
            agreed=list(self.object.actions.select_related("agency")),
            **kwargs,
        )

    def perform(self, form: MinutesForm) -> None:
        steps = [services.AgreedStep(**step) for step in form.steps()]
        services.record_conference_minutes(
            self.request.user, self.object, minutes=form.cleaned_data["minutes"], steps=steps
        )


class SystemGapCreateView(CaseFormPageView):
    permission = "cases.report_system_gap"
    form_class = SystemGapForm
    title = gettext_lazy("Report a system gap")
    intro = gettext_lazy(
        "A structural barrier this case revealed, for the strategic coordination. It is kept "
        "without the case and must not name or identify the person."
    )
    success_message = gettext_lazy("Thank you: the system gap has been reported.")

    def perform(self, form: SystemGapForm) -> None:
        services.report_system_gap(self.request.user, self.case, **form.cleaned_data)


class MergeView(CaseActionView):
    anchor = "person"
    success_message = gettext_lazy("The records have been merged; the history of both is kept.")

    def perform(self, data: Any) -> None:
        other = (
            Person.objects.visible_to(self.request.user)
            .filter(pk=data.get("other") or 0, centre=self.case.centre_id)
            .first()
        )
        if other is None:
            raise ValidationError(_("Choose the record to merge."))
        services.merge_persons(self.request.user, self.case.person, other, case=self.case)


# --- Partner side ---------------------------------------------------------------------------


class PartnerReferralListView(PermissionMixin, ListView):
    """Referrals sent to the partner organisation the user works for."""

    permission_required = "cases.answer_referral"
    template_name = "cases/partner_referrals.html"
    paginate_by = 25

    def get_queryset(self) -> QuerySet[Referral]:
        qs = (
            Referral.objects.addressed_to(self.request.user)
            .select_related("case__person", "agency", "offer")
            .prefetch_related("offer__texts")
        )
        self.status = self.request.GET.get("status", "open")
        if self.status == "open":
            qs = qs.exclude(status__in=Referral.FINAL)
        elif self.status in Referral.Status.values:
            qs = qs.filter(status=self.status)
        return qs.order_by("-sent_on", "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        counts = dict(
            Referral.objects.addressed_to(self.request.user)
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        return super().get_context_data(
            status=self.status, statuses=Referral.Status.choices, counts=counts, **kwargs
        )


class PartnerReferralView(PermissionMixin, FormView):
    """One referral for the partner: what is needed, how to reach the person, the answer."""

    permission_required = "cases.answer_referral"
    template_name = "cases/partner_referral.html"
    form_class = ReferralAnswerForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            self.referral = get_object_or_404(
                Referral.objects.addressed_to(request.user).select_related(
                    "case__person", "agency", "offer"
                ),
                pk=kwargs["pk"],
            )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        log_access(request, self.referral, centre=self.referral.case.centre)
        return super().get(request, *args, **kwargs)

    def get_form(self, form_class: Any = None) -> ReferralAnswerForm:
        form = super().get_form(form_class)
        allowed = services.REFERRAL_ANSWERS.get(self.referral.status, set())
        form.fields["status"].choices = [
            (v, label) for v, label in Referral.Status.choices if v in allowed
        ]
        return form

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            referral=self.referral, person=self.referral.case.person, **kwargs
        )

    def form_valid(self, form: ReferralAnswerForm) -> HttpResponse:
        try:
            services.answer_referral(
                self.request.user,
                self.referral,
                status=form.cleaned_data["status"],
                answer=form.cleaned_data["answer"],
            )
        except ValidationError as error:
            form_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Your answer has been sent to the case manager."))
        return redirect("cases:partner-referral", pk=self.referral.pk)
