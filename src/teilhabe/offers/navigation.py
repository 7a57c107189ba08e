from django.utils.translation import gettext_lazy as _

from teilhabe.core.navigation import NavItem, register
from teilhabe.core.roles import CENTRE_STAFF, Role

register(NavItem(_("Offers"), "offers:offer-list", frozenset(CENTRE_STAFF), 200))
register(NavItem(_("Our offers"), "offers:partner-offers", frozenset({Role.PARTNER}), 310))
