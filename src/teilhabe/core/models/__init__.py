from .accounts import Membership, Organisation, User
from .audit import AccessLog
from .geography import AdministrativeDistrict, CaseArea, Centre, District, Municipality, State

__all__ = [
    "AccessLog",
    "AdministrativeDistrict",
    "CaseArea",
    "Centre",
    "District",
    "Membership",
    "Municipality",
    "Organisation",
    "State",
    "User",
]
