"""Versions of personal data and the append-only access log."""

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.core import checks
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django_scopes import scopes_disabled

from teilhabe.core.audit import AuditedQuerySet, UnauditedWriteError, log_access
from teilhabe.core.models import AccessLog, Membership, User
from teilhabe.core.models.audit import AppendOnlyError

pytestmark = pytest.mark.django_db


def test_every_audited_model_refuses_bulk_update():
    assert auditlog.get_models(), "no model is audited"
    for model in auditlog.get_models():
        assert issubclass(model._default_manager._queryset_class, AuditedQuerySet), model
    with scopes_disabled(), pytest.raises(UnauditedWriteError):
        User.objects.filter(email="x@example.org").update(first_name="X")


def test_system_check_reports_an_audited_model_that_allows_update(settings):
    from teilhabe.core.checks import audited_models_refuse_bulk_update

    assert audited_models_refuse_bulk_update() == []
    from teilhabe.core.models import State

    auditlog.register(State)
    try:
        errors = audited_models_refuse_bulk_update()
    finally:
        auditlog.unregister(State)
    assert [e.id for e in errors] == ["teilhabe.E001"]
    assert all(isinstance(e, checks.Error) for e in errors)


def test_change_of_personal_data_is_versioned(alice):
    alice.last_name = "Neumann"
    alice.save()
    entry = LogEntry.objects.get_for_object(alice).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.changes_dict["last_name"] == ["Test", "Neumann"]


def test_password_is_never_copied_into_the_history(alice):
    alice.set_password("another-long-password")
    alice.save()
    for entry in LogEntry.objects.get_for_object(alice):
        assert "password" not in entry.changes_dict


def test_membership_changes_are_versioned_with_bezirke(alice):
    with scopes_disabled():
        membership = Membership.objects.get(user=alice)
        membership.case_areas.clear()
    entries = LogEntry.objects.get_for_object(membership)
    assert any("case_areas" in (e.changes_dict or {}) for e in entries)


def _entry(user, obj):
    request = RequestFactory().get("/somewhere/?x=1")
    request.user = user
    request.request_id = "req-12345678"
    log_access(request, obj)
    return AccessLog.objects.latest("pk")


def test_access_log_records_who_what_when(dana, alice):
    entry = _entry(dana, alice)
    assert entry.user == dana
    assert entry.user_email == "dana@example.org"
    assert entry.role == "administration"
    assert entry.action == "read"
    assert entry.content_type == ContentType.objects.get_for_model(User)
    assert entry.object_id == str(alice.pk)
    assert entry.path == "/somewhere/?x=1"
    assert entry.request_id == "req-12345678"
    assert entry.time.tzinfo is not None


def test_access_log_cannot_be_changed_or_deleted_through_the_orm(dana, alice):
    entry = _entry(dana, alice)
    entry.path = "/forged/"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.filter(pk=entry.pk).update(path="/forged/")
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.all().delete()
    assert AccessLog.objects.get(pk=entry.pk).path == "/somewhere/?x=1"


def test_access_log_refuses_an_update_in_the_database_itself(dana, alice):
    entry = _entry(dana, alice)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_accesslog SET path = %s WHERE id = %s", ["/x/", entry.pk])
    assert AccessLog.objects.get(pk=entry.pk).path == "/somewhere/?x=1"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row trigger on PostgreSQL")
def test_access_log_refuses_a_delete_in_the_database_itself(dana, alice):
    entry = _entry(dana, alice)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_accesslog WHERE id = %s", [entry.pk])
    assert AccessLog.objects.filter(pk=entry.pk).exists()


def test_data_protection_officer_sees_only_own_centre(dpo, dana, charlie, alice):
    own = _entry(dana, alice)
    _entry(charlie, charlie)
    assert list(AccessLog.objects.visible_to(dpo)) == [own]
    assert not AccessLog.objects.visible_to(dana).exists()


def test_deploy_check_warns_when_mfa_is_off_outside_the_demo(settings):
    from teilhabe.core.checks import second_factor_required

    settings.REQUIRE_MFA, settings.DEMO = True, False
    assert second_factor_required() == []
    settings.REQUIRE_MFA = False
    assert [w.id for w in second_factor_required()] == ["teilhabe.W001"]
    settings.DEMO = True
    assert second_factor_required() == []
