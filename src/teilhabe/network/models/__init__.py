from .actors import Actor, ActorChange, ContactPerson, FieldOfAction
from .groups import CooperationAgreement, FollowUp, GroupMember, Meeting, WorkingGroup

__all__ = [
    "Actor",
    "ActorChange",
    "ContactPerson",
    "CooperationAgreement",
    "FieldOfAction",
    "FollowUp",
    "GroupMember",
    "Meeting",
    "WorkingGroup",
]
