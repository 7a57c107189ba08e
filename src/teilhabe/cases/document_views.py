"""Views of case documents: uploads, the consent form, the help plan and the Art. 15 export."""

from __future__ import annotations

from collections.abc import Iterator

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from teilhabe.core.audit import log_access
from teilhabe.core.pdf import pdf_response

from . import documents, export
from .models import Case, Document


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of document"), choices=Document.Kind.choices)
    file = forms.FileField(
        label=gettext_lazy("File"),
        # A new document: nothing to clear, so the plain input (written without templates).
        widget=forms.FileInput(attrs={"accept": ",".join(documents.ALLOWED_TYPES)}),
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "PDF, JPEG or PNG (or a Word or OpenDocument text), at most %(max)s MB."
        ) % {"max": settings.UPLOAD_MAX_MB}


def _case(request: HttpRequest, pk: int, perm: str) -> Case:
    """Return the case ``pk`` for ``perm``: another centre or Bezirk 404, another role 403."""
    if not request.user.has_perm(perm):
        raise PermissionDenied
    case = get_object_or_404(
        Case.objects.visible_to(request.user).select_related(
            "person", "centre", "case_manager", "case_area"
        ),
        pk=pk,
    )
    if not request.user.has_perm(perm, case):
        raise PermissionDenied
    return case


def _document(request: HttpRequest, pk: int, perm: str) -> Document:
    if not request.user.has_perm(perm):
        raise PermissionDenied
    document = get_object_or_404(
        Document.objects.visible_to(request.user).select_related("case__centre"), pk=pk
    )
    # The rules ask about the case the document belongs to.
    if not request.user.has_perm(perm, document.case):
        raise PermissionDenied
    return document


def case_url(case: Case) -> str:
    """Return the case file page (the Art. 15 page until the case file exists)."""
    try:
        return reverse("cases:case-detail", kwargs={"pk": case.pk})
    except NoReverseMatch:
        return reverse("cases:person-export", kwargs={"pk": case.pk})


def _language(request: HttpRequest) -> str:
    return "en" if request.GET.get("lang") == "en" else "de"


@login_required
@require_GET
def consent_form(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the printable consent form (Schweigepflichtentbindung) of the case's person."""
    case = _case(request, pk, "cases.view_case")
    language = _language(request)
    pdf = documents.consent_form_pdf(case, language=language)
    log_access(request, case.person, action="export", centre=case.centre)
    prefix = "consent" if language == "en" else "Einwilligung"
    return pdf_response(pdf, f"{prefix}-{case.reference}.pdf")


@login_required
@require_GET
def help_plan_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the help plan of the case as PDF."""
    case = _case(request, pk, "cases.view_case")
    language = _language(request)
    pdf = documents.help_plan_pdf(case, language=language)
    log_access(request, case, action="export", centre=case.centre)
    prefix = "help-plan" if language == "en" else "Hilfeplan"
    return pdf_response(pdf, f"{prefix}-{case.reference}.pdf")


@login_required
@require_GET
def person_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Explain the Art. 15 export, or return it as JSON (``?format=json``) or PDF."""
    case = _case(request, pk, "cases.export_person")
    person = case.person
    fmt = request.GET.get("format")
    stamp = timezone.localdate().isoformat()
    if fmt == "json":
        response = HttpResponse(
            export.person_data_json(person), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = content_disposition_header(
            True, f"Auskunft-{case.reference}-{stamp}.json"
        )
        response["Cache-Control"] = "no-store"
        log_access(request, person, action="export", centre=case.centre)
        return response
    if fmt == "pdf":
        pdf = export.person_data_pdf(person, centre=case.centre)
        log_access(request, person, action="export", centre=case.centre)
        return pdf_response(pdf, f"Auskunft-{case.reference}-{stamp}.pdf")
    return render(
        request,
        "cases/person_export.html",
        {"case": case, "person": person, "back": case_url(case)},
    )


@login_required
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Keep an uploaded file with the case; the checks are the service's."""
    case = _case(request, pk, "cases.change_case")
    form = DocumentUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = [str(e) for field in form.errors.values() for e in field]
        messages.error(
            request, _("The document has not been saved: %(errors)s") % {"errors": " ".join(errors)}
        )
        return redirect(case_url(case))
    try:
        document = documents.upload_document(
            request.user, case, kind=form.cleaned_data["kind"], file=form.cleaned_data["file"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("“%(name)s” has been saved.") % {"name": document.name})
    return redirect(case_url(case))


def _chunks(document: Document, size: int = 64 * 1024) -> Iterator[bytes]:
    """Yield the file's bytes; it is opened only when sent and always closed."""
    with document.file.storage.open(document.file.name, "rb") as handle:
        while chunk := handle.read(size):
            yield chunk


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a case document as a download, never shown inline."""
    document = _document(request, pk, "cases.view_case")
    log_access(request, document, action="read", centre=document.case.centre)
    response = StreamingHttpResponse(
        _chunks(document), content_type=document.content_type or "application/octet-stream"
    )
    response["Content-Disposition"] = content_disposition_header(True, document.name)
    response["Content-Length"] = str(document.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def document_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a case document and its file."""
    document = _document(request, pk, "cases.change_case")
    case = document.case
    name = document.name
    documents.delete_document(request.user, document)
    messages.success(request, _("“%(name)s” has been deleted.") % {"name": name})
    return redirect(case_url(case))
