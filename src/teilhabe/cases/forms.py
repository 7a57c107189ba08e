"""Forms of the case file. They parse and explain; the rules are in ``services``."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from teilhabe.core.forms import DateInput
from teilhabe.core.generations import REFERENCE_DATA, kept
from teilhabe.core.models import CaseArea, Centre, Municipality, User
from teilhabe.network.models import Actor

from .models import (
    Action,
    AgencyResponsibility,
    Case,
    Consent,
    Contact,
    Goal,
    LegalDomain,
    LifeArea,
    NeedAssessment,
    Person,
    PersonLanguage,
    Referral,
    ResidenceStatus,
    SystemGap,
)
from .services import CASE_FIELDS, PERSON_FIELDS


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _agencies(centre: Centre) -> Any:
    return Actor.objects.for_centre(centre).filter(is_active=True).order_by("name")


class PersonForm(forms.ModelForm):
    """The person's data, at intake and later."""

    legal_domains = forms.MultipleChoiceField(
        label=_("Legal domains (Rechtskreise)"),
        choices=LegalDomain.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    municipality = forms.ModelChoiceField(
        label=_("Gemeinde"), queryset=Municipality.objects.none(), required=False
    )

    class Meta:
        model = Person
        fields = PERSON_FIELDS
        widgets = {
            "birth_date": DateInput(),
            "arrival_date": DateInput(),
        }

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = centre.municipalities().order_by("name")
        self.fields["nationalities"].widget.attrs["size"] = 6
        self.fields["nationalities"].help_text = _("Hold Ctrl to choose several.")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        today = datetime.date.today()
        born, arrived = data.get("birth_date"), data.get("arrival_date")
        if born and born > today:
            self.add_error("birth_date", _("The date of birth lies in the future."))
        if arrived and arrived > today:
            self.add_error("arrival_date", _("The arrival lies in the future."))
        if born and arrived and arrived < born:
            self.add_error("arrival_date", _("The arrival lies before the date of birth."))
        return data


class IntakeForm(PersonForm):
    """First contact: the person and what brings them."""

    case_area = forms.ModelChoiceField(
        label=_("Bezirk"),
        queryset=CaseArea.objects.none(),
        required=False,
        help_text=_("Left empty, the Bezirk of the Gemeinde is taken where there is only one."),
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Case.Priority.choices, coerce=int, initial=2
    )
    is_hardship = forms.BooleanField(label=_("hardship case (Härtefall)"), required=False)
    summary = forms.CharField(
        label=_("Reason for contact"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    take_over = forms.BooleanField(
        label=_("I take over the case myself"),
        required=False,
        help_text=_("Otherwise it goes onto the waiting list of the Bezirk."),
    )
    confirmed_new_person = forms.BooleanField(
        label=_("This is a different person than the ones shown"),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, centre=centre, **kwargs)
        self.fields["case_area"].queryset = CaseArea.objects.for_centre(centre)

    def person_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PERSON_FIELDS}


class CaseForm(forms.ModelForm):
    """The case's own data; ``version`` guards against overwriting a colleague's change."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    case_area = forms.ModelChoiceField(
        label=_("Bezirk"), queryset=CaseArea.objects.none(), required=False
    )

    class Meta:
        model = Case
        fields = CASE_FIELDS
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case_area"].queryset = CaseArea.objects.for_centre(centre)


class PersonEditForm(PersonForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AssignForm(forms.Form):
    case_manager = forms.ModelChoiceField(label=_("Case manager"), queryset=User.objects.none())
    note = forms.CharField(
        label=_("Handover note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when the case moves from one case manager to another."),
    )

    def __init__(self, *args: Any, case_managers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case_manager"].queryset = User.objects.filter(
            pk__in=[u.pk for u in case_managers]
        ).order_by("last_name", "first_name")
        self.fields["case_manager"].label_from_instance = lambda u: u.get_full_name() or u.email


class CloseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Closing reason"), choices=[("", "–"), *Case.ClosingReason.choices]
    )
    note = forms.CharField(
        label=_("Closing note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class AssessmentForm(forms.Form):
    """One score per life area (1 = acute need … 5 = no support needed)."""

    assessed_on = forms.DateField(label=_("Assessed on"), widget=DateInput())
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("not assessed")), *[(str(v), label) for v, label in NeedAssessment.SCALE]]
        for area, label in LifeArea.choices:
            self.fields[f"score_{area}"] = forms.TypedChoiceField(
                label=label, choices=choices, coerce=int, required=False, empty_value=None
            )

    def area_fields(self) -> list[forms.BoundField]:
        return [self[f"score_{area}"] for area in LifeArea.values]

    def scores(self) -> dict[str, int | None]:
        return {area: self.cleaned_data.get(f"score_{area}") for area in LifeArea.values}


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ("life_area", "description")


class ActionForm(forms.ModelForm):
    goal = forms.ModelChoiceField(label=_("Goal"), queryset=Goal.objects.none(), required=False)
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Actor.objects.none(), required=False
    )

    class Meta:
        model = Action
        fields = ("description", "goal", "responsible", "agency", "due_on")
        widgets = {"due_on": DateInput()}

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = Goal.objects.for_centre(case.centre).filter(case=case)
        self.fields["agency"].queryset = _agencies(case.centre)


class ContactForm(forms.ModelForm):
    """A counselling contact; the minutes per theme are optional and add up to the duration."""

    class Meta:
        model = Contact
        fields = ("date", "duration", "channel", "interpreter_language", "notes")
        widgets = {"date": DateInput(), "notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["duration"].widget.attrs.update(min=1, max=600)
        for area, label in LifeArea.choices:
            self.fields[f"minutes_{area}"] = forms.IntegerField(
                label=label, required=False, min_value=0, max_value=600
            )

    def theme_fields(self) -> list[forms.BoundField]:
        return [self[f"minutes_{area}"] for area in LifeArea.values]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.Meta.fields]

    def themes(self) -> dict[str, int]:
        return {
            area: self.cleaned_data[f"minutes_{area}"]
            for area in LifeArea.values
            if self.cleaned_data.get(f"minutes_{area}")
        }

    def clean_duration(self) -> int:
        duration = self.cleaned_data["duration"]
        if not 1 <= duration <= 600:
            raise forms.ValidationError(_("A contact lasts between 1 and 600 minutes."))
        return duration


class AppointmentForm(forms.Form):
    starts = forms.DateTimeField(label=_("Date and time"), widget=DateTimeInput())
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    interpreter_language = forms.CharField(
        label=_("Interpreter for"), required=False, max_length=60
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class ResidenceForm(forms.ModelForm):
    class Meta:
        model = ResidenceStatus
        fields = ("kind", "legal_basis", "valid_from", "valid_until")
        widgets = {"valid_from": DateInput(), "valid_until": DateInput()}


class HouseholdMemberForm(forms.Form):
    last_name = forms.CharField(label=_("Last name"), max_length=120)
    first_name = forms.CharField(label=_("First name"), max_length=120)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    relation = forms.ChoiceField(
        label=_("Relation to the person"),
        choices=[c for c in Person.Relation.choices if c[0] != Person.Relation.SELF],
    )


class LanguageForm(forms.ModelForm):
    class Meta:
        model = PersonLanguage
        fields = ("language", "level", "interpreter_needed")


class AgencyForm(forms.ModelForm):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Actor.objects.none())

    class Meta:
        model = AgencyResponsibility
        fields = ("agency", "legal_domain", "file_reference", "since")
        widgets = {"since": DateInput()}

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = _agencies(centre).filter(kind__in=Actor.AUTHORITIES)


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Consent.Purpose.choices)
    agencies = forms.ModelMultipleChoiceField(
        label=_("Receiving agencies"),
        queryset=Actor.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One consent is recorded per agency. None: the centre's own processing."),
    )
    form = forms.ChoiceField(label=_("Form"), choices=Consent.Form.choices)
    signed_by = forms.ChoiceField(label=_("Given by"), choices=Consent.Signatory.choices)
    given_on = forms.DateField(label=_("Given on"), widget=DateInput())
    expires_on = forms.DateField(label=_("Valid until"), required=False, widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = _agencies(case.centre)


class ReferralForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Actor.objects.none(), required=False
    )
    offer = forms.ModelChoiceField(
        label=_("or an offer"),
        queryset=None,
        required=False,
        help_text=_("Choosing an offer refers to its provider."),
    )
    reason = forms.CharField(
        label=_("What the person needs"), widget=forms.Textarea(attrs={"rows": 3})
    )
    override_reason = forms.CharField(
        label=_("Reason for sending without consent"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only with the permission to override, and only where the law allows it."),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        from teilhabe.offers.models import Offer

        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = _agencies(case.centre)
        self.fields["offer"].queryset = (
            Offer.objects.for_centre(case.centre)
            .filter(status="published")
            .select_related("provider")
            .prefetch_related("texts")
            .order_by("provider__name", "pk")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("agency") and not data.get("offer"):
            self.add_error("agency", _("Choose the agency or an offer."))
        return data


class ReferralAnswerForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Referral.Status.choices)
    answer = forms.CharField(
        label=_("Answer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when declining."),
    )


class ConferenceForm(forms.Form):
    date = forms.DateTimeField(label=_("Date and time"), widget=DateTimeInput())
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    agencies = forms.ModelMultipleChoiceField(
        label=_("Invited agencies"),
        queryset=Actor.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    other_participants = forms.CharField(
        label=_("Other participants"),
        required=False,
        max_length=300,
        help_text=_("e.g. the person, a family member, an interpreter"),
    )
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    override_reason = forms.CharField(
        label=_("Reason for inviting without consent"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = _agencies(case.centre)


class MinutesForm(forms.Form):
    """Minutes of a conference and up to three agreed steps."""

    STEPS = 3

    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = _agencies(case.centre)
        for n in range(1, self.STEPS + 1):
            self.fields[f"step{n}_description"] = forms.CharField(
                label=_("Agreed step %(n)s") % {"n": n}, required=False, max_length=300
            )
            self.fields[f"step{n}_responsible"] = forms.ChoiceField(
                label=_("Who does it"), choices=Action.Responsible.choices, required=False
            )
            self.fields[f"step{n}_agency"] = forms.ModelChoiceField(
                label=_("Agency"), queryset=agencies, required=False
            )
            self.fields[f"step{n}_due_on"] = forms.DateField(
                label=_("Due on"), required=False, widget=DateInput()
            )

    def step_groups(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"step{n}_{part}"] for part in ("description", "responsible", "agency", "due_on")]
            for n in range(1, self.STEPS + 1)
        ]

    def steps(self) -> list[dict[str, Any]]:
        result = []
        for n in range(1, self.STEPS + 1):
            description = self.cleaned_data.get(f"step{n}_description", "").strip()
            if description:
                result.append(
                    {
                        "description": description,
                        "responsible": self.cleaned_data.get(f"step{n}_responsible")
                        or Action.Responsible.CASE_MANAGER,
                        "agency": self.cleaned_data.get(f"step{n}_agency"),
                        "due_on": self.cleaned_data.get(f"step{n}_due_on"),
                    }
                )
        return result


class SystemGapForm(forms.ModelForm):
    agency = forms.ModelChoiceField(
        label=_("Agency concerned"), queryset=Actor.objects.none(), required=False
    )

    class Meta:
        model = SystemGap
        fields = ("category", "agency", "description")
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = _agencies(case.centre)


class CaseFilterForm(forms.Form):
    """Filters of the case list; they carry no personal data, so they may sit in the URL.

    Bezirk, Gemeinde and agency are ids among the choices ``filter_choices`` keeps for the user.
    """

    phase = forms.ChoiceField(label=_("Phase"), required=False)
    case_area = forms.TypedChoiceField(
        label=_("Bezirk"), required=False, coerce=int, empty_value=None
    )
    municipality = forms.TypedChoiceField(
        label=_("Gemeinde"), required=False, coerce=int, empty_value=None
    )
    need = forms.ChoiceField(label=_("Need"), required=False)
    legal_domain = forms.ChoiceField(label=_("Legal domain"), required=False)
    agency = forms.TypedChoiceField(label=_("Agency"), required=False, coerce=int, empty_value=None)
    priority = forms.TypedChoiceField(
        label=_("Priority"), required=False, coerce=int, empty_value=None
    )
    mine = forms.BooleanField(label=_("only my cases"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("all"))]
        self.fields["phase"].choices = [
            *every,
            ("open", _("all open")),
            ("waiting", _("waiting list")),
            *Case.Phase.choices,
        ]
        self.fields["need"].choices = every + list(LifeArea.choices)
        self.fields["legal_domain"].choices = every + list(LegalDomain.choices)
        self.fields["priority"].choices = every + [
            (str(v), label) for v, label in Case.Priority.choices
        ]
        for name, choices in filter_choices(user).items():
            self.fields[name].choices = every + choices


def filter_choices(user: User) -> dict[str, list[tuple[int, str]]]:
    """Return the Bezirke, Gemeinden and agencies the case list offers ``user`` as filters.

    Every case list shows them, and they seldom change: each worker keeps them for everyone
    with the same memberships while the reference data's generation is current.
    """
    held = sorted(
        (m.role, m.centre_id or 0, tuple(sorted(m.area_ids()))) for m in user.active_memberships()
    )
    key = f"cases:filter-choices:{hashlib.sha256(repr(held).encode()).hexdigest()[:32]}"

    def read() -> dict[str, list[tuple[int, str]]]:
        agencies = (
            Actor.objects.visible_to(user)
            .filter(kind__in=Actor.AUTHORITIES)
            .only("pk", "name")
            .order_by("name")
        )
        return {
            "case_area": [
                (a.pk, str(a)) for a in CaseArea.objects.visible_to(user).order_by("name")
            ],
            "municipality": [(m.pk, str(m)) for m in user.municipalities().order_by("name")],
            "agency": [(a.pk, str(a)) for a in agencies],
        }

    return kept(REFERENCE_DATA, key, read)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name or reference"), max_length=100, required=False)
