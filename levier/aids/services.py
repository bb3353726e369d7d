"""Use cases of the aid catalogue: reference schemes, versions, simulation."""

import functools
import json
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from levier.core import workflow
from levier.core.errors import FieldError, InvalidInput
from levier.core.parsing import date_field, parse_decimal
from levier.organisations.models import Organisation
from levier.organisations.rules import naf_error, siret_error
from levier.territories.models import Qpv, Territory
from levier.territories.rules import normalize_name
from levier.territories.services import commune_by_code, place_and_ancestors

from . import catalogue_cache, simulation_counts
from .enums import EvaluationStatus, SchemeStatus
from .facts import Facts
from .models import SCHEME_WORKFLOW, Scheme, SchemeFinancer, SchemeVersion
from .querysets import PUBLIC_STATUSES
from .rules import CompiledRules, Evaluation, Evaluator, compile_document, validate_rules

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
    fields = {
        "name": row["name"], "summary": row["summary"], "description": row.get("description", ""),
        "operator": operator, "owner_unit": operator.units.filter(kind="whole").first(),
        "contacts": row.get("contacts", ""), "beneficiary_kinds": row["beneficiary_kinds"],
        "aid_kinds": row["aid_kinds"], "naf_sections": row.get("naf_sections", []), "opens_on": opens_on,
        "closes_on": closes_on, "provenance": row.get("provenance", ""),
        "required_documents": row.get("required_documents", DEFAULT_DOCUMENTS),
    }
    status = SchemeStatus.CLOSED if closes_on and closes_on < timezone.localdate() else SchemeStatus.PUBLISHED
    scheme = Scheme.objects.select_for_update().filter(slug=row["slug"]).first()
    if scheme is None:
        scheme = Scheme(slug=row["slug"], status=status, **fields)
        workflow.enter(scheme, by=None, action="Chargement du référentiel")
    else:
        for name, value in fields.items():
            setattr(scheme, name, value)
        scheme.save()
        if scheme.status != status and SCHEME_WORKFLOW.refusal(scheme.status, status) is None:
            workflow.move(scheme, status, by=None, action="Chargement du référentiel")
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
        number = parse_decimal(value)
    except ValueError:
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
    try:
        as_of = date_field(data.get("as_of"), "as_of", default=as_of)
    except InvalidInput as exc:
        errors += exc.errors
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

    Two queries whatever the number of schemes — the candidates with the summary of their
    published versions (rules named by their digest), the catalogue's size (cached) —, plus one
    for rules this process has not compiled yet. Schemes whose rules decide the same way (same
    interned eligibility and components, same dates) share one evaluation and one answer body;
    each distinct condition or component is evaluated once (rules.Evaluator)."""
    profile = parse_profile(data, today=today)
    candidates, reached = _candidates(profile)
    results = _results(candidates, Evaluator(profile.facts))
    if record and candidates:
        simulation_counts.record([candidate.scheme_id for candidate in candidates], profile.as_of)
    out_of_perimeter = public_scheme_count() - reached
    return {"as_of": profile.as_of.isoformat(), "results": results, "out_of_perimeter": out_of_perimeter}


def _results(candidates: list["Candidate"], evaluator: Evaluator) -> list[dict]:
    """The candidates' results in the simulator's order: eligible, incomplete, ineligible, then by
    amounts, then slug. One evaluation and one result template per distinct plan; the distinct
    orders are sorted once (comparing Decimal amounts is slow), then each order's results by slug."""
    compiled = compiled_rules_of(candidates)
    shared: dict[int | tuple, tuple] = {}  # by plan, or plan and dates when the scheme has some
    by_evaluation: dict[int, tuple] = {}  # plans that end the same way share an Evaluation (see rules.Evaluator)
    by_order: dict[tuple, list] = {}
    for candidate in candidates:
        document = compiled[candidate.rules_digest]
        opens_on, closes_on = candidate.opens_on, candidate.closes_on
        key = document.plan if opens_on is None and closes_on is None else (document.plan, opens_on, closes_on)
        found = shared.get(key)
        if found is None:
            evaluation = evaluator.evaluate(document.rules, opens_on=opens_on, closes_on=closes_on)
            found = by_evaluation.get(id(evaluation))
            if found is None:
                found = by_evaluation[id(evaluation)] = (
                    _result_template(evaluation), evaluation.status == EvaluationStatus.ELIGIBLE,
                    by_order.setdefault(_order_key(evaluation), []))
            shared[key] = found
        template, eligible, same_order = found
        result = template.copy()  # a copy of a finished dict costs less than building one
        result["scheme"], result["name"], result["operator"] = candidate.slug, candidate.name, candidate.operator
        result["rules_version"] = candidate.number
        if eligible:
            result["descriptive"] = document.descriptive
        same_order.append((candidate.slug, result))
    ordered = []
    for order in sorted(by_order):
        ordered += [result for _, result in sorted(by_order[order], key=itemgetter(0))]
    return ordered


class VersionRef(NamedTuple):
    """A published version as summarised on its scheme (Scheme.published_versions)."""

    number: int
    effective_from: date | None
    rules_digest: str
    published: bool = True


class Candidate(NamedTuple):
    """A candidate scheme with the version in effect, as plain values."""

    scheme_id: int
    slug: str
    name: str
    operator: str
    opens_on: date | None
    closes_on: date | None
    number: int
    rules_digest: str


@functools.lru_cache(maxsize=20_000)
def published_versions(text: str) -> tuple[VersionRef, ...]:
    """Scheme.published_versions read back (models.published_versions_text)."""
    versions = []
    for part in text.split(";") if text else ():
        number, effective, digest = part.split("|")
        versions.append(VersionRef(int(number), date.fromisoformat(effective) if effective else None, digest))
    return tuple(versions)


def _candidates(profile: Profile) -> tuple[list[Candidate], int]:
    """The published or closed schemes whose perimeter contains the place, each with its version
    in effect on as_of (schemes without one are left out), and how many schemes were reached.

    Plain rows from one hand-written statement (see _candidate_sql): thousands of rows are read
    per call, and the ORM's compilation and per-value conversions cost more than the query."""
    ids = sorted(profile.perimeter_ids)
    if not ids:
        return [], 0
    as_of = profile.as_of
    days: dict = {None: None}

    def day(value):  # ISO text (SQLite, at times) is converted once per distinct day; None and dates pass
        found = days.get(value, days)
        if found is days:
            found = days[value] = date.fromisoformat(value[:10]) if isinstance(value, str) else value
        return found

    candidates = []
    with connection.cursor() as cursor:
        cursor.execute(_candidate_sql(len(ids)), [*PUBLIC_STATUSES, *ids, *ids])
        rows = cursor.fetchall()
    for scheme_id, slug, name, operator_name, opens, closes, versions_text in rows:
        versions = published_versions(versions_text)
        version = versions[0] if len(versions) == 1 else None
        if version is None or (version.effective_from is not None and version.effective_from > as_of):
            version = pick_version(versions, as_of)
            if version is None:
                continue
        if type(opens) is str or type(closes) is str:
            opens, closes = day(opens), day(closes)
        candidates.append(Candidate(scheme_id, slug, name, operator_name, opens, closes, version.number,
                                    version.rules_digest))
    return candidates, len(rows)


_COMPILED_BY_DIGEST: dict[str, CompiledRules] = {}
COMPILED_LIMIT = 20_000
FETCH_CHUNK = 500


def forget_compiled_rules() -> None:
    _COMPILED_BY_DIGEST.clear()


def compiled_rules_of(candidates: list[Candidate]) -> dict[str, CompiledRules]:
    """The compiled rules of the candidates' versions, by digest: from this process's memory when
    the digest was met before (a digest names a content), else read in one query per 500 digests."""
    unknown = {c.rules_digest for c in candidates if c.rules_digest not in _COMPILED_BY_DIGEST}
    if unknown:
        if len(_COMPILED_BY_DIGEST) + len(unknown) > COMPILED_LIMIT:
            _COMPILED_BY_DIGEST.clear()
        digests = sorted(unknown)
        table = connection.ops.quote_name(SchemeVersion._meta.db_table)
        with connection.cursor() as cursor:
            for start in range(0, len(digests), FETCH_CHUNK):
                chunk = digests[start:start + FETCH_CHUNK]
                cursor.execute(f"SELECT rules_digest, CAST(rules AS TEXT) FROM {table} "
                               f"WHERE rules_digest IN ({', '.join(['%s'] * len(chunk))})", chunk)
                for digest, text in cursor.fetchall():
                    _COMPILED_BY_DIGEST[digest] = compile_document(text)
    return {c.rules_digest: _COMPILED_BY_DIGEST[c.rules_digest] for c in candidates}


@functools.lru_cache(maxsize=64)
def _candidate_sql(place_count: int) -> str:
    """Public schemes whose perimeter holds one of the places, directly or by a QPV of one of
    them — the same index on the perimeter as the search —, each once."""

    def table(model) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    def column(model, field: str) -> str:
        return connection.ops.quote_name(model._meta.get_field(field).column)

    perimeter, qpvs = Scheme.perimeter.through, Scheme.perimeter_qpvs.through
    qpv_communes = Qpv.communes.through
    places = ", ".join(["%s"] * place_count)
    return (
        f"SELECT s.id, s.slug, s.name, o.name, s.opens_on, s.closes_on, s.published_versions FROM {table(Scheme)} s "
        f"JOIN {table(Organisation)} o ON o.id = s.{column(Scheme, 'operator')} "
        f"WHERE s.status IN (%s, %s) AND s.id IN ("
        f"SELECT p.{column(perimeter, 'scheme')} FROM {table(perimeter)} p WHERE p.{column(perimeter, 'territory')} IN ({places}) "
        f"UNION ALL "
        f"SELECT q.{column(qpvs, 'scheme')} FROM {table(qpvs)} q "
        f"JOIN {table(qpv_communes)} c ON c.{column(qpv_communes, 'qpv')} = q.{column(qpvs, 'qpv')} "
        f"WHERE c.{column(qpv_communes, 'territory')} IN ({places}))"
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
             "unit": c.unit, "explanation": c.explanation, "legal_basis": c.legal_basis,
             "de_minimis": c.de_minimis}
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


def _result_template(evaluation: Evaluation) -> dict:
    """A simulator result with its keys in the answer's order, the scheme's values left empty."""
    return {"scheme": "", "name": "", "operator": "", **evaluation_body(evaluation), "descriptive": "",
            "rules_version": 0}


def result_body(scheme: Scheme, version: SchemeVersion, evaluation: Evaluation) -> dict:
    return {"scheme": scheme.slug, "name": scheme.name, "operator": scheme.operator.name,
            **evaluation_body(evaluation), "rules_version": version.number}
