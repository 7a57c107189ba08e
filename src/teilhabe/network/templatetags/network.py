from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from teilhabe.network.models import CooperationAgreement

register = template.Library()


@register.simple_tag
def agreement_status(agreement: CooperationAgreement) -> SafeString:
    """Render the state of an agreement as a badge (text, not colour alone)."""
    status = agreement.status()
    label, tone = {
        "future": (_("not yet valid"), "info"),
        "running": (_("running"), "success"),
        "ending": (_("ends soon – renew?"), "warning"),
        "expired": (_("expired"), "danger"),
    }[status]
    return format_html(
        '<span class="kern-badge kern-badge--{}"><span class="kern-label">{}</span></span>',
        tone,
        label,
    )
