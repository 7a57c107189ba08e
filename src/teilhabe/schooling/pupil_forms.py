"""Forms of the pupil record. They parse and explain; the rules are in ``services``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from teilhabe.core.forms import DateInput
from teilhabe.core.models import Centre, Municipality, User

from .models import InitialSupport, Pupil, School, SchoolForm, Stage
from .services import PUPIL_FIELDS

#: Uploads above this size are refused before they are read.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024

#: The fields of one guardian on the report form, with their labels.
GUARDIAN_FIELDS = ("name", "relation", "phone", "email", "language")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _pupils_of(centre: Centre, exclude: Pupil | None = None) -> Any:
    qs = Pupil.objects.for_centre(centre).order_by("last_name", "first_name", "pk")
    return qs.exclude(pk=exclude.pk) if exclude is not None else qs


class PupilForm(forms.ModelForm):
    """The pupil's data, at the report and later."""

    municipality = forms.ModelChoiceField(label=_("Gemeinde"), queryset=Municipality.objects.none())
    siblings = forms.ModelMultipleChoiceField(
        label=_("Siblings"),
        queryset=Pupil.objects.none(),
        required=False,
        help_text=_("Brothers and sisters already recorded here. Hold Ctrl to choose several."),
    )

    class Meta:
        model = Pupil
        fields = PUPIL_FIELDS
        widgets = {
            "birth_date": DateInput(),
            "arrival_date": DateInput(),
            "registration_date": DateInput(),
            "certificates": forms.Textarea(attrs={"rows": 2}),
            "special_needs": forms.Textarea(attrs={"rows": 2}),
            "latin_literacy": forms.NullBooleanSelect(),
        }

    def __init__(
        self, *args: Any, centre: Centre, pupil: Pupil | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = centre.municipalities().order_by("name")
        self.fields["siblings"].queryset = _pupils_of(centre, exclude=pupil)
        self.fields["siblings"].label_from_instance = lambda p: (
            f"{p} ({p.birth_date:%d.%m.%Y})" if p.birth_date else str(p)
        )

    def pupil_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PUPIL_FIELDS}


class PupilReportForm(PupilForm):
    """A newly arrived pupil, reported by the registration office or by the family."""

    report_key = forms.CharField(
        label=_("Report number"),
        max_length=40,
        required=False,
        help_text=_("The number of the registration office's report, if there is one."),
    )
    confirmed_new = forms.BooleanField(
        label=_("This is a different child than the ones shown"),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, centre=centre, **kwargs)
        for number in (1, 2):
            prefix = f"guardian{number}_"
            self.fields[f"{prefix}name"] = forms.CharField(
                label=_("Name"), max_length=200, required=False
            )
            self.fields[f"{prefix}relation"] = forms.CharField(
                label=_("Relation"),
                max_length=60,
                required=False,
                help_text=_("e.g. mother, father, guardian"),
            )
            self.fields[f"{prefix}phone"] = forms.CharField(
                label=_("Phone"), max_length=40, required=False
            )
            self.fields[f"{prefix}email"] = forms.EmailField(label=_("E-mail"), required=False)
            self.fields[f"{prefix}language"] = forms.CharField(
                label=_("Language for letters"),
                max_length=8,
                required=False,
                initial="de",
                help_text=_("e.g. de, en, ar, uk"),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for number in (1, 2):
            prefix = f"guardian{number}_"
            filled = [n for n in GUARDIAN_FIELDS[1:-1] if data.get(prefix + n)]
            if filled and not data.get(f"{prefix}name"):
                self.add_error(f"{prefix}name", _("Please give the guardian's name."))
        return data

    def guardian_fields(self, number: int) -> list[forms.BoundField]:
        return [self[f"guardian{number}_{name}"] for name in GUARDIAN_FIELDS]

    @property
    def guardian_fields_1(self) -> list[forms.BoundField]:
        return self.guardian_fields(1)

    @property
    def guardian_fields_2(self) -> list[forms.BoundField]:
        return self.guardian_fields(2)

    def pupil_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("report_key", *PUPIL_FIELDS, "siblings")]

    def guardians(self) -> list[dict[str, Any]]:
        rows = []
        for number in (1, 2):
            prefix = f"guardian{number}_"
            if self.cleaned_data.get(f"{prefix}name"):
                row = {name: self.cleaned_data.get(prefix + name) or "" for name in GUARDIAN_FIELDS}
                row["language"] = row["language"] or "de"
                rows.append(row)
        return rows


class PupilEditForm(PupilForm):
    """The pupil's data; ``version`` guards against overwriting a colleague's change."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class PupilFilterForm(forms.Form):
    """Filters of the pupil list; they carry no personal data, so they may sit in the URL."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    municipality = forms.ModelChoiceField(
        label=_("Gemeinde"), queryset=Municipality.objects.none(), required=False
    )
    stage = forms.ChoiceField(label=_("Recommended stage"), required=False)
    language = forms.CharField(label=_("Family language"), max_length=60, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("all"))]
        self.fields["status"].choices = [
            ("", _("waiting list")),
            ("all", _("all pupils")),
            *Pupil.Status.choices,
        ]
        self.fields["stage"].choices = every + list(Stage.choices)
        self.fields["municipality"].queryset = user.municipalities().order_by("name")
        self.fields["municipality"].empty_label = _("all")


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name or report number"), max_length=100, required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Pupil.Status.choices)
    note = forms.CharField(label=_("Reason"), max_length=200, required=False)


class CounsellingForm(forms.Form):
    """The counselling's assessment and result (BASS 13-63 Nr. 3)."""

    starts = forms.DateTimeField(label=_("Appointment"), widget=DateTimeInput())
    interpreter_language = forms.CharField(
        label=_("Interpreter for"), max_length=60, required=False
    )
    biography = forms.CharField(
        label=_("Educational biography"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Schools attended, years of schooling, interruptions, languages of schooling."),
    )
    german = forms.CharField(label=_("German"), max_length=200, required=False)
    maths = forms.CharField(label=_("Maths"), max_length=200, required=False)
    competences = forms.CharField(
        label=_("Competences and interests"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    recommended_stage = forms.ChoiceField(label=_("Recommended stage"), choices=Stage.choices)
    recommended_forms = forms.MultipleChoiceField(
        label=_("Recommended school forms"),
        choices=SchoolForm.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only forms that teach the recommended stage are kept."),
    )
    proposed_grade = forms.IntegerField(
        label=_("Proposed grade"),
        min_value=1,
        max_value=13,
        help_text=_(
            "Proposed from the age: age − 6 by 30 September of this school year, lowered when "
            "the child has had fewer years of schooling than the age presumes (by half of the "
            "gap, at most two grades). Always check and change it where the counselling "
            "suggests otherwise."
        ),
    )
    initial_support = forms.ChoiceField(
        label=_("Initial German support"),
        choices=[("", "–"), *InitialSupport.choices],
        required=False,
    )
    preferred_school = forms.ModelChoiceField(
        label=_("School the parents prefer"), queryset=School.objects.none(), required=False
    )

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preferred_school"].queryset = (
            School.objects.for_centre(centre).filter(is_active=True).order_by("name")
        )

    def assessment(self) -> dict[str, Any]:
        names = ("starts", "interpreter_language", "biography", "german", "maths", "competences")
        return {name: self.cleaned_data[name] for name in (*names, "notes")}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8) or Excel workbook (.xlsx), at most 5 MB."),
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: only check the file, save nothing"), required=False, initial=True
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 5 MB. Please split it into several files.")
            )
        if Path(upload.name).suffix.lower() not in (".csv", ".xlsx"):
            raise forms.ValidationError(
                _(
                    "Please choose a CSV or XLSX file. An old Excel file (.xls) must first be "
                    "saved again as .xlsx or as “CSV UTF-8”."
                )
            )
        return upload
