"""PDF documents from Django templates (WeasyPrint): tagged, A4, in the reader's language.

Documents extend ``core/pdf/base.html`` and fill its blocks. The PDF is tagged for screen
readers (PDF/UA-1); a right-to-left language (a letter to parents in Arabic) sets ``dir="rtl"``.
Nothing is fetched from the network: a template can only embed ``data:`` URLs.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import pgettext

# WeasyPrint reports every rendering step at INFO; keep that out of the logs unless asked for.
_progress_log = logging.getLogger("weasyprint.progress")
if _progress_log.level == logging.NOTSET:
    _progress_log.setLevel(logging.WARNING)

#: Languages written from right to left (Arabic, Persian, Pashto, Sorani, Urdu, Hebrew).
RTL_LANGUAGES = frozenset({"ar", "fa", "ps", "ckb", "ur", "he"})

#: The PDF variant WeasyPrint writes: tagged, with the structure PDF/UA-1 asks for.
PDF_VARIANT = "pdf/ua-1"


def is_rtl(language: str) -> bool:
    """Return whether ``language`` (a code like ``ar`` or ``fa-AF``) is written right to left."""
    return language.split("-")[0].split("_")[0].lower() in RTL_LANGUAGES


def _css_string(text: str) -> str:
    """Return ``text`` as the body of a double-quoted CSS string (for ``content:``)."""
    out = []
    for char in str(text):
        if char in '"\\<>' or ord(char) < 0x20:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return "".join(out)


def url_fetcher() -> Any:
    """Return a fetcher of inline ``data:`` URLs only: a PDF never reads the network or disk."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"})


def render_pdf(template_name: str, context: dict[str, Any], *, language: str = "de") -> bytes:
    """Render ``template_name`` with ``context`` to a tagged A4 PDF in ``language``."""
    from weasyprint import HTML

    with translation.override(language):
        now = timezone.localtime()
        full_context = {
            "pdf_language": language,
            "pdf_dir": "rtl" if is_rtl(language) else "ltr",
            "pdf_printed": now,
            # CSS margin boxes cannot hold template tags: their text is prepared here.
            "pdf_page_word": _css_string(pgettext("page numbering", "Page")),
            "pdf_of_word": _css_string(pgettext("page numbering", "of")),
            "pdf_printed_css": _css_string(
                pgettext("PDF footer", "Printed on %(date)s")
                % {"date": now.strftime("%d.%m.%Y %H:%M")}
            ),
            **context,
        }
        html = render_to_string(template_name, full_context)
        document = HTML(string=html, url_fetcher=url_fetcher(), base_url="data:,")
        return document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)


def pdf_response(pdf_bytes: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """Return ``pdf_bytes`` as a download (or shown in the browser) that is never cached."""
    response = HttpResponse(pdf_bytes, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
