from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from teilhabe.core.models import Centre

from .models import Actor, ContactPerson, FieldOfAction


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
        parents = Actor.objects.for_centre(centre).filter(is_active=True)
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
