import io
import unicodedata

import pytest
from pypdf import PdfReader

from teilhabe.core.pdf import is_rtl, pdf_response, render_pdf, url_fetcher

DOCUMENT = """{% extends "core/pdf/base.html" %}{% load i18n %}
{% block title %}Testbrief{% endblock %}
{% block content %}<h1>{{ heading }}</h1><p>{{ body }}</p>{% endblock %}"""


@pytest.fixture
def document_template(settings, tmp_path):
    (tmp_path / "letter.html").write_text(DOCUMENT, encoding="utf-8")
    engine = dict(settings.TEMPLATES[0])
    engine["DIRS"] = [tmp_path, *engine.get("DIRS", [])]
    settings.TEMPLATES = [engine, *settings.TEMPLATES[1:]]
    return "letter.html"


def _read(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, unicodedata.normalize("NFKC", text)


def test_pdf_has_text_header_page_numbers_and_language(document_template):
    context = {"centre": {"name": "KI Kreis Coesfeld"}, "heading": "Einladung", "body": "Grüße"}
    reader, text = _read(render_pdf(document_template, context))
    assert "Einladung" in text
    assert "Grüße" in text
    assert "KI Kreis Coesfeld" in text
    assert "Seite 1 von 1" in text or "Page 1 of 1" in text
    assert reader.trailer["/Root"]["/Lang"] == "de"
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def test_english_pdf_is_tagged_english(document_template):
    reader, text = _read(render_pdf(document_template, {"heading": "Hello"}, language="en"))
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert "Page 1 of 1" in text


def test_arabic_pdf_is_right_to_left_and_keeps_the_text(document_template):
    arabic = "مرحبا بكم"
    reader, text = _read(render_pdf(document_template, {"body": arabic}, language="ar"))
    assert reader.trailer["/Root"]["/Lang"] == "ar"
    # The extracted words may come in visual order; every word must be there as text.
    for word in arabic.split():
        assert word in text or word[::-1] in text


def test_right_to_left_languages():
    assert is_rtl("ar") and is_rtl("fa-AF") and is_rtl("ckb") and is_rtl("ps")
    assert not is_rtl("de") and not is_rtl("tr")


def test_rtl_document_sets_dir(document_template):
    from django.template.loader import render_to_string

    html = render_to_string(document_template, {"pdf_language": "ar", "pdf_dir": "rtl"})
    assert '<html lang="ar" dir="rtl">' in html


def test_pdf_loads_nothing_from_outside(settings, tmp_path):
    (tmp_path / "remote.html").write_text(
        '<html lang="de"><body><img src="https://example.org/x.png" alt=""></body></html>'
    )
    engine = dict(settings.TEMPLATES[0])
    engine["DIRS"] = [tmp_path]
    settings.TEMPLATES = [engine]
    # WeasyPrint logs the refused image and renders the rest.
    reader, _text = _read(render_pdf("remote.html", {}))
    assert len(reader.pages) == 1
    with pytest.raises(ValueError, match="disallowed protocol"):
        url_fetcher()("file:///etc/passwd")


def test_pdf_response_is_a_download_that_is_not_cached():
    response = pdf_response(b"%PDF-1.7", "Hilfeplan-KIM-1.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Hilfeplan-KIM-1.pdf"'
    assert response["Cache-Control"] == "no-store"
    inline = pdf_response(b"%PDF-1.7", "Brief.pdf", inline=True)
    assert inline["Content-Disposition"].startswith("inline")
