"""Use cases on organisations, establishments and units."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from levier.core.audit import acting_as
from levier.core.errors import FieldError, InvalidInput, as_invalid_input
from levier.territories.models import Qpv
from levier.territories.services import commune_by_code

from . import rules
from .enums import OrganisationKind, UnitKind
from .models import Establishment, Organisation, Unit

ORGANISATION_FIELDS = {
    "name", "kind", "siren", "rna", "legal_form", "naf_code", "is_ess", "roles", "iae_kinds", "headcount",
    "turnover", "balance_sheet", "financial_year", "parent_siren", "group_headcount", "owner_unit",
}


def _normalise_identifiers(values: dict) -> dict:
    for key in ("siren", "parent_siren", "siret"):
        if values.get(key):
            values[key] = "".join(str(values[key]).split())
        elif key in values:
            values[key] = None if key != "parent_siren" else ""
    if values.get("rna"):
        values["rna"] = values["rna"].strip().upper()
    elif "rna" in values:
        values["rna"] = None
    return values


def _recording_unit(user) -> Unit | None:
    """The unit a staff member records organisations for: that of its staff membership (the first one when
    it has several), so that its service keeps seeing the record (`visible_to` through `owner_unit`)."""
    from levier.accounts.enums import STAFF_ROLES
    from levier.accounts.permissions import scope_of

    units = sorted(scope_of(user).units(*STAFF_ROLES)) if user is not None else []
    return Unit.objects.get(pk=units[0]) if units else None


def create_organisation(*, by=None, **values) -> Organisation:
    """Record an organisation and its whole-organisation unit, owned by the staff member's unit unless one is
    given. Refuses a duplicate SIREN."""
    unknown = set(values) - ORGANISATION_FIELDS
    if unknown:
        raise InvalidInput([FieldError(name, "Champ inconnu.") for name in sorted(unknown)])
    values = _normalise_identifiers(values)
    if values.get("owner_unit") is None:
        values["owner_unit"] = _recording_unit(by)
    organisation = Organisation(**values)
    errors = []
    try:
        organisation.full_clean(validate_unique=False)
    except ValidationError as exc:
        errors = as_invalid_input(exc).errors
    if organisation.siren and Organisation.objects.filter(siren=organisation.siren).exists():
        errors.append(FieldError("siren", f"Une organisation de SIREN {organisation.siren} existe déjà."))
    if organisation.rna and Organisation.objects.filter(rna=organisation.rna).exists():
        errors.append(FieldError("rna", f"Une association de numéro RNA {organisation.rna} existe déjà."))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic(), acting_as(by):
        organisation.save()
        Unit.objects.create(organisation=organisation, name=organisation.name, kind=UnitKind.WHOLE)
    return organisation


def update_organisation(*, organisation: Organisation, by=None, **values) -> Organisation:
    unknown = set(values) - ORGANISATION_FIELDS
    if unknown:
        raise InvalidInput([FieldError(name, "Champ inconnu.") for name in sorted(unknown)])
    values = _normalise_identifiers(values)
    with transaction.atomic(), acting_as(by):
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        for key, value in values.items():
            setattr(locked, key, value)
        try:
            locked.full_clean()
        except ValidationError as exc:
            raise as_invalid_input(exc) from exc
        locked.save()
    return locked


def add_establishment(
    *,
    organisation: Organisation,
    siret: str | None = None,
    commune_code: str | None = None,
    name: str = "",
    address: str = "",
    qpv_code: str | None = None,
    is_head_office: bool = False,
    by=None,
) -> Establishment:
    """Add an establishment. Refuses an invalid SIRET, a SIRET of another SIREN,
    an unknown INSEE code and a duplicate establishment."""
    siret = "".join((siret or "").split()) or None
    errors: list[FieldError] = []
    if siret:
        if message := rules.siret_error(siret):
            errors.append(FieldError("siret", message))
        elif organisation.siren and siret[:9] != organisation.siren:
            errors.append(
                FieldError("siret", f"Le SIRET {siret} n'appartient pas à l'organisation de SIREN {organisation.siren}.")
            )
        elif Establishment.objects.filter(siret=siret).exists():
            errors.append(FieldError("siret", f"L'établissement de SIRET {siret} existe déjà."))
    elif organisation.kind == OrganisationKind.COMPANY and not organisation.establishments.exists():
        pass  # a company's first establishment may be recorded before its SIRET is known
    commune = None
    if commune_code:
        try:
            commune = commune_by_code(commune_code)
        except InvalidInput as exc:
            errors.extend(FieldError("commune", e.message) for e in exc.errors)
    qpv = None
    if qpv_code:
        qpv = Qpv.objects.filter(code=qpv_code).first()
        if qpv is None:
            errors.append(FieldError("qpv", f"QPV inconnu : {qpv_code}."))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic(), acting_as(by):
        try:
            return Establishment.objects.create(
                organisation=organisation, siret=siret, commune=commune, name=name, address=address, qpv=qpv,
                is_head_office=is_head_office,
            )
        except IntegrityError as exc:
            raise InvalidInput.single("siret", f"L'établissement de SIRET {siret} existe déjà.") from exc


def create_unit(*, organisation: Organisation, name: str, kind: str = UnitKind.SERVICE, territories=(), by=None) -> Unit:
    if not name.strip():
        raise InvalidInput.single("name", "Le nom du service est obligatoire.")
    if kind == UnitKind.WHOLE:
        raise InvalidInput.single("kind", "L'unité « organisation entière » est créée avec l'organisation.")
    with transaction.atomic(), acting_as(by):
        unit = Unit.objects.create(organisation=organisation, name=name.strip(), kind=kind)
        if territories:
            unit.territories.set(territories)
    return unit


REFERENCE_FILE = Path(__file__).parent / "data" / "organisations.json"


def ensure_establishments(organisation: Organisation, rows: list[dict]) -> None:
    """Add the establishments of reference or demo data that are not there yet (keyed by SIRET)."""
    for row in rows:
        if not Establishment.objects.filter(siret=row["siret"]).exists():
            add_establishment(
                organisation=organisation, siret=row["siret"], commune_code=row.get("commune"),
                name=row.get("name", ""), is_head_office=row.get("is_head_office", False),
            )


def load_reference_organisations(*, path: Path = REFERENCE_FILE) -> int:
    """Load the organisations named by the seeds, their establishments and units (idempotent, atomic).

    Keyed by `reference_key`; identifiers only where a seed or the official
    referential gives them.
    """
    from levier.territories.models import Territory

    try:
        rows = json.loads(Path(path).read_text(encoding="utf-8"))["organisations"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput.single("fichier", f"Fichier des organisations illisible : {exc}") from exc
    with transaction.atomic():
        for index, row in enumerate(rows):
            field = f"organisations[{index}]"
            values = {
                "name": row["name"], "kind": row["kind"], "roles": row.get("roles", []),
                "siren": row.get("siren") or None, "iae_kinds": row.get("iae_kinds", []),
            }
            organisation = Organisation.objects.filter(reference_key=row["key"]).first()
            if organisation is None:
                organisation = create_organisation(**values)
                Organisation.objects.filter(pk=organisation.pk).update(reference_key=row["key"])
            else:
                update_organisation(organisation=organisation, **values)
            ensure_establishments(organisation, row.get("establishments", []))
            for u_index, unit_row in enumerate(row.get("units", [])):
                unit, _ = Unit.objects.update_or_create(
                    reference_key=unit_row["key"],
                    defaults={"organisation": organisation, "name": unit_row["name"], "kind": UnitKind.SERVICE},
                )
                territories = []
                for kind, code in unit_row.get("territories", []):
                    territory = Territory.objects.filter(kind=kind, code=code).first()
                    if territory is None:
                        raise InvalidInput.single(
                            f"{field}.units[{u_index}].territories", f"Territoire inconnu : {kind} {code}."
                        )
                    territories.append(territory)
                unit.territories.set(territories)
    return len(rows)


def record_control_link(*, controller: Organisation, controlled: Organisation, basis: str, by=None,
                        since=None, source: str = "") -> "ControlLink":
    """One enterprise controls another (de minimis regulations, art. 2(2)): the two are one single
    undertaking, with the enterprises linked to either of them."""
    from .enums import ControlBasis
    from .models import ControlLink

    if controller.pk == controlled.pk:
        raise InvalidInput.single("siren", "Une entreprise ne se contrôle pas elle-même.")
    if basis not in ControlBasis.values:
        raise InvalidInput.single("basis", "Lien de l'article 2, paragraphe 2 (a à d) attendu.")
    with transaction.atomic(), acting_as(by):
        first, second = sorted((controller, controlled), key=lambda o: o.pk)
        list(Organisation.objects.select_for_update().filter(pk__in=[first.pk, second.pk]).order_by("pk"))
        if ControlLink.objects.filter(controller=controller, controlled=controlled, until__isnull=True).exists():
            raise InvalidInput.single("siren", "Ce lien de contrôle est déjà enregistré.")
        return ControlLink.objects.create(controller=controller, controlled=controlled, basis=basis, since=since,
                                          source=source.strip()[:300], recorded_by=by)


def end_control_link(*, link, until, by=None) -> None:
    """The link ends (a sale, a split): aid granted after `until` no longer counts for both."""
    if link.until is not None:
        raise InvalidInput.single("until", "Ce lien a déjà pris fin.")
    if link.since is not None and until < link.since:
        raise InvalidInput.single("until", "La fin suit le début du lien.")
    with transaction.atomic(), acting_as(by):
        link.until = until
        link.save(update_fields=["until"])


def set_fiscal_year_end(*, organisation: Organisation, day: int | None, month: int | None, by=None) -> Organisation:
    """The day the organisation's fiscal year ends (31 December when not recorded)."""
    if (day is None) != (month is None):
        raise InvalidInput.single("fiscal_year_end_day", "Indiquez le jour et le mois de clôture de l'exercice.")
    if day is not None and (message := rules.fiscal_year_end_error(day, month)):
        raise InvalidInput.single("fiscal_year_end_day", message)
    with transaction.atomic(), acting_as(by):
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        locked.fiscal_year_end_day, locked.fiscal_year_end_month = day, month
        locked.save(update_fields=["fiscal_year_end_day", "fiscal_year_end_month", "updated_at"])
    return locked
