"""Who may see and keep the offers directory."""

import rules

from teilhabe.core.permissions import has_role_in_centre_of
from teilhabe.core.roles import CENTRE_STAFF
from teilhabe.network.permissions import EDITORS

sees_offers = has_role_in_centre_of(*CENTRE_STAFF)
keeps_offers = has_role_in_centre_of(*EDITORS)

rules.add_perm("offers.view_offer", sees_offers)
rules.add_perm("offers.change_offer", keeps_offers)
#: Publishing is a decision of the centre's leadership, coordination or administration.
rules.add_perm(
    "offers.publish_offer",
    has_role_in_centre_of("leadership", "coordinator", "administration"),
)
