from .accounts import Membership, Organisation, User
from .audit import AccessLog
from .geography import (
    AdministrativeDistrict,
    CaseArea,
    Centre,
    Coordinates,
    District,
    Municipality,
    State,
)

__all__ = [
    "AccessLog",
    "AdministrativeDistrict",
    "CaseArea",
    "Centre",
    "Coordinates",
    "District",
    "Membership",
    "Municipality",
    "Organisation",
    "State",
    "User",
]
