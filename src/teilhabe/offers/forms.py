from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from teilhabe.core.forms import DateInput
from teilhabe.core.models import Centre
from teilhabe.network.models import Actor, FieldOfAction

from .models import CONTENT_LANGUAGES, Offer, OfferLocation, OfferSettings, OpeningHours, Rubric


class _RubricsByField(forms.models.ModelChoiceIterator):
    """Rubrics grouped by field of action: one ``optgroup`` per field, in the fields' order."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict[str, list[Any]] = {}
        for rubric in self.queryset:
            groups.setdefault(rubric.field_of_action, []).append(self.choice(rubric))
        for value, label in FieldOfAction.choices:
            if value in groups:
                yield (label, groups[value])


class RubricChoiceField(forms.ModelChoiceField):
    """A select of rubrics grouped by field of action."""

    iterator = _RubricsByField

    def label_from_instance(self, obj: Rubric) -> str:
        return obj.name


class OfferForm(forms.ModelForm):
    title = forms.CharField(label=_("Title (German)"), max_length=200)
    description = forms.CharField(
        label=_("Description (German)"), widget=forms.Textarea(attrs={"rows": 5})
    )
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Actor.objects.none())
    rubric = RubricChoiceField(
        label=_("Rubric"),
        queryset=Rubric.objects.none(),
        required=False,
        empty_label=_("no rubric"),
        help_text=_("Choose a rubric of the offer's field of action."),
    )
    residence_statuses = forms.MultipleChoiceField(
        label=_("Open to residence statuses"),
        choices=Offer.ResidenceStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty if the offer is open to everyone."),
    )
    url = forms.URLField(label=_("Web page"), required=False, assume_scheme="https")

    class Meta:
        model = Offer
        fields = [
            "title",
            "description",
            "provider",
            "field_of_action",
            "rubric",
            "min_age",
            "max_age",
            "residence_statuses",
            "languages",
            "free_of_charge",
            "fees",
            "capacity",
            "availability",
            "accessible",
            "accessibility_note",
            "email",
            "phone",
            "url",
            "valid_from",
            "valid_to",
        ]
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Actor.objects.for_centre(centre).order_by("name")
        from .services import rubric_choices

        current = self.instance.rubric if self.instance.rubric_id else None
        self.fields["rubric"].queryset = rubric_choices(centre, keep=current).order_by(
            "field_of_action", "centre", "position", "name"
        )
        # For offers/rubric-select.js: the optgroup (its label) of each field of action.
        self.fields["rubric"].widget.attrs["data-fields"] = json.dumps(
            {value: str(label) for value, label in FieldOfAction.choices}, ensure_ascii=False
        )
        if self.instance.pk:
            german = self.instance.text("de")
            if german is not None:
                self.initial.setdefault("title", german.title)
                self.initial.setdefault("description", german.description)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            data.get("valid_from")
            and data.get("valid_to")
            and data["valid_to"] < data["valid_from"]
        ):
            self.add_error("valid_to", _("The end lies before the start."))
        rubric, field = data.get("rubric"), data.get("field_of_action")
        if rubric is not None and field and rubric.field_of_action != field:
            self.add_error(
                "rubric",
                _(
                    "The rubric “%(rubric)s” belongs to the field of action “%(its)s”; "
                    "choose a rubric of “%(field)s”."
                )
                % {
                    "rubric": rubric.name,
                    "its": rubric.get_field_of_action_display(),
                    "field": FieldOfAction(field).label,
                },
            )
        return data


class TranslationForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"), choices=[c for c in CONTENT_LANGUAGES if c[0] != "de"]
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}))


class LocationForm(forms.ModelForm):
    class Meta:
        model = OfferLocation
        fields = ["name", "street", "postcode", "municipality"]

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = centre.municipalities()


class OpeningHoursForm(forms.ModelForm):
    location = forms.ModelChoiceField(
        label=_("Place"), queryset=OfferLocation.objects.none(), required=False
    )

    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens_at", "closes_at", "location", "note"]
        widgets = {
            "opens_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "closes_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args: Any, offer: Offer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = OfferLocation.objects.filter(offer=offer)


class OfferFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    field = forms.ChoiceField(label=_("Field of action"), required=False)
    municipality = forms.ModelChoiceField(
        label=_("Gemeinde"), queryset=None, required=False, empty_label=_("all Gemeinden")
    )
    rubric = RubricChoiceField(
        label=_("Rubric"), queryset=None, required=False, empty_label=_("all rubrics")
    )
    stale = forms.BooleanField(label=_("Only offers not verified for too long"), required=False)

    def __init__(self, *args: Any, municipalities: Any, rubrics: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("all")), *Offer.Status.choices]
        self.fields["field"].choices = [("", _("all fields")), *FieldOfAction.choices]
        self.fields["municipality"].queryset = municipalities
        self.fields["rubric"].queryset = rubrics if rubrics is not None else Rubric.objects.none()


class RubricForm(forms.Form):
    """Add a rubric of the centre's own (the name is data, in the centre's language)."""

    field_of_action = forms.ChoiceField(label=_("Field of action"), choices=FieldOfAction.choices)
    name = forms.CharField(label=_("Name"), max_length=120)


class RubricRenameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)


class OfferSettingsForm(forms.ModelForm):
    class Meta:
        model = OfferSettings
        fields = ["stale_months"]
