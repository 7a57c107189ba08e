"""Letters to parents (in their language) and notices to schools, as PDF.

The texts of letters to parents are data: each centre keeps them as ``LetterTemplate`` rows per
kind and language, starting from :func:`default_templates` (German, English, Arabic). A letter
that was produced is recorded as a ``Letter`` row (kind, language, date, by whom); its PDF is
rendered from the centre's current text. Parents are told about Schulpflicht in their language
(DOMAIN.md, Seiteneinsteigerberatung step 2).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from teilhabe.core.audit import records_actor
from teilhabe.core.models import Centre, User
from teilhabe.core.pdf import render_pdf
from teilhabe.core.services import InCentre, ensure_allowed

from .models import Letter, LetterTemplate, Pupil, School

Kind = LetterTemplate.Kind

#: A language code of a letter: ISO 639-1 or 639-2/3 (``de``, ``ar``, ``ckb``).
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
#: A placeholder in a letter text, ``{child}``; anything else in braces stays as it is.
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
#: The placeholders a letter text may use.
PLACEHOLDERS = ("child", "birth_date", "school", "school_address", "start", "centre")
#: The language of the centre's own texts, used when a letter's language has no template.
FALLBACK_LANGUAGE = "de"

#: The value of ``{start}`` while the school has not fixed the first day yet.
START_OPEN = {
    "de": "wird Ihnen von der Schule mitgeteilt",
    "en": "the school will let you know",
    "ar": "ستُبلغكم المدرسة به",
}

#: The texts every centre starts with: (kind, language) → (subject, paragraphs).
_DEFAULTS: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {
    (Kind.COMPULSORY_SCHOOLING, "de"): (
        "Information zur Schulpflicht von {child}",
        (
            "Sehr geehrte Eltern, sehr geehrte Erziehungsberechtigte,",
            (
                "Ihr Kind {child}, geboren am {birth_date}, ist in Nordrhein-Westfalen "
                "schulpflichtig. Die Schulpflicht beginnt mit der Anmeldung in der Gemeinde (bei "
                "Asylsuchenden mit der Zuweisung in die Gemeinde). Sie dauert zehn Schuljahre in "
                "Vollzeit; danach besteht bis zum Alter von 18 Jahren die Pflicht, ein "
                "Berufskolleg zu besuchen."
            ),
            (
                "Die Seiteneinsteigerberatung ({centre}) lädt Sie und Ihr Kind zu einem "
                "Beratungsgespräch ein. Gemeinsam finden wir eine passende Schule für Ihr Kind. "
                "Wenn nötig, ist eine Sprachmittlerin oder ein Sprachmittler dabei."
            ),
            (
                "Bitte bringen Sie zum Gespräch mit:\n"
                "– Ausweis oder Pass von Kind und Eltern\n"
                "– die Meldebescheinigung\n"
                "– Zeugnisse der bisherigen Schulen, wenn vorhanden"
            ),
            "Die Beratung ist kostenlos.",
            ("Mit freundlichen Grüßen\n{centre}"),
        ),
    ),
    (Kind.COMPULSORY_SCHOOLING, "en"): (
        "Information on compulsory schooling for {child}",
        (
            "Dear parents and guardians,",
            (
                "Your child {child}, born on {birth_date}, is of compulsory school age in North "
                "Rhine-Westphalia. Compulsory schooling begins with the registration in the "
                "municipality (for asylum seekers: with the assignment to the municipality). It "
                "lasts ten school years full-time; after that, young people must attend a "
                "vocational college until the age of 18."
            ),
            (
                "The counselling service for newly arrived pupils ({centre}) invites you and your "
                "child to a counselling appointment. Together we will find a suitable school for "
                "your child. If needed, an interpreter will be present."
            ),
            (
                "Please bring to the appointment:\n"
                "– ID card or passport of the child and the parents\n"
                "– the registration certificate (Meldebescheinigung)\n"
                "– reports from previous schools, if you have them"
            ),
            "The counselling is free of charge.",
            ("Kind regards\n{centre}"),
        ),
    ),
    (Kind.COMPULSORY_SCHOOLING, "ar"): (
        "معلومات حول التعليم الإلزامي لطفلكم {child}",
        (
            "حضرات الوالدين وأولياء الأمور الكرام،",
            (
                "طفلكم {child}، المولود بتاريخ {birth_date}، مُلزَم بالتعليم المدرسي في ولاية "
                "شمال الراين - وستفاليا. يبدأ التعليم الإلزامي بتسجيل السكن في البلدية (وبالنسبة "
                "لطالبي اللجوء: بتوزيعهم على البلدية). ويستمر عشر سنوات دراسية بدوام كامل، وبعد "
                "ذلك يجب الالتحاق بمدرسة مهنية حتى سن الثامنة عشرة."
            ),
            (
                "يدعوكم فريق الإرشاد المدرسي للتلاميذ الوافدين حديثًا ({centre}) أنتم وطفلكم "
                "إلى جلسة استشارية. سنجد معًا مدرسة مناسبة لطفلكم. وعند الحاجة يحضر مترجم."
            ),
            (
                "يرجى إحضار ما يلي إلى الجلسة:\n"
                "– بطاقة الهوية أو جواز السفر للطفل وللوالدين\n"
                "– شهادة تسجيل السكن\n"
                "– الشهادات المدرسية السابقة، إن وُجدت"
            ),
            "الاستشارة مجانية.",
            ("مع أطيب التحيات\n{centre}"),
        ),
    ),
    (Kind.PLACEMENT, "de"): (
        "Schulplatz für {child}",
        (
            "Sehr geehrte Eltern, sehr geehrte Erziehungsberechtigte,",
            "für Ihr Kind {child}, geboren am {birth_date}, steht ein Schulplatz bereit:",
            ("{school}\n{school_address}"),
            "Erster Schultag: {start}",
            (
                "Bitte melden Sie Ihr Kind vorher im Sekretariat der Schule an. Bringen Sie "
                "dieses Schreiben, den Ausweis oder Pass und die Meldebescheinigung mit."
            ),
            (
                "Der Schulbesuch ist Pflicht und kostenlos. Wenn Sie Fragen haben, wenden Sie "
                "sich gern an uns."
            ),
            ("Mit freundlichen Grüßen\n{centre}"),
        ),
    ),
    (Kind.PLACEMENT, "en"): (
        "A school place for {child}",
        (
            "Dear parents and guardians,",
            "There is a school place for your child {child}, born on {birth_date}:",
            ("{school}\n{school_address}"),
            "First day at school: {start}",
            (
                "Please register your child at the school office beforehand. Bring this letter, "
                "the ID card or passport and the registration certificate (Meldebescheinigung)."
            ),
            (
                "Going to school is compulsory and free of charge. If you have any questions, "
                "please contact us."
            ),
            ("Kind regards\n{centre}"),
        ),
    ),
    (Kind.PLACEMENT, "ar"): (
        "مقعد دراسي لطفلكم {child}",
        (
            "حضرات الوالدين وأولياء الأمور الكرام،",
            (
                "تم تخصيص مقعد دراسي لطفلكم {child}، المولود بتاريخ {birth_date}، في المدرسة "
                "التالية:"
            ),
            ("{school}\n{school_address}"),
            "أول يوم دراسي: {start}",
            (
                "يرجى تسجيل طفلكم قبل ذلك في أمانة سر المدرسة، وإحضار هذه الرسالة وبطاقة الهوية "
                "أو جواز السفر وشهادة تسجيل السكن."
            ),
            "الذهاب إلى المدرسة إلزامي ومجاني. إذا كانت لديكم أسئلة، يسعدنا أن تتواصلوا معنا.",
            ("مع أطيب التحيات\n{centre}"),
        ),
    ),
}


def default_templates() -> list[dict[str, str]]:
    """Return the texts every centre starts with: each kind in German, English and Arabic."""
    return [
        {"kind": kind, "language": language, "subject": subject, "body": "\n\n".join(body)}
        for (kind, language), (subject, body) in _DEFAULTS.items()
    ]


def ensure_templates(centre: Centre) -> int:
    """Create the default texts ``centre`` does not have yet; return how many were created.

    Texts the centre has (edited or not) stay as they are, so it can run any number of times.
    """
    created = 0
    # A set-up step of the centre itself, also run from commands: the filter names the centre.
    with scopes_disabled(), transaction.atomic():
        have = set(LetterTemplate.objects.for_centre(centre).values_list("kind", "language"))
        for data in default_templates():
            if (data["kind"], data["language"]) not in have:
                LetterTemplate.objects.create(centre=centre, **data)
                created += 1
    return created


def clean_language(code: str) -> str:
    """Return the language code normalised, or raise ``ValidationError``."""
    code = (code or "").strip().lower()
    if not LANGUAGE_CODE.match(code):
        raise ValidationError(
            {"language": _("Enter a language code of 2 or 3 letters, such as de, en or ar.")}
        )
    return code


def language_name(code: str) -> str:
    """Return the name of a language in itself (العربيّة), or its code if Django does not know it."""
    try:
        info = get_language_info(code)
    except KeyError:
        return code
    return f"{info['name_local']} ({code})"


def fill(text: str, values: Mapping[str, str]) -> str:
    """Put ``values`` in for the placeholders of ``text``; unknown placeholders stay as they are.

    The text is staff's data: it is never given to ``str.format``, which would evaluate
    attribute and index lookups in it.
    """
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def isolate(text: str) -> str:
    """Return ``text`` as a bidi isolate (FSI … PDI), so it keeps its own direction.

    WeasyPrint does not support ``unicode-bidi: isolate`` yet; the control characters do the
    same: a postcode and a town in an Arabic letter stay in their order.
    """
    return f"\u2068{text}\u2069" if text else text


def fill_html(text: str, values: Mapping[str, str]) -> SafeString:
    """Return ``text`` filled in as escaped HTML paragraphs; each value is isolated (``bdi``).

    A name in Latin script inside an Arabic sentence keeps its own direction that way.
    """
    parts = []
    position = 0
    for match in PLACEHOLDER.finditer(text):
        parts.append(escape(text[position : match.start()]))
        name = match.group(1)
        if name in values:
            lines = [isolate(escape(line)) for line in values[name].split("\n")]
            parts.append(f"<bdi>{'<br>'.join(lines)}</bdi>")
        else:
            parts.append(escape(match.group(0)))
        position = match.end()
    parts.append(escape(text[position:]))
    html = "".join(parts).replace("\r\n", "\n")
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", html) if p.strip()]
    return mark_safe(  # noqa: S308 (every part was escaped above)
        "\n".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs)
    )


def _date(day: datetime.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def school_address(school: School | None) -> str:
    if school is None:
        return ""
    town = f"{school.postcode} {school.municipality.name}".strip()
    return "\n".join(part for part in (school.street, town) if part)


def letter_values(pupil: Pupil, *, language: str) -> dict[str, str]:
    """Return the values of the placeholders for a letter about ``pupil``."""
    school = pupil.school
    if pupil.school_start:
        start = _date(pupil.school_start)
    else:
        start = START_OPEN.get(language, START_OPEN[FALLBACK_LANGUAGE]) if school else ""
    return {
        "child": pupil.full_name,
        "birth_date": _date(pupil.birth_date),
        "school": school.name if school else "",
        "school_address": school_address(school),
        "start": start,
        "centre": pupil.centre.name,
    }


def template_for(centre: Centre, kind: str, language: str) -> LetterTemplate | None:
    """Return the centre's text of ``kind`` in ``language``, or ``None``."""
    with scopes_disabled():
        return (
            LetterTemplate.objects.for_centre(centre).filter(kind=kind, language=language).first()
        )


def languages_for(centre: Centre, kind: str) -> list[str]:
    """Return the languages the centre writes letters of ``kind`` in (German first)."""
    with scopes_disabled():
        codes = set(
            LetterTemplate.objects.for_centre(centre)
            .filter(kind=kind)
            .values_list("language", flat=True)
        )
    # A centre without texts yet gets the defaults with its first letter.
    codes = codes or {language for k, language in _DEFAULTS if k == kind}
    return sorted(codes, key=lambda code: (code != FALLBACK_LANGUAGE, code))


def default_language(pupil: Pupil, kind: str = Kind.COMPULSORY_SCHOOLING) -> str:
    """Return the first guardian's language if the centre writes in it, else German."""
    guardian = pupil.guardians.order_by("pk").first()
    if guardian and guardian.language:
        code = guardian.language.strip().lower()
        if code in languages_for(pupil.centre, kind):
            return code
    return FALLBACK_LANGUAGE


def _record_letter(actor: User, pupil: Pupil, *, kind: str, language: str) -> Letter:
    language = clean_language(language)
    ensure_templates(pupil.centre)
    if template_for(pupil.centre, kind, language) is None:
        raise ValidationError(
            {
                "language": _(
                    "There is no text of this letter in “%(language)s” yet. "
                    "Add it under letter templates, or choose another language."
                )
                % {"language": language}
            }
        )
    letter = Letter(
        pupil=pupil, kind=kind, language=language, produced_on=timezone.localdate(), by=actor
    )
    letter.full_clean()
    letter.save()
    return letter


@records_actor
@transaction.atomic
def inform_parents(actor: User, pupil: Pupil, *, language: str) -> Letter:
    """Record that the parents were told about Schulpflicht in ``language`` (the letter's date)."""
    ensure_allowed(actor, "schooling.change_pupil", pupil)
    return _record_letter(actor, pupil, kind=Kind.COMPULSORY_SCHOOLING, language=language)


@records_actor
@transaction.atomic
def write_placement_letter(actor: User, pupil: Pupil, *, language: str) -> Letter:
    """Record the letter that tells the parents their child's school place."""
    ensure_allowed(actor, "schooling.change_pupil", pupil)
    if pupil.school_id is None or pupil.status not in {
        Pupil.Status.PLACED,
        Pupil.Status.STARTED,
    }:
        raise ValidationError(_("A placement letter can only be written once the pupil is placed."))
    return _record_letter(actor, pupil, kind=Kind.PLACEMENT, language=language)


@records_actor
@transaction.atomic
def save_letter_template(
    actor: User,
    centre: Centre,
    *,
    template: LetterTemplate | None = None,
    kind: str | None = None,
    language: str | None = None,
    subject: str,
    body: str,
) -> LetterTemplate:
    """Change a letter text, or add the text of a kind in a new language."""
    ensure_allowed(actor, "schooling.change_letters", template or InCentre(centre))
    if template is None:
        language = clean_language(language or "")
        if kind not in Kind.values:
            raise ValidationError({"kind": _("Choose the kind of letter.")})
        with scopes_disabled():
            exists = (
                LetterTemplate.objects.for_centre(centre)
                .filter(kind=kind, language=language)
                .exists()
            )
        if exists:
            raise ValidationError(
                {"language": _("There is already a text of this letter in this language.")}
            )
        template = LetterTemplate(centre=centre, kind=kind, language=language)
    template.subject = subject.strip()
    template.body = body.replace("\r\n", "\n").strip()
    template.full_clean()
    template.save()
    return template


# --- PDF ------------------------------------------------------------------------------------


def letter_context(letter: Letter) -> dict[str, Any]:
    """Return what the PDF of ``letter`` shows: letterhead, recipients, date, subject, text."""
    pupil = letter.pupil
    centre = pupil.centre
    template = template_for(centre, letter.kind, letter.language)
    language = letter.language
    if template is None:
        ensure_templates(centre)
        language = FALLBACK_LANGUAGE
        template = template_for(centre, letter.kind, language)
    values = letter_values(pupil, language=language)
    return {
        "centre": centre,
        "letter": letter,
        "pupil": pupil,
        "guardians": [isolate(g.name) for g in pupil.guardians.order_by("pk")],
        "address": [
            isolate(part)
            for part in (pupil.street, f"{pupil.postcode} {pupil.municipality.name}".strip())
            if part
        ],
        "centre_address": isolate(centre.address),
        "date": _date(letter.produced_on),
        "subject": fill(template.subject, values) if template else "",
        "body": fill_html(template.body, values) if template else "",
        "language": language,
    }


def letter_pdf(letter: Letter) -> bytes:
    """Return the PDF of ``letter`` in its language (right to left where the language is)."""
    context = letter_context(letter)
    return render_pdf("schooling/pdf/letter.html", context, language=context["language"])


def placed_pupils(pupils: QuerySet[Pupil], school: School, since: datetime.date) -> list[Pupil]:
    """Return the pupils of ``pupils`` placed at ``school`` on or after ``since``."""
    return list(
        pupils.filter(
            school=school,
            placed_on__gte=since,
            status__in=[Pupil.Status.PLACED, Pupil.Status.STARTED],
        ).order_by("placed_on", "last_name", "first_name", "pk")
    )


def school_notice_pdf(
    centre: Centre,
    school: School,
    pupils: Iterable[Pupil],
    *,
    since: datetime.date | None = None,
    language: str = "de",
) -> bytes:
    """Return the notice to ``school`` and the Schulamt listing its newly placed ``pupils``."""
    return render_pdf(
        "schooling/pdf/school_notice.html",
        {
            "centre": centre,
            "school": school,
            "school_address": school_address(school).split("\n"),
            "pupils": list(pupils),
            "since": since,
            "today": timezone.localdate(),
        },
        language=language,
    )
