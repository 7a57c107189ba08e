from typing import Any

from django.utils.translation import gettext_lazy as _

from teilhabe.core import start
from teilhabe.core.models import User
from teilhabe.core.navigation import NavItem, register
from teilhabe.core.roles import CENTRE_STAFF, Role

register(NavItem(_("Actors"), "network:actor-list", frozenset(CENTRE_STAFF), 300))
register(NavItem(_("Working groups"), "network:group-list", frozenset(CENTRE_STAFF), 310))
register(NavItem(_("Agreements"), "network:agreement-list", frozenset(CENTRE_STAFF), 320))
register(NavItem(_("Our organisation"), "network:own-actor", frozenset({Role.PARTNER}), 300))


@start.register("network/start/_network.html", Role.LEADERSHIP, Role.COORDINATOR, order=25)
def network_panel(user: User) -> dict[str, Any]:
    """Agreements to renew and follow-ups that are due, for those who steer the network."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import FollowUp
    from .services import agreements_to_renew

    today = timezone.localdate()
    due = (
        FollowUp.objects.visible_to(user)
        .filter(done=False, due__isnull=False, due__lte=today + timedelta(days=14))
        .select_related("meeting__group")
        .order_by("due", "pk")[:10]
    )
    from .models import ActorChange

    waiting = ActorChange.objects.visible_to(user).filter(status=ActorChange.Status.PENDING)
    return {
        "renew": agreements_to_renew(user, today=today),
        "due": list(due),
        "today": today,
        "waiting": waiting.count(),
    }
