from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AccessLog, CaseArea, Centre, Organisation
from .roles import Role


class DateInput(forms.DateInput):
    """A native date picker; browsers need the value as ISO date whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MemberForm(forms.Form):
    """A new member of a centre's staff or a partner's user."""

    email = forms.EmailField(label=_("E-mail address"))
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    role = forms.ChoiceField(
        label=_("Role"), choices=[(r.value, r.label) for r in Role if r != Role.LAKI]
    )
    case_areas = forms.ModelMultipleChoiceField(
        label=_("Limited to Bezirke"),
        queryset=CaseArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for the whole centre."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Partner organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Only for the role “Partner organisation”."),
    )

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case_areas"].queryset = CaseArea.objects.for_centre(centre)
        self.fields["organisation"].queryset = Organisation.objects.for_centre(centre)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("role") == Role.PARTNER and not data.get("organisation"):
            self.add_error("organisation", _("Choose the organisation this partner works for."))
        return data


class CaseAreaForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    municipalities = forms.ModelMultipleChoiceField(
        label=_("Gemeinden"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipalities"].queryset = centre.municipalities()


class AccessLogFilterForm(forms.Form):
    """Search in the access log; every field is optional."""

    user = forms.CharField(label=_("User (e-mail)"), required=False)
    record_type = forms.ChoiceField(label=_("Record type"), required=False)
    object_id = forms.CharField(label=_("Record id"), required=False, max_length=64)
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("all"))] + list(AccessLog.Action.choices),
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args: Any, record_types: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["record_type"].choices = [("", _("all"))] + record_types

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date lies before the start date."))
        return data
