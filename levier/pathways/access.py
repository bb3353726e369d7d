"""What a user may see of one participant: names, sensitive data, coordinator's decisions.

Scopes of records are in querysets.py; these are the finer rules of docs/permissions.md."""

from levier.accounts.enums import Role
from levier.accounts.permissions import scope_of


def is_coordinator(user, protocol) -> bool:
    scope = scope_of(user)
    return scope.is_admin or (protocol.unit_id is not None and protocol.unit_id in scope.units(Role.PLIE_COORDINATOR))


def is_controller(user, protocol) -> bool:
    scope = scope_of(user)
    return Role.FSE_CONTROLLER in scope.roles and protocol.unit_id in scope.controlled_unit_ids


def sees_names(user, pathway, *, in_list: bool = False) -> bool:
    """Everyone who may open the file sees the names, except auditors (pseudonyms only); in a list (`in_list`),
    not the FSE controller, who reads named files one by one, each read logged."""
    scope = scope_of(user)
    if scope.is_admin or is_coordinator(user, pathway.protocol):
        return True
    if is_controller(user, pathway.protocol):
        return not in_list
    if Role.REFERENT in scope.roles and (pathway.referent_id == scope.user_id
                                         or (pathway.structure_id and pathway.structure.unit_id in scope.units(Role.REFERENT))):
        return True
    return False


def sees_sensitive(user, pathway) -> bool:
    """Health, disability, RSA, debts, origin: the participant's referent and the coordinator only
    (and the FSE controller of an operation under control)."""
    scope = scope_of(user)
    return (scope.is_admin or pathway.referent_id == scope.user_id or is_coordinator(user, pathway.protocol)
            or is_controller(user, pathway.protocol))


def may_change(user, pathway) -> bool:
    scope = scope_of(user)
    if scope.is_read_only:
        return False
    return (scope.is_admin or is_coordinator(user, pathway.protocol)
            or (Role.REFERENT in scope.roles and pathway.referent_id == scope.user_id))


def may_export(user, protocol) -> bool:
    """Participants' export (pseudonymised): the coordinator, referents of the protocol's structures, auditors over
    it; never the FSE controller (reads, never exports) nor steering (aggregates only)."""
    scope = scope_of(user)
    if scope.is_admin or is_coordinator(user, protocol):
        return True
    return (Role.REFERENT in scope.roles and protocol.structures.filter(unit_id__in=scope.units(Role.REFERENT)).exists()
            or (Role.AUDITOR in scope.roles and protocol.unit_id in scope.controlled_unit_ids))


def may_export_names(user, protocol) -> bool:
    """Named exports: the coordinator only (the FSE controller reads, never exports)."""
    return is_coordinator(user, protocol)


def may_register(user, protocol, structure=None) -> bool:
    """A new participant: the protocol's coordinator, or a referent into their own structure of the protocol."""
    scope = scope_of(user)
    if scope.is_read_only:
        return False
    if scope.is_admin or is_coordinator(user, protocol):
        return True
    return (Role.REFERENT in scope.roles and structure is not None and structure.protocol_id == protocol.pk
            and structure.unit_id in scope.units(Role.REFERENT))
