"""Use cases of the aid catalogue: reference schemes, versions, simulation."""

import functools
import json
from dataclasses import dataclass
from typing import NamedTuple
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from levier.core.errors import FieldError, InvalidInput
from levier.organisations.models import Organisation
from levier.organisations.rules import naf_error, siret_error
from levier.territories.models import Qpv, Territory
from levier.territories.rules import normalize_name
from levier.territories.services import commune_by_code, place_and_ancestors

from . import catalogue_cache, simulation_counts
from .enums import EvaluationStatus, SchemeStatus
from .facts import Facts
from .models import Scheme, SchemeFinancer, SchemeVersion
from .querysets import PUBLIC_STATUSES
from .rules import Evaluation, Evaluator, compile_rules, validate_rules

REFERENCE_FILE = Path(__file__).parent / "data" / "schemes.json"
DEFAULT_DOCUMENTS = [{"key": "presentation", "label": "Présentation du projet"}]
BENEFICIARY_FIELDS = {
    "kind", "siret", "commune", "residence_commune", "residence_qpv", "headcount", "turnover_eur",
    "balance_sheet_eur", "naf", "qpv",
}
PROJECT_FIELDS = {"net_cdi_jobs_24m", "investment_eur", "consulting_cost_eur"}
STATUS_ORDER = {EvaluationStatus.ELIGIBLE: 0, EvaluationStatus.INCOMPLETE: 1, EvaluationStatus.INELIGIBLE: 2}


# ---------------------------------------------------------------- reference data


def load_reference_schemes(*, path: Path = REFERENCE_FILE) -> int:
    """Load the schemes the seeds name (idempotent, atomic). Their first version is effective
    from their opening date, or without lower bound when the seed gives none."""
    try:
        rows = json.loads(Path(path).read_text(encoding="utf-8"))["schemes"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput.single("fichier", f"Fichier des dispositifs illisible : {exc}") from exc
    errors = []
    for index, row in enumerate(rows):
        errors += [FieldError(f"schemes[{index}].{e.field}", e.message) for e in validate_rules(row["rules"])]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        for index, row in enumerate(rows):
            _load_scheme(row, f"schemes[{index}]")
    return len(rows)


def _organisation(key: str, field: str) -> Organisation:
    organisation = Organisation.objects.filter(reference_key=key).first()
    if organisation is None:
        raise InvalidInput.single(field, f"Organisation de référence inconnue : {key} (lancer `levier organisations load-reference`).")
    return organisation


def _load_scheme(row: dict, field: str) -> Scheme:
    operator = _organisation(row["operator"], f"{field}.operator")
    opens_on = date.fromisoformat(row["opens_on"]) if row.get("opens_on") else None
    closes_on = date.fromisoformat(row["closes_on"]) if row.get("closes_on") else None
    scheme, _ = Scheme.objects.update_or_create(
        slug=row["slug"],
        defaults={
            "name": row["name"], "summary": row["summary"], "description": row.get("description", ""),
            "operator": operator, "owner_unit": operator.units.filter(kind="whole").first(),
            "contacts": row.get("contacts", ""), "beneficiary_kinds": row["beneficiary_kinds"],
            "aid_kinds": row["aid_kinds"], "naf_sections": row.get("naf_sections", []), "opens_on": opens_on,
            "closes_on": closes_on, "provenance": row.get("provenance", ""),
            "required_documents": row.get("required_documents", DEFAULT_DOCUMENTS),
            "status": SchemeStatus.CLOSED if closes_on and closes_on < timezone.localdate() else SchemeStatus.PUBLISHED,
        },
    )
    territories = []
    for kind, code in row.get("perimeter", []):
        territory = Territory.objects.filter(kind=kind, code=code).first()
        if territory is None:
            raise InvalidInput.single(f"{field}.perimeter", f"Territoire inconnu : {kind} {code}.")
        territories.append(territory)
    scheme.perimeter.set(territories)
    SchemeFinancer.objects.filter(scheme=scheme).delete()
    for position, key in enumerate(row.get("financers", [])):
        SchemeFinancer.objects.create(scheme=scheme, organisation=_organisation(key, f"{field}.financers"), position=position)
    first = scheme.versions.filter(number=1).first()
    if first is None:
        SchemeVersion.objects.create(scheme=scheme, number=1, effective_from=opens_on, rules=row["rules"], published=True)
    elif first.rules != row["rules"] and scheme.versions.count() == 1:
        first.rules = row["rules"]
        first.save(update_fields=["rules"])
    refresh_search_text(scheme)
    return scheme


def refresh_search_text(scheme: Scheme) -> None:
    """Accent-folded text used by the search on SQLite (and as a fallback)."""
    parts = [scheme.name, scheme.summary, scheme.description, scheme.operator.name, scheme.contacts]
    parts += [row.organisation.name for row in scheme.financer_rows.select_related("organisation")]
    parts += [t.name for t in scheme.perimeter.all()]
    sectors = [f"naf:{section}" for section in scheme.naf_sections] or ["naf:all"]
    tags = [*scheme.beneficiary_kinds, *scheme.aid_kinds, *sectors]
    Scheme.objects.filter(pk=scheme.pk).update(
        search_text=normalize_name(" ".join(parts)), filter_tags=f" {' '.join(tags)} " if tags else ""
    )
    refresh_search_vectors(Scheme.objects.filter(pk=scheme.pk))
    catalogue_cache.forget()


def refresh_search_vectors(queryset) -> None:
    """On PostgreSQL, store the French search vector of the schemes (GIN-indexed)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchVector

        queryset.update(search_vector=SearchVector("search_text", config="french"))


# ---------------------------------------------------------------- versions


def version_in_effect(scheme: Scheme, on: date) -> SchemeVersion | None:
    """The published version whose effective date is the latest on or before `on`."""
    return pick_version(scheme.versions.all(), on)


def pick_version(versions, on: date) -> SchemeVersion | None:
    """Among versions (prefetched or not): published, effective on or before `on`, the latest
    effective date winning (no lower bound counts as the earliest), then the highest number."""
    candidates = [v for v in versions if v.published and (v.effective_from is None or v.effective_from <= on)]
    if not candidates:
        return None
    return max(candidates, key=lambda v: (v.effective_from or date.min, v.number))


# ---------------------------------------------------------------- simulation


@dataclass(frozen=True)
class Profile:
    as_of: date
    facts: Facts
    place: Territory | None
    residence: Territory | None
    kind: str
    # Ids of the place (resp. residence) and of every territory containing it at as_of.
    place_ids: frozenset[int] = frozenset()
    residence_ids: frozenset[int] = frozenset()

    @property
    def perimeter_ids(self) -> frozenset[int]:
        """Where the schemes are looked for: the establishment's commune, or a project holder's residence."""
        return self.residence_ids if self.kind == "project_holder" and self.residence else self.place_ids


def _number(value, field: str, errors: list, *, integer: bool = False):
    if value is None:
        return None
    if isinstance(value, bool):
        errors.append(FieldError(field, "Nombre attendu."))
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        errors.append(FieldError(field, f"Nombre attendu, reçu « {value} »."))
        return None
    if not number.is_finite() or number < 0:
        errors.append(FieldError(field, "Le nombre doit être positif ou nul."))
        return None
    if integer and number != number.to_integral_value():
        errors.append(FieldError(field, "Nombre entier attendu."))
        return None
    return int(number) if integer else number


def _boolean(value, field: str, errors: list):
    if value is None or isinstance(value, bool):
        return value
    errors.append(FieldError(field, "Vrai ou faux attendu (true/false)."))
    return None


def parse_profile(data, *, today: date | None = None) -> Profile:
    """Validate a simulator input and turn it into facts; every error is listed with its field."""
    from .enums import BeneficiaryKind

    if not isinstance(data, dict):
        raise InvalidInput.single("", "Un objet JSON est attendu.")
    errors: list[FieldError] = []
    errors += [FieldError(k, "Champ inconnu.") for k in sorted(set(data) - {"as_of", "beneficiary", "project"})]
    beneficiary = data.get("beneficiary") or {}
    project = data.get("project") or {}
    if not isinstance(beneficiary, dict) or not isinstance(project, dict):
        raise InvalidInput.single("beneficiary" if not isinstance(beneficiary, dict) else "project", "Objet attendu.")
    errors += [FieldError(f"beneficiary.{k}", "Champ inconnu.") for k in sorted(set(beneficiary) - BENEFICIARY_FIELDS)]
    errors += [FieldError(f"project.{k}", "Champ inconnu.") for k in sorted(set(project) - PROJECT_FIELDS)]
    as_of = today or timezone.localdate()
    if data.get("as_of"):
        try:
            as_of = date.fromisoformat(str(data["as_of"]))
        except ValueError:
            errors.append(FieldError("as_of", f"Date invalide : « {data['as_of']} » (AAAA-MM-JJ attendu)."))
    kind = beneficiary.get("kind")
    if kind not in BeneficiaryKind.values:
        errors.append(FieldError("beneficiary.kind", f"Type de bénéficiaire attendu parmi {', '.join(BeneficiaryKind.values)}."))
    if beneficiary.get("siret") and (message := siret_error(str(beneficiary["siret"]))):
        errors.append(FieldError("beneficiary.siret", message))
    if beneficiary.get("naf") and (message := naf_error(str(beneficiary["naf"]))):
        errors.append(FieldError("beneficiary.naf", message))
    places = {}
    for key in ("commune", "residence_commune"):
        if beneficiary.get(key):
            try:
                places[key] = commune_by_code(str(beneficiary[key]))
            except InvalidInput as exc:
                errors.append(FieldError(f"beneficiary.{key}", exc.errors[0].message))
    values = {
        "beneficiary.kind": kind,
        "beneficiary.headcount": _number(beneficiary.get("headcount"), "beneficiary.headcount", errors),
        "beneficiary.turnover_eur": _number(beneficiary.get("turnover_eur"), "beneficiary.turnover_eur", errors),
        "beneficiary.balance_sheet_eur": _number(beneficiary.get("balance_sheet_eur"), "beneficiary.balance_sheet_eur", errors),
        "beneficiary.naf": beneficiary.get("naf") or None,
        "beneficiary.qpv": _boolean(beneficiary.get("qpv"), "beneficiary.qpv", errors),
        "beneficiary.residence_qpv": _boolean(beneficiary.get("residence_qpv"), "beneficiary.residence_qpv", errors),
        "project.net_cdi_jobs_24m": _number(project.get("net_cdi_jobs_24m"), "project.net_cdi_jobs_24m", errors, integer=True),
        "project.investment_eur": _number(project.get("investment_eur"), "project.investment_eur", errors),
        "project.consulting_cost_eur": _number(project.get("consulting_cost_eur"), "project.consulting_cost_eur", errors),
    }
    if errors:
        raise InvalidInput(errors)
    place, residence = places.get("commune"), places.get("residence_commune")
    (place_ids, place_keys), (residence_ids, residence_keys) = _places(place, as_of), _places(residence, as_of)
    facts = Facts(
        as_of=as_of, values=values, places=place_keys, residence_places=residence_keys,
        has_place=place is not None, has_residence=residence is not None,
    )
    return Profile(as_of=as_of, facts=facts, place=place, residence=residence, kind=kind,
                   place_ids=place_ids, residence_ids=residence_ids)


def _places(place: Territory | None, on: date):
    return (frozenset(), frozenset()) if place is None else place_and_ancestors(place, on)


def simulate(data, *, today: date | None = None, record: bool = True) -> dict:
    """The simulator: every scheme of the applicant's territory, evaluated with the version in
    effect on as_of, ordered eligible, incomplete, ineligible, then by amounts and slug.

    Three queries whatever the number of schemes — the candidates with their published
    versions in one fetch of plain values, the catalogue's size, one upsert of the statistics —
    and each distinct condition or component evaluated once (rules.Evaluator)."""
    profile = parse_profile(data, today=today)
    by_scheme = _candidate_versions(profile)
    evaluator = Evaluator(profile.facts)
    bodies: dict[int, tuple[tuple, dict]] = {}
    results, evaluated = [], []
    as_of = profile.as_of
    for rows in by_scheme.values():
        row = rows[0]
        if len(rows) > 1 or (row.effective_from is not None and row.effective_from > as_of):
            row = pick_version(rows, as_of)
            if row is None:
                continue
        evaluation = evaluator.evaluate(compile_rules(row.rules_text), opens_on=row.opens_on, closes_on=row.closes_on)
        shared = bodies.get(id(evaluation))
        if shared is None:
            shared = bodies[id(evaluation)] = (_order_key(evaluation), evaluation_body(evaluation))
        results.append((shared[0], row.slug, {"scheme": row.slug, "name": row.name, "operator": row.operator,
                                              **shared[1], "rules_version": row.number}))
        evaluated.append(row.scheme_id)
    results.sort(key=lambda item: (item[0], item[1]))
    if record and evaluated:
        simulation_counts.record(evaluated, profile.as_of)
    out_of_perimeter = public_scheme_count() - len(by_scheme)
    return {"as_of": profile.as_of.isoformat(), "results": [r for _, _, r in results], "out_of_perimeter": out_of_perimeter}


class VersionRow(NamedTuple):
    """A candidate scheme with one of its published versions, as plain values."""

    scheme_id: int
    slug: str
    name: str
    operator: str
    opens_on: date | None
    closes_on: date | None
    number: int
    effective_from: date | None
    rules_text: str

    @property
    def published(self) -> bool:  # only published versions are fetched
        return True


def _candidate_versions(profile: Profile) -> dict[int, list[VersionRow]]:
    """The published versions of the published or closed schemes whose perimeter contains the
    place, grouped by scheme; a scheme reached twice (by territory and by QPV) is kept once.

    Plain rows from one hand-written statement (see _candidate_sql): thousands of rows are read
    per call, and the ORM's compilation and per-value conversions cost more than the query.
    Rules come as text, decoded once per distinct text by compile_rules; dates once per day."""
    ids = sorted(profile.perimeter_ids)
    if not ids:
        return {}
    days: dict = {None: None}

    def day(value):  # SQLite gives ISO text, PostgreSQL dates; each distinct day is converted once
        found = days.get(value, days)
        if found is days:
            found = days[value] = date.fromisoformat(value[:10]) if isinstance(value, str) else value
        return found

    found: dict[int, list[VersionRow]] = {}
    with connection.cursor() as cursor:
        cursor.execute(_candidate_sql(len(ids)), [True, *PUBLIC_STATUSES, *ids] * 2)
        for scheme_id, slug, name, operator, opens, closes, number, effective, rules_text in cursor.fetchall():
            versions = found.get(scheme_id)
            if versions is None:
                versions = found[scheme_id] = []
            elif any(v.number == number for v in versions):
                continue  # reached twice: by a territory and by a QPV
            versions.append(VersionRow(scheme_id, slug, name, operator, day(opens), day(closes), number, day(effective),
                                       rules_text))
    return found


@functools.lru_cache(maxsize=64)
def _candidate_sql(place_count: int) -> str:
    """Versions of public schemes whose perimeter holds one of the places, directly or by a QPV
    of one of them — the same join through the perimeter's index as the search."""

    def table(model) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    def column(model, field: str) -> str:
        return connection.ops.quote_name(model._meta.get_field(field).column)

    perimeter, qpvs = Scheme.perimeter.through, Scheme.perimeter_qpvs.through
    qpv_communes = Qpv.communes.through
    places = ", ".join(["%s"] * place_count)
    select = (
        f"SELECT v.{column(SchemeVersion, 'scheme')}, s.slug, s.name, o.name, s.opens_on, s.closes_on, v.number, "
        f"v.effective_from, CAST(v.rules AS TEXT) FROM {table(SchemeVersion)} v "
        f"JOIN {table(Scheme)} s ON s.id = v.{column(SchemeVersion, 'scheme')} "
        f"JOIN {table(Organisation)} o ON o.id = s.{column(Scheme, 'operator')} "
    )
    where = "WHERE v.published = %s AND s.status IN (%s, %s) AND "
    return (
        f"{select}JOIN {table(perimeter)} p ON p.{column(perimeter, 'scheme')} = s.id "
        f"{where}p.{column(perimeter, 'territory')} IN ({places}) "
        f"UNION ALL "
        f"{select}JOIN {table(qpvs)} q ON q.{column(qpvs, 'scheme')} = s.id "
        f"JOIN {table(qpv_communes)} c ON c.{column(qpv_communes, 'qpv')} = q.{column(qpvs, 'qpv')} "
        f"{where}c.{column(qpv_communes, 'territory')} IN ({places})"
    )


def _order_key(evaluation: Evaluation) -> tuple:
    return (STATUS_ORDER[evaluation.status], -evaluation.total_grants, -evaluation.total_loans)


def public_scheme_count() -> int:
    """How many published or closed schemes the catalogue holds (cached; reset on every change)."""
    return catalogue_cache.remembered(catalogue_cache.COUNT_KEY, lambda: Scheme.objects.public().count())


def evaluation_body(evaluation: Evaluation) -> dict:
    """The part of a simulator result that depends on the evaluation only."""
    return {
        "status": str(evaluation.status),
        "components": [
            {"kind": c.kind, "label": c.label,
             "amount": f"{c.amount:.2f}" if c.unit == "EUR" else f"{c.amount.normalize():f}",
             "unit": c.unit, "explanation": c.explanation, "legal_basis": c.legal_basis}
            for c in evaluation.components
        ],
        "excluded": [{"label": e.label, "reason": e.reason} for e in evaluation.excluded],
        "total_grants": f"{evaluation.total_grants:.2f}",
        "total_loans": f"{evaluation.total_loans:.2f}",
        "reasons": evaluation.reasons,
        "missing": evaluation.missing,
        "definitions": evaluation.definitions,
        "descriptive": evaluation.descriptive,
    }


def result_body(scheme: Scheme, version: SchemeVersion, evaluation: Evaluation) -> dict:
    return {"scheme": scheme.slug, "name": scheme.name, "operator": scheme.operator.name,
            **evaluation_body(evaluation), "rules_version": version.number}
