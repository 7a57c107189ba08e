"""Views of letters to parents, their texts, and the notice to a school of its new pupils."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import ListView

from teilhabe.core.audit import log_access
from teilhabe.core.pdf import pdf_response
from teilhabe.core.roles import Role
from teilhabe.core.views import PermissionMixin, TenantFormView, centre_for

from . import letters
from .letter_forms import LetterLanguageForm, LetterTemplateForm, NewLetterTemplateForm
from .models import Letter, LetterTemplate, Pupil, School

#: Roles that keep the texts of a centre's letters.
TEMPLATE_ROLES = (Role.NEWCOMER_COUNSELLOR, Role.ADMINISTRATION)
#: Days a school notice covers when no start is given.
NOTICE_DAYS = 30


def _pupil(request: HttpRequest, pk: int, perm: str) -> Pupil:
    """Return the pupil ``pk`` for ``perm``: another centre 404, another role 403."""
    if not request.user.has_perm(perm):
        raise PermissionDenied
    pupil = get_object_or_404(
        Pupil.objects.visible_to(request.user).select_related("centre", "school", "municipality"),
        pk=pk,
    )
    if not request.user.has_perm(perm, pupil):
        raise PermissionDenied
    return pupil


def pupil_url(pupil: Pupil) -> str:
    """Return the pupil's page (the start page while the pupil pages are not there)."""
    try:
        return reverse("schooling:pupil-detail", kwargs={"pk": pupil.pk})
    except NoReverseMatch:
        return reverse("core:home")


def language_choices(centre: Any, kind: str) -> list[tuple[str, str]]:
    return [(code, letters.language_name(code)) for code in letters.languages_for(centre, kind)]


def _write_letter(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    pupil = _pupil(request, pk, "schooling.change_pupil")
    letters.ensure_templates(pupil.centre)
    form = LetterLanguageForm(request.POST, languages=language_choices(pupil.centre, kind))
    if not form.is_valid():
        messages.error(request, _("Choose a language the centre has a text of this letter in."))
        return redirect(pupil_url(pupil))
    language = form.cleaned_data["language"] or letters.default_language(pupil, kind)
    service = (
        letters.inform_parents
        if kind == LetterTemplate.Kind.COMPULSORY_SCHOOLING
        else letters.write_placement_letter
    )
    try:
        letter = service(request.user, pupil, language=language)
    except ValidationError as error:
        messages.error(request, " ".join(str(m) for m in error.messages))
    else:
        messages.success(
            request,
            _("The letter “%(kind)s” (%(language)s) has been recorded; download it below.")
            % {"kind": letter.get_kind_display(), "language": letters.language_name(language)},
        )
    return redirect(pupil_url(pupil))


@login_required
@require_POST
def parents_informed(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the parents were told about Schulpflicht, with a letter in their language."""
    return _write_letter(request, pk, LetterTemplate.Kind.COMPULSORY_SCHOOLING)


@login_required
@require_POST
def placement_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the placement letter to the parents of a placed pupil."""
    return _write_letter(request, pk, LetterTemplate.Kind.PLACEMENT)


@login_required
@require_GET
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the PDF of a letter to a pupil's parents, in the letter's language."""
    if not request.user.has_perm("schooling.view_pupil"):
        raise PermissionDenied
    letter = get_object_or_404(
        Letter.objects.visible_to(request.user).select_related(
            "pupil__centre", "pupil__school__municipality", "pupil__municipality"
        ),
        pk=pk,
    )
    pupil = letter.pupil
    if not request.user.has_perm("schooling.view_pupil", pupil):
        raise PermissionDenied
    pdf = letters.letter_pdf(letter)
    log_access(request, pupil, action="export", centre=pupil.centre)
    name = (
        "Schulpflicht" if letter.kind == LetterTemplate.Kind.COMPULSORY_SCHOOLING else "Schulplatz"
    )
    return pdf_response(pdf, f"{name}-{letter.language}-{pupil.pk}-{letter.produced_on}.pdf")


def _since(value: str | None, today: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return today - datetime.timedelta(days=NOTICE_DAYS)


@login_required
@require_GET
def school_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the notice to a school and the Schulamt of the pupils placed there since a day."""
    if not request.user.has_perm("schooling.change_pupil"):
        raise PermissionDenied
    school = get_object_or_404(
        School.objects.visible_to(request.user).select_related("centre", "municipality"), pk=pk
    )
    if not request.user.has_perm("schooling.change_pupil", school):
        raise PermissionDenied
    today = timezone.localdate()
    since = _since(request.GET.get("since"), today)
    pupils = letters.placed_pupils(Pupil.objects.visible_to(request.user), school, since)
    pdf = letters.school_notice_pdf(school.centre, school, pupils, since=since)
    for pupil in pupils:
        log_access(request, pupil, action="export", centre=school.centre)
    return pdf_response(pdf, f"Mitteilung-{school.number}-{today}.pdf")


# --- Letter texts -----------------------------------------------------------------------


class LetterTemplateListView(PermissionMixin, ListView):
    """The centre's letter texts by kind and language; missing default texts are added."""

    permission_required = "schooling.change_letters"
    template_name = "schooling/letter_templates.html"
    context_object_name = "letter_templates"

    def get_queryset(self) -> QuerySet[LetterTemplate]:
        self.centre = centre_for(self.request.user, *TEMPLATE_ROLES)
        letters.ensure_templates(self.centre)
        return LetterTemplate.objects.visible_to(self.request.user).filter(centre=self.centre)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            centre=self.centre,
            kinds=LetterTemplate.Kind.choices,
            placeholders=letters.PLACEHOLDERS,
            **kwargs,
        )


class LetterTemplateUpdateView(TenantFormView):
    permission_required = "schooling.change_letters"
    template_name = "schooling/letter_template_form.html"
    form_class = LetterTemplateForm
    model = LetterTemplate
    creator_roles = TEMPLATE_ROLES

    def get_initial(self) -> dict[str, Any]:
        return {"subject": self.object.subject, "body": self.object.body}

    def get_form(self, form_class: Any = None) -> LetterTemplateForm:
        form = super().get_form(form_class)
        # The text is in the letter's language, the labels in the user's (screen readers).
        for name in ("subject", "body"):
            form.fields[name].widget.attrs["lang"] = self.object.language
        return form

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            template=self.object, language=letters.language_name(self.object.language), **kwargs
        )

    def form_valid(self, form: LetterTemplateForm) -> HttpResponse:
        try:
            template = letters.save_letter_template(
                self.request.user, self.centre, template=self.object, **form.cleaned_data
            )
        except ValidationError as error:
            return self.service_error(form, error)
        messages.success(
            self.request, _("The text “%(name)s” has been saved.") % {"name": template}
        )
        return redirect("schooling:letter-templates")


class LetterTemplateCreateView(TenantFormView):
    permission_required = "schooling.change_letters"
    template_name = "schooling/letter_template_form.html"
    form_class = NewLetterTemplateForm
    model = LetterTemplate
    creator_roles = TEMPLATE_ROLES

    def get_initial(self) -> dict[str, Any]:
        kind = self.request.GET.get("kind")
        if kind not in LetterTemplate.Kind.values:
            kind = LetterTemplate.Kind.COMPULSORY_SCHOOLING
        # The German text is the one to translate from.
        source = letters.template_for(self.centre, kind, letters.FALLBACK_LANGUAGE)
        initial: dict[str, Any] = {"kind": kind}
        if source is not None:
            initial.update(subject=source.subject, body=source.body)
        return initial

    def form_valid(self, form: NewLetterTemplateForm) -> HttpResponse:
        try:
            template = letters.save_letter_template(
                self.request.user, self.centre, **form.cleaned_data
            )
        except ValidationError as error:
            return self.service_error(form, error)
        messages.success(
            self.request, _("The text “%(name)s” has been added.") % {"name": template}
        )
        return redirect("schooling:letter-templates")
