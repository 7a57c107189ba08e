"""Documents of a case: uploaded files, the consent form and the help plan as PDF."""

from __future__ import annotations

import datetime
import uuid
import zipfile
from collections.abc import Iterable
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from teilhabe.core.audit import records_actor
from teilhabe.core.models import User
from teilhabe.core.pdf import render_pdf
from teilhabe.core.services import ensure_allowed

from .models import Action, Case, Consent, Document, Goal, LifeArea, NeedAssessment

# --- Uploads -------------------------------------------------------------------------------

#: What a case document may be: extension → (content type, check of the first bytes/zip).
ALLOWED_TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
}

_MAGIC = {
    "application/pdf": b"%PDF-",
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
}


def _zip_is(file: IO[bytes], content_type: str) -> bool:
    """Return whether the zip ``file`` is an office document of ``content_type``."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if content_type == ALLOWED_TYPES[".docx"]:
                return "[Content_Types].xml" in names and "word/document.xml" in names
            if "mimetype" not in names:
                return False
            return archive.read("mimetype").strip() == content_type.encode()
    except (zipfile.BadZipFile, KeyError, OSError):
        return False


def sniff_content_type(file: IO[bytes], extension: str) -> str | None:
    """Return the content type if the file's bytes match its extension, else ``None``."""
    expected = ALLOWED_TYPES.get(extension)
    if expected is None:
        return None
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if expected in _MAGIC:
        return expected if head.startswith(_MAGIC[expected]) else None
    if not head.startswith(b"PK\x03\x04"):
        return None
    matches = _zip_is(file, expected)
    file.seek(0)
    return expected if matches else None


def _display_name(filename: str) -> str:
    """Return the name shown for an uploaded file: no directories, no control characters."""
    name = PurePath(filename.replace("\\", "/")).name
    name = "".join(c for c in name if c.isprintable()).strip()
    return name[:200] or "dokument"


@records_actor
@transaction.atomic
def upload_document(actor: User, case: Case, *, kind: str, file: Any) -> Document:
    """Keep ``file`` with ``case`` after checking its kind, size and type (by its bytes).

    Only PDF, JPEG and PNG (and Word/OpenDocument texts) are kept: these are what a scanned
    consent or a notice of an authority come as, and none of them runs in the browser.
    """
    ensure_allowed(actor, "cases.change_case", case)
    if kind not in Document.Kind.values:
        raise ValidationError(_("Please choose what kind of document this is."), code="kind")
    if file is None or not getattr(file, "name", ""):
        raise ValidationError(_("Please choose a file to upload."), code="missing")
    limit = settings.UPLOAD_MAX_MB * 1024 * 1024
    if file.size > limit:
        raise ValidationError(
            _("The file is larger than %(max)s MB and has not been saved.")
            % {"max": settings.UPLOAD_MAX_MB},
            code="too_large",
        )
    if file.size == 0:
        raise ValidationError(_("The file is empty and has not been saved."), code="empty")
    name = _display_name(file.name)
    extension = PurePath(name).suffix.lower()
    content_type = sniff_content_type(file, extension)
    if content_type is None:
        raise ValidationError(
            _(
                "Only PDF, JPEG and PNG files (and Word or OpenDocument texts) can be uploaded, "
                "and the file must really be of the type its name says. The file has not been "
                "saved."
            ),
            code="type",
        )
    document = Document(
        case=case, kind=kind, name=name, size=file.size, content_type=content_type, by=actor
    )
    # The stored name is random: a file name can carry personal data or clash with another.
    document.file.save(f"{uuid.uuid4().hex}{extension}", file, save=False)
    stored = document.file.name
    try:
        document.save()
    except Exception:
        document.file.storage.delete(stored)
        raise
    return document


@records_actor
@transaction.atomic
def delete_document(actor: User, document: Document) -> None:
    """Delete a case document and, once that is committed, its file."""
    ensure_allowed(actor, "cases.change_case", document.case)
    storage, stored = document.file.storage, document.file.name
    document.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored), robust=True)


# --- Consent form --------------------------------------------------------------------------

#: What each purpose means, in words the person can follow.
PURPOSE_EXPLANATIONS = {
    Consent.Purpose.CASE_MANAGEMENT: gettext_lazy(
        "The integration centre keeps your data to accompany you: your situation, your goals, "
        "our conversations and the steps we agree on."
    ),
    Consent.Purpose.REFERRAL: gettext_lazy(
        "We pass on to the agency what it needs to help you (for example name, contact "
        "details, your concern) and hear back from it whether and how it supports you."
    ),
    Consent.Purpose.CONFERENCE: gettext_lazy(
        "We talk about your situation together with the agency in a case conference, with you "
        "present where possible, to agree on the next steps."
    ),
    Consent.Purpose.STATE_DATABASE: gettext_lazy(
        "Your case is entered, in a form without your name, in the state's KIM case database "
        "used to plan and evaluate integration management in North Rhine-Westphalia."
    ),
}

#: Purposes for which the person names the agencies that may receive data.
AGENCY_PURPOSES = (Consent.Purpose.REFERRAL, Consent.Purpose.CONFERENCE)

#: From about this age a young person can consent on their own (insight into the meaning).
SELF_CONSENT_AGE = 15


def age_on(birth_date: datetime.date | None, day: datetime.date) -> int | None:
    """Return the age in whole years on ``day``."""
    if birth_date is None:
        return None
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


def _names(agencies: Iterable[Any]) -> list[Any]:
    seen: dict[int, Any] = {}
    for agency in agencies:
        if agency is not None:
            seen.setdefault(agency.pk, agency)
    return sorted(seen.values(), key=lambda a: a.name.casefold())


def consent_form_context(case: Case) -> dict[str, Any]:
    """Return what the printable consent form (Schweigepflichtentbindung) lists for ``case``."""
    person = case.person
    today = timezone.localdate()
    consents = [
        c
        for c in Consent.objects.filter(person=person).select_related("agency")
        if c.is_valid(today)
    ]
    # The agencies the case works with: responsible ones and those with an open referral.
    working_with = [r.agency for r in person.agencies.select_related("agency") if r.is_current]
    working_with += [r.agency for r in case.referrals.select_related("agency") if r.is_open]
    purposes = []
    for purpose in Consent.Purpose:
        given = [c for c in consents if c.purpose == purpose]
        agencies = [c.agency for c in given]
        if purpose in AGENCY_PURPOSES:
            agencies += working_with
        purposes.append(
            {
                "code": purpose.value,
                "label": purpose.label,
                "explanation": PURPOSE_EXPLANATIONS[purpose],
                "agencies": _names(agencies),
                "given": {c.agency_id: c for c in given},
                "given_for_centre": any(c.agency_id is None for c in given),
                "needs_agencies": purpose in AGENCY_PURPOSES,
            }
        )
    age = age_on(person.birth_date, today)
    return {
        "case": case,
        "person": person,
        "centre": case.centre,
        "purposes": purposes,
        "age": age,
        "is_minor": age is not None and age < 18,
        "signs_alone_from": SELF_CONSENT_AGE,
        "controller": case.controller or case.centre.name,
        "today": today,
    }


def consent_form_pdf(case: Case, *, language: str = "de") -> bytes:
    """Return the consent form of ``case`` as PDF in ``language``."""
    return render_pdf("cases/pdf/consent_form.html", consent_form_context(case), language=language)


# --- Help plan -----------------------------------------------------------------------------


def help_plan_context(case: Case) -> dict[str, Any]:
    """Return the help plan of ``case``: latest needs, goals by life area, agreed steps."""
    scale = dict(NeedAssessment.SCALE)
    assessment = case.assessments.order_by("-assessed_on", "-pk").first()
    needs = []
    if assessment is not None:
        for area in LifeArea:
            score = assessment.scores.get(area.value)
            if score is not None:
                needs.append({"area": area.label, "score": score, "label": scale.get(score, "")})
    goals = list(case.goals.all())
    actions = list(case.actions.select_related("agency", "conference").order_by("due_on", "pk"))
    by_goal: dict[int | None, list[Action]] = {}
    for action in actions:
        by_goal.setdefault(action.goal_id, []).append(action)
    areas = []
    for area in LifeArea:
        area_goals: list[tuple[Goal, list[Action]]] = [
            (goal, by_goal.get(goal.pk, [])) for goal in goals if goal.life_area == area.value
        ]
        if area_goals:
            areas.append({"label": area.label, "goals": area_goals})
    person = case.person
    return {
        "case": case,
        "person": person,
        "centre": case.centre,
        "assessment": assessment,
        "needs": needs,
        "areas": areas,
        "other_actions": by_goal.get(None, []),
        "is_minor": (age := age_on(person.birth_date, timezone.localdate())) is not None
        and age < 18,
        "today": timezone.localdate(),
    }


def help_plan_pdf(case: Case, *, language: str = "de") -> bytes:
    """Return the help plan of ``case`` as PDF in ``language``."""
    with translation.override(language):
        context = help_plan_context(case)
    return render_pdf("cases/pdf/help_plan.html", context, language=language)
