"""Tenant isolation: scopes guard every query, ``visible_to`` decides what a user sees."""

import pytest
from django.db import connection
from django_scopes import scope, scopes_disabled
from django_scopes.exceptions import ScopeError

from teilhabe.core.models import CaseArea, Membership, Organisation
from teilhabe.core.tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [CaseArea, Membership, Organisation])
def test_query_on_tenant_model_without_scope_fails_loudly(model, centre):
    with pytest.raises(ScopeError):
        list(model.objects.all())
    with pytest.raises(ScopeError):
        model.objects.filter(pk=1).exists()


def test_scope_limits_rows_to_its_centres(centre, other_centre):
    with scope(centre=[centre.pk]):
        names = set(CaseArea.objects.values_list("name", flat=True))
    assert names == {"Bezirk Nord", "Bezirk Süd"}
    with scope(centre=[]):
        assert not CaseArea.objects.exists()


def test_visible_to_shows_own_centre_only(centre, other_centre, dana):
    with scopes_disabled():
        names = set(CaseArea.objects.visible_to(dana).values_list("name", flat=True))
    assert names == {"Bezirk Nord", "Bezirk Süd"}


def test_member_limited_to_a_bezirk_sees_only_that_bezirk(alice):
    with scopes_disabled():
        names = list(CaseArea.objects.visible_to(alice).values_list("name", flat=True))
    assert names == ["Bezirk Nord"]


def test_member_of_two_centres_sees_both(centre, other_centre):
    user = make_member("two@example.org", "leadership", centre)
    make_member("two@example.org", "leadership", other_centre, user=user)
    with scopes_disabled():
        centres = set(CaseArea.objects.visible_to(user).values_list("centre", flat=True))
    assert centres == {centre.pk, other_centre.pk}


def test_laki_and_anonymous_see_no_tenant_rows(laki_user, centre):
    from django.contrib.auth.models import AnonymousUser

    with scopes_disabled():
        assert not CaseArea.objects.visible_to(laki_user).exists()
        assert not CaseArea.objects.visible_to(AnonymousUser()).exists()


def test_partner_sees_no_staff_data(partner_user, centre):
    with scopes_disabled():
        assert not Membership.objects.visible_to(partner_user).exists()
        assert not CaseArea.objects.visible_to(partner_user).exists()


def test_ended_membership_gives_no_access(dana):
    with scopes_disabled():
        membership = Membership.objects.get(user=dana)
        membership.is_active = False
        membership.save()
        dana.refresh_from_db()
        dana._memberships_cache = None
        assert not CaseArea.objects.visible_to(dana).exists()


def test_request_runs_inside_the_users_scope(client, alice, other_centre):
    """A view that forgot visible_to still cannot reach another centre's rows."""
    from django_scopes import get_scope

    seen = {}

    def spy(request):
        seen["scope"] = get_scope()
        from django.http import HttpResponse

        return HttpResponse()

    from teilhabe.core.middleware import TenantScopeMiddleware

    client.force_login(alice)
    request = client.get("/").wsgi_request
    TenantScopeMiddleware(spy)(request)
    assert seen["scope"]["centre"] == [alice.centres()[0].pk]
    assert connection.vendor in {"sqlite", "postgresql"}
