"""Use cases of the aid catalogue: reference schemes, versions, simulation."""

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from levier.core.errors import FieldError, InvalidInput
from levier.organisations.models import Organisation
from levier.organisations.rules import naf_error, siret_error
from levier.territories.models import Territory
from levier.territories.rules import normalize_name
from levier.territories.services import ancestors, commune_by_code

from .enums import EvaluationStatus, SchemeStatus
from .facts import Facts
from .models import Scheme, SchemeFinancer, SchemeVersion, SimulationCount
from .rules import Evaluation, evaluate, validate_rules

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
    from .search import forget_search_choices  # search imports this module's models only

    forget_search_choices()


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
    facts = Facts(
        as_of=as_of, values=values, places=_place_keys(place, as_of), residence_places=_place_keys(residence, as_of),
        has_place=place is not None, has_residence=residence is not None,
    )
    return Profile(as_of=as_of, facts=facts, place=place, residence=residence, kind=kind)


def _place_keys(place: Territory | None, on: date) -> frozenset[tuple[str, str]]:
    if place is None:
        return frozenset()
    ids = ancestors(place, on) | {place.id}
    return frozenset(Territory.objects.filter(id__in=ids).values_list("kind", "code"))


def _place_ids(place: Territory | None, on: date) -> set[int]:
    return set() if place is None else ancestors(place, on) | {place.id}


def candidate_ids(profile: Profile):
    """Ids of published or closed schemes whose perimeter contains the establishment's commune
    (or, for a project holder, the residence) at as_of — a subquery on the perimeter join."""
    place = profile.residence if profile.kind == "project_holder" and profile.residence else profile.place
    ids = _place_ids(place, profile.as_of)
    through = Scheme.perimeter.through
    by_territory = through.objects.filter(territory_id__in=ids).values("scheme_id")
    by_qpv = Scheme.perimeter_qpvs.through.objects.filter(qpv__communes__id__in=ids).values("scheme_id")
    return Scheme.objects.public().filter(Q(id__in=by_territory) | Q(id__in=by_qpv)).order_by().values("id")


def candidate_schemes(profile: Profile):
    return (
        Scheme.objects.filter(id__in=candidate_ids(profile))
        .select_related("operator")
        .only("id", "slug", "name", "opens_on", "closes_on", "status", "operator__name")
        .order_by()  # results are sorted after evaluation
    )


def simulate(data, *, today: date | None = None, record: bool = True) -> dict:
    """The simulator: every scheme of the applicant's territory, evaluated with the version in
    effect on as_of, ordered eligible, incomplete, ineligible, then by amounts and slug.

    A fixed number of queries whatever the number of schemes: candidates, their versions,
    the catalogue's size, and one upsert of the statistics."""
    profile = parse_profile(data, today=today)
    candidates = list(candidate_schemes(profile))
    versions: dict[int, list[SchemeVersion]] = {}
    for version in SchemeVersion.objects.filter(scheme_id__in=[s.id for s in candidates], published=True).only(
        "id", "scheme_id", "number", "effective_from", "rules", "published"
    ):
        versions.setdefault(version.scheme_id, []).append(version)
    results, evaluated = [], []
    for scheme in candidates:
        version = pick_version(versions.get(scheme.id, []), profile.as_of)
        if version is None:
            continue
        evaluation = evaluate(version.rules, profile.facts, opens_on=scheme.opens_on, closes_on=scheme.closes_on)
        results.append(result_body(scheme, version, evaluation))
        evaluated.append(scheme.id)
    results.sort(key=lambda r: (STATUS_ORDER[r["status"]], -Decimal(r["total_grants"]), -Decimal(r["total_loans"]), r["scheme"]))
    if record and evaluated:
        record_simulation(evaluated, profile.as_of)
    out_of_perimeter = Scheme.objects.public().count() - len(candidates)
    return {"as_of": profile.as_of.isoformat(), "results": results, "out_of_perimeter": out_of_perimeter}


def result_body(scheme: Scheme, version: SchemeVersion, evaluation: Evaluation) -> dict:
    return {
        "scheme": scheme.slug,
        "name": scheme.name,
        "operator": scheme.operator.name,
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
        "rules_version": version.number,
    }


def record_simulation(scheme_ids: list[int], day: date) -> None:
    """One more simulation for each scheme evaluated, in one upsert statement."""
    from django.db import connection

    table = SimulationCount._meta.db_table
    if connection.vendor == "postgresql":
        sql = (f"INSERT INTO {table} (scheme_id, day, count) SELECT unnest(%s::bigint[]), %s, 1 "
               f"ON CONFLICT (scheme_id, day) DO UPDATE SET count = {table}.count + 1")
        with connection.cursor() as cursor:
            cursor.execute(sql, [scheme_ids, day])
    else:  # SQLite: the ids as a JSON array (`WHERE true` lifts the upsert's parsing ambiguity)
        sql = (f"INSERT INTO {table} (scheme_id, day, count) SELECT value, %s, 1 FROM json_each(%s) WHERE true "
               f"ON CONFLICT (scheme_id, day) DO UPDATE SET count = count + 1")
        with connection.cursor() as cursor:
            cursor.execute(sql, [day.isoformat(), json.dumps(scheme_ids)])
