"""The Art. 15 DSGVO export: everything stored about a person, as JSON and as readable PDF.

The export walks fixed sections (``PERSON_SECTIONS``, ``CASE_SECTIONS``). A test walks the
models' reverse relations, so a new model pointing at a person or case that is not exported
(or listed in ``NOT_EXPORTED`` with a reason) makes the test suite fail.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from teilhabe.core import personal_data
from teilhabe.core.pdf import render_pdf

from .models import (
    Action,
    AgencyResponsibility,
    Appointment,
    Case,
    CaseConference,
    Consent,
    Contact,
    Document,
    Goal,
    Handover,
    NeedAssessment,
    Person,
    PersonLanguage,
    PhaseChange,
    Referral,
    ResidenceStatus,
    SystemGap,
)

#: Version of the JSON layout, so a reader knows what it gets.
FORMAT = "teilhabe-art15/1"

#: Rows of the person: section key → (related name on Person, model).
PERSON_SECTIONS: dict[str, tuple[str, type[models.Model]]] = {
    "languages": ("languages", PersonLanguage),
    "residence_statuses": ("residence_statuses", ResidenceStatus),
    "agencies": ("agencies", AgencyResponsibility),
    "consents": ("consents", Consent),
}

#: Rows of each case: section key → (related name on Case, model).
CASE_SECTIONS: dict[str, tuple[str, type[models.Model]]] = {
    "phase_changes": ("phase_changes", PhaseChange),
    "handovers": ("handovers", Handover),
    "assessments": ("assessments", NeedAssessment),
    "goals": ("goals", Goal),
    "actions": ("actions", Action),
    "contacts": ("contacts", Contact),
    "appointments": ("appointments", Appointment),
    "referrals": ("referrals", Referral),
    "conferences": ("conferences", CaseConference),
    "documents": ("documents", Document),
    "system_gaps": ("system_gaps", SystemGap),
}

#: Models pointing at a person or case that are deliberately not exported, and why
#: (``app_label.model`` → reason). Records merged into the person are listed by name.
NOT_EXPORTED: dict[str, str] = {}

#: Titles of the sections in the readable PDF.
SECTION_TITLES = {
    "person": _("Personal data"),
    "household": _("Household"),
    "merged_records": _("Merged records"),
    "languages": _("Languages"),
    "residence_statuses": _("Residence statuses"),
    "agencies": _("Responsible agencies"),
    "consents": _("Consents"),
    "cases": _("Cases"),
    "phase_changes": _("Phase changes"),
    "handovers": _("Handovers"),
    "assessments": _("Needs assessments"),
    "goals": _("Goals"),
    "actions": _("Agreed steps"),
    "contacts": _("Contacts"),
    "appointments": _("Appointments"),
    "referrals": _("Referrals"),
    "conferences": _("Case conferences"),
    "documents": _("Documents"),
    "system_gaps": _("System gaps"),
    "history": _("History of changes"),
}


def serialise(obj: models.Model, *, parent: str | None = None) -> dict[str, Any]:
    """Return every stored field of ``obj`` (the parent link is implied by nesting)."""
    return personal_data.serialise(obj, skip=(parent,) if parent else (), by_id=(Person, Case))


def _rows(manager: models.Manager, parent: str) -> list[dict[str, Any]]:
    return [serialise(obj, parent=parent) for obj in manager.order_by("pk")]


def collect_person_data(person: Person) -> dict[str, Any]:
    """Return everything stored about ``person`` (Art. 15 DSGVO), in a fixed order."""
    # Country names are German whatever the reader's language: the same data, the same text.
    with translation.override("de"):
        return _collect(person)


def _collect(person: Person) -> dict[str, Any]:
    history_of: list[models.Model] = [person]
    data: dict[str, Any] = {"format": FORMAT, "person": serialise(person)}
    household = person.household
    data["household"] = (
        None
        if household is None
        else {
            "name": household.name,
            "relation": person.relation,
            "other_members": sorted(m.full_name for m in household.members.exclude(pk=person.pk)),
        }
    )
    data["merged_records"] = [
        {
            "id": p.pk,
            "last_name": p.last_name,
            "first_name": p.first_name,
            "birth_date": p.birth_date.isoformat() if p.birth_date else None,
        }
        for p in person.merged_from.order_by("pk")
    ]
    for key, (related, _model) in PERSON_SECTIONS.items():
        objects = list(getattr(person, related).order_by("pk"))
        history_of += objects
        data[key] = [serialise(obj, parent="person") for obj in objects]
    cases = []
    for case in person.cases.order_by("pk"):
        history_of.append(case)
        row = serialise(case, parent="person")
        for key, (related, _model) in CASE_SECTIONS.items():
            objects = list(getattr(case, related).order_by("pk"))
            history_of += objects
            row[key] = [serialise(obj, parent="case") for obj in objects]
        cases.append(row)
    data["cases"] = cases
    data["history"] = personal_data.history(history_of)
    return data


def person_data_json(person: Person) -> str:
    """Return the Art. 15 export of ``person`` as JSON text (same data gives the same text)."""
    return json.dumps(
        collect_person_data(person), ensure_ascii=False, indent=2, sort_keys=True, default=str
    )


# --- Readable PDF --------------------------------------------------------------------------


def _label_of(model: type[models.Model], key: str) -> str:
    if key == "id":
        return str(_("record number"))
    try:
        return str(model._meta.get_field(key).verbose_name)
    except Exception:  # a computed key, not a field
        return key


def _display(model: type[models.Model], key: str, value: Any) -> str:
    """Return ``value`` of ``key`` as text: choices as labels, dates German, lists joined."""
    if value is None or value == "" or value == [] or value == {}:
        return "–"
    try:
        field = model._meta.get_field(key)
    except Exception:
        field = None
    if field is not None and field.choices and not isinstance(field, CountryField):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes")) if value else str(_("no"))
    if isinstance(value, dict) and "code" in value and "name" in value:
        return f"{value['name']} ({value['code']})"
    if isinstance(value, list):
        return ", ".join(_display(model, "", v) for v in value) or "–"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        try:
            if "T" in value:
                return datetime.datetime.fromisoformat(value).strftime("%d.%m.%Y %H:%M")
            return datetime.date.fromisoformat(value).strftime("%d.%m.%Y")
        except ValueError:
            pass
    return str(value)


def _table(model: type[models.Model], rows: list[dict[str, Any]]) -> list[list[tuple[str, str]]]:
    return [
        [(_label_of(model, key), _display(model, key, value)) for key, value in row.items()]
        for row in rows
    ]


def _record_name(label: str) -> str:
    """Return the readable name of a record type (``cases.contact`` → "contact")."""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except LookupError:
        return label


def readable_sections(data: dict[str, Any]) -> dict[str, Any]:
    """Return the export as labelled sections for the PDF (call inside the PDF's language)."""
    cases = []
    for case in data["cases"]:
        flat = {k: v for k, v in case.items() if k not in CASE_SECTIONS}
        cases.append(
            {
                "reference": case["reference"],
                "fields": _table(Case, [flat])[0],
                "sections": [
                    (SECTION_TITLES[key], _table(model, case[key]))
                    for key, (_related_name, model) in CASE_SECTIONS.items()
                ],
            }
        )
    return {
        "person": _table(Person, [data["person"]])[0],
        "household": data["household"],
        "merged_records": data["merged_records"],
        "sections": [
            (SECTION_TITLES[key], _table(model, data[key]))
            for key, (_related_name, model) in PERSON_SECTIONS.items()
        ],
        "cases": cases,
        "history": [
            {
                **entry,
                "record_name": _record_name(entry["record"]),
                "time": _display(Person, "", entry["timestamp"]),
                "fields": ", ".join(sorted(entry["changes"])),
            }
            for entry in data["history"]
        ],
    }


def person_data_pdf(person: Person, *, centre: Any, language: str = "de") -> bytes:
    """Return the Art. 15 export of ``person`` as a readable PDF."""
    data = collect_person_data(person)
    with translation.override(language):
        sections = readable_sections(data)
    return render_pdf(
        "cases/pdf/person_export.html",
        {"person": person, "centre": centre, "data": sections, "titles": SECTION_TITLES},
        language=language,
    )
