"""Pure rules of accounts: the membership workflow."""

from .enums import MEMBERSHIP_TRANSITIONS, MembershipStatus


def can_move(from_status: str, to_status: str) -> bool:
    """Declared transitions only (see MEMBERSHIP_TRANSITIONS)."""
    return to_status in MEMBERSHIP_TRANSITIONS.get(MembershipStatus(from_status), set())
