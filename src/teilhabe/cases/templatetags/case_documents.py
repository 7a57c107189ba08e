"""Template tags for the documents part of the case file."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import QuerySet

register = template.Library()


@register.simple_tag
def document_upload_form() -> Any:
    """Return an empty upload form for ``cases/_document_upload.html``."""
    from ..document_views import DocumentUploadForm

    return DocumentUploadForm()


@register.simple_tag
def case_documents(case: Any) -> QuerySet:
    """Return the documents of ``case`` (the case itself was fetched through ``visible_to``)."""
    return case.documents.select_related("by").order_by("-uploaded", "-pk")
