from django.utils.translation import gettext_lazy as _

from teilhabe.core.navigation import NavItem, register
from teilhabe.core.roles import CENTRE_STAFF, Role

register(NavItem(_("Offers"), "offers:offer-list", frozenset(CENTRE_STAFF), 200))
register(NavItem(_("Our offers"), "offers:partner-offers", frozenset({Role.PARTNER}), 310))
#: Next to the case management settings: what the centre decides for its directory.
_STEERING = frozenset({Role.LEADERSHIP, Role.COORDINATOR, Role.ADMINISTRATION})
register(NavItem(_("Offer settings"), "offers:settings", _STEERING, 830))
register(NavItem(_("Rubrics"), "offers:rubrics", _STEERING, 831))
