import datetime

from django import forms
from django.utils import translation

from teilhabe.core.forms import DateInput


class _Form(forms.Form):
    day = forms.DateField(widget=DateInput())


def test_date_picker_gets_an_iso_value_in_every_language():
    """A browser's date picker drops a value like 21.11.2026 and the form loses the date."""
    for language in ("de", "en"):
        with translation.override(language):
            html = str(_Form(initial={"day": datetime.date(2026, 11, 21)})["day"])
        assert 'type="date"' in html
        assert 'value="2026-11-21"' in html


def test_date_picker_value_is_read_back():
    form = _Form({"day": "2026-11-21"})
    assert form.is_valid()
    assert form.cleaned_data["day"] == datetime.date(2026, 11, 21)
