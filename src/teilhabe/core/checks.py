"""System checks that keep the audit promises."""

from __future__ import annotations

from typing import Any

from django.core import checks


@checks.register(checks.Tags.models)
def audited_models_refuse_bulk_update(app_configs: Any = None, **kwargs: Any) -> list:
    """Every audited model's default manager must refuse ``QuerySet.update()``."""
    from auditlog.registry import auditlog

    from .audit import AuditedQuerySet

    errors = []
    for model in auditlog.get_models():
        queryset_class = getattr(model._default_manager, "_queryset_class", None)
        if not (queryset_class and issubclass(queryset_class, AuditedQuerySet)):
            errors.append(
                checks.Error(
                    f"{model._meta.label} is audited but its manager allows QuerySet.update().",
                    hint="Base its queryset on teilhabe.core.audit.AuditedQuerySet.",
                    obj=model,
                    id="teilhabe.E001",
                )
            )
    return errors


@checks.register(checks.Tags.security, deploy=True)
def second_factor_required(app_configs: Any = None, **kwargs: Any) -> list:
    """Outside the demo, every role that sees personal data must use a second factor."""
    from django.conf import settings

    if settings.REQUIRE_MFA or settings.DEMO:
        return []
    return [
        checks.Warning(
            "TEILHABE_REQUIRE_MFA is off: roles that see personal data log in without a second "
            "factor.",
            hint="Unset TEILHABE_REQUIRE_MFA (it is on by default); only a demo may turn it off.",
            id="teilhabe.W001",
        )
    ]
