"""Back office of the catalogue: operators write their schemes and rules, catalogue
editors of the territory publish them.

Workflow (declared in enums.SCHEME_TRANSITIONS, moved by levier.core.workflow, logged in SchemeLog):
draft (operator) → in review → published (catalogue editor of the territory) → closed.
Editing a published scheme creates a new, unpublished version; it takes effect
from the day an editor publishes it. A closed scheme is never deleted.
"""

from datetime import date

from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils.text import slugify

from levier.accounts.enums import Role
from levier.accounts.permissions import scope_of
from levier.core import workflow
from levier.core.audit import acting_as
from levier.core.errors import FieldError, InvalidInput
from levier.territories.models import Territory
from levier.territories.services import composition

from . import catalogue_cache, simulation_counts
from .enums import AidKind, BeneficiaryKind, SchemeStatus
from .models import Scheme, SchemeVersion
from .rules import evaluate, validate_rules
from .services import parse_profile, refresh_search_text, result_body

EDITABLE_FIELDS = {"name", "summary", "description", "contacts", "beneficiary_kinds", "aid_kinds", "opens_on", "closes_on"}


# ---------------------------------------------------------------- who may do what


def can_edit(user, scheme: Scheme) -> bool:
    """Operators edit their own unit's schemes, nobody else's."""
    scope = scope_of(user)
    return scope.is_admin or (
        Role.OPERATOR_INSTRUCTOR in scope.roles and scheme.owner_unit_id in scope.units(Role.OPERATOR_INSTRUCTOR)
    )


def can_publish(user, scheme: Scheme, on: date) -> bool:
    """Catalogue editors publish the schemes whose perimeter meets their territory."""
    scope = scope_of(user)
    if scope.is_admin:
        return True
    if Role.CATALOGUE_EDITOR not in scope.roles:
        return False
    mine: set[int] = set()
    for territory in Territory.objects.filter(id__in=scope.territories(Role.CATALOGUE_EDITOR)):
        mine |= composition(territory, on).commune_ids
    return any(composition(t, on).commune_ids & mine for t in scheme.perimeter.all())


def manageable_schemes(user):
    """Schemes shown in the back office: one's own unit's, those one may publish, all for administrators."""
    scope = scope_of(user)
    queryset = Scheme.objects.select_related("operator").order_by("name")
    if scope.is_admin:
        return queryset
    if Role.CATALOGUE_EDITOR in scope.roles:
        return Scheme.objects.visible_to(user).select_related("operator").order_by("name")
    return queryset.filter(owner_unit_id__in=scope.units(Role.OPERATOR_INSTRUCTOR))


def statistics(schemes) -> dict[int, dict]:
    """Simulations and applications per scheme, for operators."""
    ids = [s.id for s in schemes]
    simulation_counts.flush()  # what this process counted and has not written yet
    simulations = dict(
        Scheme.objects.filter(id__in=ids).annotate(n=Sum("simulation_counts__count")).values_list("id", "n")
    )
    applications = dict(Scheme.objects.filter(id__in=ids).annotate(n=Count("applications")).values_list("id", "n"))
    return {i: {"simulations": simulations.get(i) or 0, "applications": applications.get(i) or 0} for i in ids}


# ---------------------------------------------------------------- validation


def _validate(values: dict, rules, perimeter: list[Territory]) -> list[FieldError]:
    errors = list(validate_rules(rules))
    unknown = set(values) - EDITABLE_FIELDS - {"slug"}
    errors += [FieldError(k, "Champ inconnu.") for k in sorted(unknown)]
    if not (values.get("name") or "").strip():
        errors.append(FieldError("name", "Le nom est obligatoire."))
    if not (values.get("summary") or "").strip():
        errors.append(FieldError("summary", "Le résumé est obligatoire."))
    bad_kinds = set(values.get("beneficiary_kinds") or []) - set(BeneficiaryKind.values)
    if not values.get("beneficiary_kinds") or bad_kinds:
        errors.append(FieldError("beneficiary_kinds", "Choisissez au moins un type de bénéficiaire connu."))
    if set(values.get("aid_kinds") or []) - set(AidKind.values):
        errors.append(FieldError("aid_kinds", "Nature d'aide inconnue."))
    if values.get("opens_on") and values.get("closes_on") and values["opens_on"] > values["closes_on"]:
        errors.append(FieldError("closes_on", "La date de clôture précède la date d'ouverture."))
    if not perimeter:
        errors.append(FieldError("perimeter", "Le périmètre est obligatoire (communes, EPCI, départements…)."))
    return errors


def parse_perimeter(text: str) -> list[Territory]:
    """'departement:94, epci:200054807' → territories; unknown entries are refused by name."""
    territories, errors = [], []
    for item in [part.strip() for part in (text or "").replace(";", ",").split(",") if part.strip()]:
        kind, _, code = item.partition(":")
        territory = Territory.objects.filter(kind=kind.strip(), code=code.strip()).first()
        if territory is None:
            errors.append(FieldError("perimeter", f"Territoire inconnu : « {item} » (forme attendue : departement:94)."))
        else:
            territories.append(territory)
    if errors:
        raise InvalidInput(errors)
    return territories


# ---------------------------------------------------------------- use cases


def create_scheme(*, by, unit, values: dict, rules: dict, perimeter: list[Territory]) -> Scheme:
    """A draft scheme of `unit`, with its first (unpublished) version."""
    if not (scope_of(by).is_admin or unit.id in scope_of(by).units(Role.OPERATOR_INSTRUCTOR)):
        raise InvalidInput.single("unit", "Vous ne pouvez créer des dispositifs que pour votre service.")
    errors = _validate(values, rules, perimeter)
    slug = values.get("slug") or slugify(values.get("name", ""))[:80]
    if slug and Scheme.objects.filter(slug=slug).exists():
        errors.append(FieldError("slug", f"L'identifiant « {slug} » est déjà pris."))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic(), acting_as(by):
        fields = {k: v for k, v in values.items() if k in EDITABLE_FIELDS}
        scheme = Scheme(slug=slug, operator=unit.organisation, owner_unit=unit, status=SchemeStatus.DRAFT, **fields)
        workflow.enter(scheme, by=by, action="Création")
        scheme.perimeter.set(perimeter)
        SchemeVersion.objects.create(scheme=scheme, number=1, rules=rules, created_by=by)
        refresh_search_text(scheme)
    return scheme


def update_scheme(*, scheme: Scheme, by, values: dict, rules: dict, perimeter: list[Territory]) -> SchemeVersion:
    """Edit a scheme. A draft or a scheme in review is edited in place; a published one gets a
    new version that takes effect when an editor publishes it."""
    if not can_edit(by, scheme):
        raise InvalidInput.single("scheme", "Seul l'opérateur du dispositif peut le modifier.")
    errors = _validate({**values, "slug": scheme.slug}, rules, perimeter)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic(), acting_as(by):
        locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
        if locked.status == SchemeStatus.CLOSED:
            raise InvalidInput.single("status", "Un dispositif clos ne se modifie plus.")
        for key, value in values.items():
            if key in EDITABLE_FIELDS:
                setattr(locked, key, value)
        locked.save()
        locked.perimeter.set(perimeter)
        pending = locked.versions.filter(published=False).order_by("-number").first()
        if pending is None:
            number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
            pending = SchemeVersion.objects.create(scheme=locked, number=number, rules=rules, created_by=by)
        else:
            pending.rules = rules
            pending.save(update_fields=["rules"])
        refresh_search_text(locked)
    return pending


def _move(scheme: Scheme, to_status: str, by, reason: str = "", action: str = "") -> Scheme:
    locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
    workflow.move(locked, to_status, by=by, action=action, reason=reason)
    catalogue_cache.forget()  # the public catalogue changed
    return locked


def ask_review(*, scheme: Scheme, by) -> Scheme:
    if not can_edit(by, scheme):
        raise InvalidInput.single("scheme", "Seul l'opérateur du dispositif peut demander sa relecture.")
    with transaction.atomic(), acting_as(by):
        return _move(scheme, SchemeStatus.IN_REVIEW, by, action="Demande de relecture")


def publish(*, scheme: Scheme, by, on: date) -> Scheme:
    """Publish a scheme in review, or the pending version of a published scheme, from `on`."""
    if not can_publish(by, scheme, on):
        raise InvalidInput.single("scheme", "Seul un éditeur du catalogue de ce territoire peut publier ce dispositif.")
    with transaction.atomic(), acting_as(by):
        scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
        pending = scheme.versions.select_for_update().filter(published=False).order_by("-number").first()
        if pending is None:
            raise InvalidInput.single("version", "Aucune version en attente de publication.")
        if scheme.status == SchemeStatus.IN_REVIEW:
            scheme = _move(scheme, SchemeStatus.PUBLISHED, by, action="Publication")
        elif scheme.status != SchemeStatus.PUBLISHED:
            raise InvalidInput.single("status", "Le dispositif doit être en relecture pour être publié.")
        pending.published = True
        pending.effective_from = on
        pending.save(update_fields=["published", "effective_from"])
    return scheme


def send_back(*, scheme: Scheme, by, reason: str, on: date) -> Scheme:
    if not can_publish(by, scheme, on):
        raise InvalidInput.single("scheme", "Seul un éditeur du catalogue de ce territoire peut renvoyer ce dispositif.")
    if not reason.strip():
        raise InvalidInput.single("reason", "Le motif du renvoi est obligatoire.")
    with transaction.atomic(), acting_as(by):
        return _move(scheme, SchemeStatus.DRAFT, by, reason, action="Renvoi en brouillon")


def close(*, scheme: Scheme, by, on: date) -> Scheme:
    if not (can_publish(by, scheme, on) or can_edit(by, scheme)):
        raise InvalidInput.single("scheme", "Vous ne pouvez pas clore ce dispositif.")
    with transaction.atomic(), acting_as(by):
        closed = _move(scheme, SchemeStatus.CLOSED, by, action="Clôture")
        if closed.closes_on is None or closed.closes_on > on:
            Scheme.objects.filter(pk=closed.pk).update(closes_on=on)
    return closed


def preview(*, rules: dict, profile: dict, scheme: Scheme) -> dict:
    """The simulator's answer for a test profile with rules not yet published."""
    errors = validate_rules(rules)
    if errors:
        raise InvalidInput(errors)
    parsed = parse_profile(profile)
    evaluation = evaluate(rules, parsed.facts, opens_on=scheme.opens_on, closes_on=scheme.closes_on)
    draft_version = SchemeVersion(scheme=scheme, number=0, rules=rules)
    return result_body(scheme, draft_version, evaluation)
