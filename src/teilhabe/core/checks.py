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
