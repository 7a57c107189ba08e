"""Forms of the retention pages: the centre's case management settings, the journal filter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from teilhabe.core.forms import DateInput

from .models import CaseSettings, ErasureEntry
from .retention import MAX_RETENTION_YEARS, MIN_RETENTION_YEARS


class CaseSettingsForm(forms.ModelForm):
    retention_years = forms.IntegerField(
        label=_("Years a closed case is kept"),
        min_value=MIN_RETENTION_YEARS,
        max_value=MAX_RETENTION_YEARS,
        help_text=_(
            "Closed cases are erased this many years after closure unless a legal hold is set. "
            "A change moves the deletion date of every closed case of the centre."
        ),
    )

    class Meta:
        model = CaseSettings
        fields = ["retention_years", "eligibility", "controller"]
        widgets = {"eligibility": forms.Textarea(attrs={"rows": 3})}


class ErasureJournalFilterForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("all"))] + list(ErasureEntry.Outcome.choices),
        required=False,
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end lies before the start."))
        return data


class LegalHoldForm(forms.Form):
    hold = forms.TypedChoiceField(
        choices=[("1", _("set")), ("0", _("clear"))], coerce=lambda value: value == "1"
    )
    reason = forms.CharField(label=_("Reason for the legal hold"), max_length=200, required=False)
