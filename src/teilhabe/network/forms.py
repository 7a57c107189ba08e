from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from teilhabe.core.forms import DateInput
from teilhabe.core.models import Centre

from .models import Actor, ContactPerson, CooperationAgreement, FieldOfAction, WorkingGroup

#: A due date at the end of a follow-up line: "… bis 31.12.2026".
DUE = re.compile(r"\b(?:bis|until|due)\s+(\d{1,2}\.\d{1,2}\.\d{4})\s*$", re.IGNORECASE)


class ActorForm(forms.ModelForm):
    # Declared here: the default would query all actors when the class is built.
    parent = forms.ModelChoiceField(
        label=_("Parent organisation"), queryset=Actor.objects.none(), required=False
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    fields_of_action = forms.MultipleChoiceField(
        label=_("Fields of action"),
        choices=FieldOfAction.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Actor
        fields = [
            "name",
            "kind",
            "parent",
            "description",
            "street",
            "postcode",
            "municipality",
            "latitude",
            "longitude",
            "email",
            "phone",
            "website",
            "fields_of_action",
            "languages",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An archived parent stays choosable for its branches: archiving keeps the links.
        parents = Actor.objects.for_centre(centre).filter(
            Q(is_active=True) | Q(pk=self.instance.parent_id)
        )
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["municipality"].queryset = centre.municipalities()
        self.fields["postcode"].widget.attrs.update(inputmode="numeric", pattern="[0-9]{5}")

    def clean_postcode(self) -> str:
        postcode = self.cleaned_data["postcode"].strip()
        if postcode and not (postcode.isdigit() and len(postcode) == 5):
            raise forms.ValidationError(_("A German postcode has five digits."))
        return postcode


class ContactForm(forms.ModelForm):
    class Meta:
        model = ContactPerson
        fields = ["name", "function", "email", "phone", "is_public"]


class ActorFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    municipality = forms.ModelChoiceField(
        label=_("Gemeinde"), queryset=None, required=False, empty_label=_("all Gemeinden")
    )
    field = forms.ChoiceField(label=_("Field of action"), required=False)
    archived = forms.BooleanField(label=_("Include archived"), required=False)

    def __init__(self, *args: Any, municipalities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("all kinds")), *Actor.Kind.choices]
        self.fields["field"].choices = [("", _("all fields")), *FieldOfAction.choices]
        self.fields["municipality"].queryset = municipalities


def _actor_choices(centre: Centre) -> Any:
    return Actor.objects.for_centre(centre).filter(is_active=True).order_by("name")


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=WorkingGroup.Kind.choices)
    description = forms.CharField(
        label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    fields_of_action = forms.MultipleChoiceField(
        label=_("Fields of action"),
        choices=FieldOfAction.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class GroupMemberForm(forms.Form):
    actor = forms.ModelChoiceField(label=_("Actor"), queryset=Actor.objects.none())
    role = forms.CharField(
        label=_("Role in the group"),
        max_length=100,
        required=False,
        help_text=_("For example chair, member, guest."),
    )

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = _actor_choices(centre)


class MeetingForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attending actors"),
        queryset=Actor.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    decisions = forms.CharField(
        label=_("Decisions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    follow_ups = forms.CharField(
        label=_("Follow-ups"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One task per line; add a due date at the end as “bis 31.12.2026”."),
    )

    def __init__(self, *args: Any, centre: Centre, members: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = (
            members if members is not None else (_actor_choices(centre))
        )

    def clean_follow_ups(self) -> list[tuple[str, None, Any]]:
        """Read one task per line, each with an optional trailing ``bis DD.MM.YYYY``."""
        tasks = []
        for number, line in enumerate(self.cleaned_data["follow_ups"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            due = None
            match = DUE.search(line)
            if match:
                try:
                    due = datetime.strptime(match.group(1), "%d.%m.%Y").date()
                except ValueError:
                    raise forms.ValidationError(
                        _("Line %(number)s: “%(date)s” is not a date."),
                        params={"number": number, "date": match.group(1)},
                    ) from None
                line = line[: match.start()].strip(" ,;–-")
            if not line:
                raise forms.ValidationError(
                    _("Line %(number)s: the task is missing."), params={"number": number}
                )
            tasks.append((line[:300], None, due))
        return tasks


class AgreementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    partners = forms.ModelMultipleChoiceField(
        label=_("Partners"), queryset=Actor.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for an agreement without end."),
    )
    remind_days = forms.IntegerField(
        label=_("Reminder (days before the end)"), min_value=0, max_value=730, initial=90
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        centre: Centre,
        agreement: CooperationAgreement | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # A partner archived since stays ticked: saving the form must not drop it.
        partners = Actor.objects.for_centre(centre).filter(is_active=True)
        if agreement is not None:
            partners = Actor.objects.for_centre(centre).filter(
                Q(is_active=True) | Q(agreements=agreement)
            )
        self.fields["partners"].queryset = partners.distinct().order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The agreement cannot end before it starts."))
        return data


class GraphFilterForm(forms.Form):
    field = forms.ChoiceField(label=_("Field of action"), required=False)
    municipality = forms.ModelChoiceField(
        label=_("Gemeinde"), queryset=None, required=False, empty_label=_("all Gemeinden")
    )

    def __init__(self, *args: Any, municipalities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", _("all fields")), *FieldOfAction.choices]
        self.fields["municipality"].queryset = municipalities


class PartnerActorForm(forms.Form):
    """The public data a partner keeps itself; changes go live after review."""

    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    street = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=5, required=False)
    municipality = forms.ModelChoiceField(label=_("Gemeinde"), queryset=None, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    fields_of_action = forms.MultipleChoiceField(
        label=_("Fields of action"),
        choices=FieldOfAction.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.CharField(
        label=_("Languages spoken"),
        max_length=200,
        required=False,
        help_text=_("Comma-separated, e.g. Arabisch, Ukrainisch, Türkisch."),
    )

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = centre.municipalities()

    clean_postcode = ActorForm.clean_postcode


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label=_("Reason for the partner"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
