"""Template tags for the documents part of the case file."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def document_upload_form() -> Any:
    """Return an empty upload form for ``cases/_document_upload.html``."""
    from ..document_views import DocumentUploadForm

    return DocumentUploadForm()
