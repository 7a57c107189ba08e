"""Forms of the school pages: a school, its places, the list filter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from teilhabe.core.models import Centre, Municipality
from teilhabe.network.models import Actor

from .models import InitialSupport, School, SchoolForm, Stage


def capacity_field(year: int, stage: str) -> str:
    """Return the name of the form field of one band."""
    return f"places_{year}_{stage}"


class SchoolEditForm(forms.Form):
    number = forms.CharField(
        label=_("Official school number"),
        max_length=6,
        validators=[RegexValidator(r"^\d{6}$", _("The official school number has six digits."))],
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    form = forms.ChoiceField(label=_("School form"), choices=SchoolForm.choices)
    municipality = forms.ModelChoiceField(label=_("Gemeinde"), queryset=Municipality.objects.none())
    street = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=5,
        required=False,
        validators=[RegexValidator(r"^\d{5}$", _("A postcode has five digits."))],
    )
    latitude = forms.DecimalField(
        label=_("Latitude"),
        max_digits=8,
        decimal_places=5,
        min_value=-90,
        max_value=90,
        required=False,
        help_text=_("Leave empty to use the Gemeinde's centre."),
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        max_digits=8,
        decimal_places=5,
        min_value=-180,
        max_value=180,
        required=False,
    )
    lowest_grade = forms.IntegerField(label=_("Lowest grade"), min_value=1, max_value=13)
    highest_grade = forms.IntegerField(label=_("Highest grade"), min_value=1, max_value=13)
    initial_support = forms.MultipleChoiceField(
        label=_("Forms of initial German support"),
        choices=InitialSupport.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    actor = forms.ModelChoiceField(
        label=_("School in the network"),
        queryset=Actor.objects.none(),
        required=False,
        help_text=_("Its partner users can then keep the school's places."),
    )

    def __init__(self, *args: Any, centre: Centre, school: School | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = centre.municipalities().order_by("name")
        actors = Actor.objects.for_centre(centre).filter(kind=Actor.Kind.SCHOOL)
        taken = School.objects.for_centre(centre).filter(actor__isnull=False)
        if school is not None:
            taken = taken.exclude(pk=school.pk)
        self.fields["actor"].queryset = actors.exclude(pk__in=taken.values("actor")).order_by(
            "name"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Give both coordinates or neither."))
        return data


class SchoolFilterForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Gemeinde"), queryset=Municipality.objects.none(), required=False
    )
    form = forms.ChoiceField(
        label=_("School form"), choices=[("", _("all"))] + SchoolForm.choices, required=False
    )
    free_stage = forms.ChoiceField(
        label=_("Free places at stage"), choices=[("", _("any"))] + Stage.choices, required=False
    )

    def __init__(self, *args: Any, towns: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = towns


class CapacityForm(forms.Form):
    """Places per stage the school teaches, for each school year shown."""

    def __init__(
        self,
        *args: Any,
        school: School,
        years: list[int],
        current: dict[tuple[int, str], int],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.bands: list[tuple[int, list[str]]] = []
        for year in years:
            names = []
            for stage in Stage:
                if stage.value not in school.stages():
                    continue
                name = capacity_field(year, stage.value)
                self.fields[name] = forms.IntegerField(
                    label=f"{stage.label}, {year}/{str(year + 1)[-2:]}",
                    min_value=0,
                    max_value=999,
                    initial=current.get((year, stage.value), 0),
                )
                names.append(name)
            self.bands.append((year, names))

    def changed_bands(self) -> dict[tuple[int, str], int]:
        """Return the bands whose places were changed, as (year, stage) → places."""
        changed = {}
        for name in self.changed_data:
            _prefix, year, stage = name.split("_", 2)
            changed[(int(year), stage)] = self.cleaned_data[name]
        return changed

    def year_fields(self) -> list[tuple[int, list[Any]]]:
        return [(year, [self[name] for name in names]) for year, names in self.bands]
