"""Forms of the letters to parents. They parse; the rules are in ``letters``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from teilhabe.core.models import Centre

from .letters import PLACEHOLDERS, clean_language
from .models import LetterTemplate

PLACEHOLDER_HELP = _("You can use these placeholders: %(names)s.")


class LetterTemplateForm(forms.Form):
    """The subject and text of a letter in one language."""

    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 18, "dir": "auto"})
    )

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.centre = centre
        self.fields["body"].help_text = PLACEHOLDER_HELP % {
            "names": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        }
        self.fields["subject"].widget.attrs["dir"] = "auto"


class NewLetterTemplateForm(LetterTemplateForm):
    """A letter text in a language the centre has no text of yet."""

    kind = forms.ChoiceField(label=_("Letter"), choices=LetterTemplate.Kind.choices)
    language = forms.CharField(
        label=_("Language"),
        max_length=3,
        help_text=_("Language code of 2 or 3 letters, e.g. uk, fa, ti."),
    )

    field_order = ("kind", "language", "subject", "body")

    def clean_language(self) -> str:
        try:
            return clean_language(self.cleaned_data["language"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["language"]) from error


class LetterLanguageForm(forms.Form):
    """The language a letter to the parents is written in."""

    language = forms.ChoiceField(label=_("Language of the letter"), required=False)

    def __init__(self, *args: Any, languages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = languages
