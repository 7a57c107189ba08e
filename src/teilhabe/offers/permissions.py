"""Who may see and keep the offers directory."""

import rules

from teilhabe.core.permissions import has_role_in_centre_of
from teilhabe.core.roles import CENTRE_STAFF, Role
from teilhabe.network.permissions import EDITORS

sees_offers = has_role_in_centre_of(*CENTRE_STAFF)
keeps_offers = has_role_in_centre_of(*EDITORS)

rules.add_perm("offers.view_offer", sees_offers)
rules.add_perm("offers.change_offer", keeps_offers)
#: Leadership, coordination and administration decide for the centre's directory.
STEERING = (Role.LEADERSHIP, Role.COORDINATOR, Role.ADMINISTRATION)
steers_offers = has_role_in_centre_of(*STEERING)

#: Publishing is a decision of the centre's leadership, coordination or administration.
rules.add_perm("offers.publish_offer", steers_offers)
#: So are the centre's own rubrics (the defaults have no centre: nobody changes them) …
rules.add_perm("offers.change_rubric", steers_offers)
#: … and the centre's offer settings (after how long an offer is due for checking).
rules.add_perm("offers.change_settings", steers_offers)


@rules.predicate
def provides(user, offer=None) -> bool:  # type: ignore[no-untyped-def]
    """Return whether the user works for the partner organisation that provides ``offer``."""
    if not user.is_authenticated:
        return False
    organisations = {m.organisation_id for m in user.active_memberships() if m.organisation_id}
    if offer is None:
        return bool(organisations)
    return offer.provider.organisation_id is not None and (
        offer.provider.organisation_id in organisations
    )


#: Partners keep their own offers as drafts and send them for review; the centre publishes.
rules.add_perm("offers.propose_offer", provides)
