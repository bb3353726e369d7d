"""Eligibility and amount rules as data: a small evaluator on typed records.

No user text is ever evaluated as code (docs/decisions/0014-aid-rules-engine.md).
A scheme version's rules are a JSON document:

    {"definitions": {"pmi_sections": ["C"]},
     "eligibility": <condition>,
     "components": [<component>, …],
     "descriptive": "…"}            # optional: amounts the source does not give

Conditions (three-valued: holds, fails, undecided for want of a fact):
    {"all": [c, …]}  {"any": [c, …]}  {"not": c}
    {"fact": "project.net_cdi_jobs_24m", "op": "gte", "value": 3}
        ops: eq ne lt lte gt gte in not_in
    {"territory": {"kind": "departement", "code": "94"}, "of": "establishment" | "residence"}
    {"size": "pme"}  |  {"size": "pmi"}       (PMI sections from definitions.pmi_sections)
    {"naf_section_in": ["C"]}
    {"qpv": "establishment" | "residence"}
Every condition may carry a "label": the French sentence shown in results.

Components, evaluated in order:
    {"key": "loan", "kind": "loan", "label": "Prêt",
     "per_unit": "15000", "units": "project.net_cdi_jobs_24m", "units_label": "emploi",
     "fraction": {"numerator": 1, "denominator": 3}     # at most a fraction of the units, rounded down
     | "base": "project.investment_eur", "share": "1"   # share of a base
     | "fixed": "10",                                   # a fixed quantity (consulting days)
     "cap": "225000", "requires": ["loan"], "condition": <condition>,   # sub-perimeter or other
     "legal_basis": "…", "terms": "0 %, 5 ans",
     "de_minimis": "general"}   # the de minimis regime (aids.enums.DeMinimisRegime); absent when not de minimis
"""

import functools
import hashlib
import itertools
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import NamedTuple

from levier.core.errors import FieldError
from levier.core.formats import format_date, format_number
from levier.core.formats import format_euros as _format_euros
from levier.organisations.rules import naf_section, size_category

from .enums import GRANT_KINDS, LOAN_KINDS, ComponentKind, DeMinimisRegime, EvaluationStatus
from .facts import BOOLEAN, FACTS, NUMERIC, TEXT, Facts, label

OPS = {"eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in"}
OP_WORDS = {"eq": "égal à", "ne": "différent de", "lt": "inférieur à", "lte": "au plus", "gt": "supérieur à",
            "gte": "au moins", "in": "parmi", "not_in": "hors de"}
TERRITORY_KINDS = {"region", "departement", "epci", "ept", "commune", "arrondissement", "project", "bassin"}
DEFAULT_PMI_SECTIONS = ["C"]
EMPTY: dict = {}
KIND_LABELS = {kind.value: str(kind.label) for kind in ComponentKind}
CONSULTING_DAYS = ComponentKind.CONSULTING_DAYS.value
GRANTS, LOANS = frozenset(k.value for k in GRANT_KINDS), frozenset(k.value for k in LOAN_KINDS)
ZERO_EUROS = Decimal("0.00")
DEFINITIONS_FR = {
    "pme": "PME : catégorie TPE ou PME du décret 2008-1354 (moins de 250 salariés et chiffre d'affaires ≤ 50 M€ "
           "ou total de bilan ≤ 43 M€) ; l'effectif seul donne une estimation.",
    "pmi": "PMI : PME dont la section NAF est parmi {sections}.",
}


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Check:
    """Outcome of a condition: holds (True), fails (False) or undecided (None)."""

    holds: bool | None
    reasons: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    definitions: tuple[str, ...] = ()


class ComponentResult(NamedTuple):  # a named tuple: built for every distinct component of a simulation
    key: str
    kind: str
    label: str
    amount: Decimal
    unit: str
    explanation: str
    legal_basis: str
    de_minimis: str = ""  # the component's de minimis regime (DeMinimisRegime), "" when not de minimis


class Excluded(NamedTuple):
    key: str
    label: str
    reason: str


@dataclass(eq=False)
class Evaluation:
    """The result of one scheme version for one applicant (shared between schemes that end
    the same way: never modified once built)."""

    status: str
    reasons: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    components: list[ComponentResult] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)
    definitions: list[str] = field(default_factory=list)
    descriptive: str = ""
    total_grants: Decimal = field(init=False)
    total_loans: Decimal = field(init=False)

    def __post_init__(self):
        grants = loans = ZERO_EUROS
        for component in self.components:  # a plain loop: built for every distinct outcome of a simulation
            if component.kind in GRANTS:
                grants += component.amount
            elif component.kind in LOANS:
                loans += component.amount
        self.total_grants, self.total_loans = grants, loans


# ---------------------------------------------------------------- conditions


_EUROS: dict[Decimal, str] = {}


def format_euros(amount: Decimal) -> str:
    """core.formats.format_euros, remembered: the same amounts and caps recur across schemes.
    (Equal amounts give the same text whatever their exponent: the amount is rounded to the cent first.)"""
    text = _EUROS.get(amount)
    if text is None:
        if len(_EUROS) > 10_000:
            _EUROS.clear()
        text = _EUROS[amount] = _format_euros(amount)
    return text


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fmt(fact: str, value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if fact.endswith("_eur"):
        return format_euros(Decimal(str(value)))
    if FACTS.get(fact, ("",))[0] in NUMERIC:
        return format_number(Decimal(str(value)))
    return str(value)


def _compare(op: str, actual, expected) -> bool:
    if op in ("in", "not_in"):
        found = actual in expected
        return found if op == "in" else not found
    if isinstance(expected, (int, float, str)) and not isinstance(expected, bool) and isinstance(actual, Decimal):
        expected = Decimal(str(expected))
    return {
        "eq": actual == expected, "ne": actual != expected, "lt": actual < expected, "lte": actual <= expected,
        "gt": actual > expected, "gte": actual >= expected,
    }[op]


def check(condition: dict, facts: Facts, definitions: dict) -> Check:
    """Evaluate one condition record against the facts."""
    return Evaluator(facts).check(condition, definitions)


class Evaluator:
    """Evaluates rules for one applicant.

    A condition or component record met again — the same object, as `compile_rules` interns
    identical records across scheme versions — is evaluated once: the simulator meets the
    same "PME", "département 94" or "at least 3 jobs" conditions in hundreds of schemes.
    Schemes that end the same way (same eligibility outcome, same component results) share
    one Evaluation object. The memo keeps a reference to each record so that its id cannot
    be reused."""

    def __init__(self, facts: Facts):
        self.facts = facts
        self._memo: dict[tuple, tuple[object, object]] = {}
        self._checks: dict[tuple[int, int], tuple[dict, dict, Check]] = {}
        self._components: dict[tuple, tuple[dict, dict, object]] = {}

    def _remember(self, key: tuple, record, compute):
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = (record, compute())
        return found[1]

    def check(self, condition: dict, definitions: dict) -> Check:
        key = (id(condition), id(definitions))
        found = self._checks.get(key)
        if found is None:
            found = self._checks[key] = (condition, definitions, _check(self, condition, self.facts, definitions))
        return found[2]

    def component(self, component: dict, definitions: dict, granted: frozenset[str]):
        key = (id(component), id(definitions), granted)
        found = self._components.get(key)
        if found is None:
            found = self._components[key] = (component, definitions,
                                             evaluate_component(component, self, definitions, granted))
        return found[2]

    def evaluate(self, rules: dict, *, opens_on: date | None, closes_on: date | None) -> "Evaluation":
        return _evaluate(self, rules, opens_on, closes_on)


def _check(evaluator: Evaluator, condition: dict, facts: Facts, definitions: dict) -> Check:
    if "all" in condition or "any" in condition:
        is_all = "all" in condition
        parts = [evaluator.check(c, definitions) for c in condition["all" if is_all else "any"]]
        defs = tuple(d for p in parts for d in p.definitions)
        decisive = False if is_all else True
        if any(p.holds is decisive for p in parts):
            chosen = [p for p in parts if p.holds is decisive]
            return Check(decisive, tuple(r for p in chosen for r in p.reasons), (), defs)
        if any(p.holds is None for p in parts):
            undecided = [p for p in parts if p.holds is None]
            return Check(None, tuple(r for p in undecided for r in p.reasons),
                         tuple(dict.fromkeys(m for p in undecided for m in p.missing)), defs)
        return Check(not decisive, tuple(r for p in parts for r in p.reasons), (), defs)
    if "not" in condition:
        inner = evaluator.check(condition["not"], definitions)
        text = condition.get("label")
        reasons = (text,) if text else tuple(f"Non : {r}" for r in inner.reasons)
        return Check(None if inner.holds is None else not inner.holds, reasons, inner.missing, inner.definitions)
    given = condition.get("label")
    if "fact" in condition:
        fact, op, expected = condition["fact"], condition["op"], condition["value"]
        actual = facts.number(fact) if FACTS[fact][0] in NUMERIC else facts.get(fact)
        if actual is None:
            return Check(None, (f"{_cap(label(fact))} non renseigné.",), (fact,))
        holds = _compare(op, actual, expected)
        text = given or f"{_cap(label(fact))} : {_fmt(fact, actual)} ({OP_WORDS[op]} {_fmt(fact, expected)} requis)."
        return Check(holds, (text,))
    if "territory" in condition:
        of = condition.get("of", "establishment")
        present = facts.has_place if of == "establishment" else facts.has_residence
        fact = "beneficiary.commune" if of == "establishment" else "beneficiary.residence_commune"
        if not present:
            return Check(None, ("Commune non renseignée.",), (fact,))
        places = facts.places if of == "establishment" else facts.residence_places
        target = condition["territory"]
        holds = (target["kind"], target["code"]) in places
        where = "L'établissement" if of == "establishment" else "La résidence"
        name = target.get("name") or f"{target['kind']} {target['code']}"
        text = given or f"{where} {'se trouve' if holds else 'ne se trouve pas'} dans : {name} (au {format_date(facts.as_of)})."
        return Check(holds, (text,))
    if "size" in condition:
        return _check_size(condition, facts, definitions)
    if "naf_section_in" in condition:
        naf = facts.get("beneficiary.naf")
        if not naf:
            return Check(None, ("Code NAF non renseigné.",), ("beneficiary.naf",))
        section = naf_section(naf)
        holds = section in condition["naf_section_in"]
        return Check(holds, (given or f"Section NAF {section} ({'parmi' if holds else 'hors de'} "
                                      f"{', '.join(condition['naf_section_in'])}).",))
    if "qpv" in condition:
        fact = "beneficiary.qpv" if condition["qpv"] == "establishment" else "beneficiary.residence_qpv"
        value = facts.get(fact)
        if value is None:
            return Check(None, (f"{_cap(label(fact))} non renseigné.",), (fact,))
        return Check(bool(value), (given or f"{_cap(label(fact))} : {'oui' if value else 'non'}.",))
    raise ValueError(f"Condition inconnue : {condition}")


def _check_size(condition: dict, facts: Facts, definitions: dict) -> Check:
    wanted = condition["size"]
    sections = definitions.get("pmi_sections", DEFAULT_PMI_SECTIONS)
    defs = (DEFINITIONS_FR["pme"],) + ((DEFINITIONS_FR["pmi"].format(sections=", ".join(sections)),) if wanted == "pmi" else ())
    headcount = facts.number("beneficiary.headcount")
    if headcount is None:
        return Check(None, ("Effectif non renseigné.",), ("beneficiary.headcount",), defs)
    size = size_category(headcount, facts.number("beneficiary.turnover_eur"), facts.number("beneficiary.balance_sheet_eur"))
    if size.is_sme is None:
        missing = "beneficiary.balance_sheet_eur" if facts.get("beneficiary.balance_sheet_eur") is None else "beneficiary.turnover_eur"
        return Check(None, (f"Catégorie d'entreprise indéterminée : {size.explanation}",), (missing,), defs)
    estimate = " (estimation sur l'effectif seul)" if size.estimated else ""
    if not size.is_sme:
        return Check(False, (f"Entreprise de catégorie « {size.label} » : une PME est requise.",), (), defs)
    if wanted == "pme":
        return Check(True, (f"PME{estimate} : effectif de {format_number(headcount)}.",), (), defs)
    naf = facts.get("beneficiary.naf")
    if not naf:
        return Check(None, ("Code NAF non renseigné (PMI).",), ("beneficiary.naf",), defs)
    section = naf_section(naf)
    holds = section in sections
    text = f"PMI{estimate} : section NAF {section} {'parmi' if holds else 'hors de'} {', '.join(sections)}."
    return Check(holds, (condition.get("label") or text,), (), defs)


# ---------------------------------------------------------------- components


def _units_word(count: Decimal, word: str) -> str:
    return f"{format_number(count)} {word}{'s' if count > 1 and word and not word.endswith('s') else ''}"


def _compute(component: dict, facts: Facts) -> tuple[Decimal | None, str, str]:
    """(amount before cap, formula text, reason when the base is missing)."""
    label_text = component.get("label") or KIND_LABELS[component["kind"]]
    if "fixed" in component:
        amount = Decimal(component["fixed"])
        return amount, f"{label_text} : {format_number(amount)} jour{'s' if amount > 1 else ''}", ""
    if "per_unit" in component:
        units = facts.number(component["units"])
        if units is None:
            return None, "", f"{_cap(label(component['units']))} non renseigné."
        per_unit = Decimal(component["per_unit"])
        word = component.get("units_label", "unité")
        counted = units
        detail = ""
        if "fraction" in component:
            numerator, denominator = component["fraction"]["numerator"], component["fraction"]["denominator"]
            counted = (units * numerator / denominator).to_integral_value(rounding=ROUND_FLOOR)
            detail = f" (au plus {numerator}/{denominator} des {_units_word(units, word)}, arrondi à l'inférieur)"
        amount = per_unit * counted
        formula = f"{label_text} : {format_euros(per_unit)} × {_units_word(counted, word)}{detail} = {format_euros(amount)}"
        return amount, formula, ""
    base = facts.number(component["base"])
    if base is None:
        return None, "", f"{_cap(label(component['base']))} non renseigné : composante non calculée."
    share = Decimal(component.get("share", "1"))
    amount = (base * share).quantize(Decimal("0.01"))
    if share == 1:
        formula = f"{label_text} : {label(component['base'])} de {format_euros(base)}"
    else:
        formula = f"{label_text} : {format_number(share * 100)} % de {format_euros(base)} = {format_euros(amount)}"
    return amount, formula, ""


def evaluate_component(component: dict, evaluator: Evaluator, definitions: dict, granted: frozenset[str]):
    """A ComponentResult, or an Excluded with its reason."""
    facts = evaluator.facts
    key, kind = component["key"], component["kind"]
    label_text = component.get("label") or KIND_LABELS[kind]
    missing_requirements = [r for r in component.get("requires", []) if r not in granted]
    if missing_requirements:
        return Excluded(key, label_text, f"Seulement avec : {', '.join(missing_requirements)}.")
    if "condition" in component:
        outcome = evaluator.check(component["condition"], definitions)
        if outcome.holds is not True:
            return Excluded(key, label_text, " ".join(outcome.reasons) or "Condition non remplie.")
    amount, formula, missing = _compute(component, facts)
    if amount is None:
        return Excluded(key, label_text, missing)
    unit = "days" if kind == CONSULTING_DAYS else "EUR"
    explanation = formula
    if "cap" in component:
        cap = Decimal(component["cap"])
        if amount > cap:
            explanation = f"{formula}, plafonné à {format_euros(cap)}"
            amount = cap
        else:
            explanation = f"{formula}, sous le plafond de {format_euros(cap)}"
    if unit == "EUR":
        amount = amount.quantize(Decimal("0.01"))
    if amount <= 0:
        return Excluded(key, label_text, f"{explanation} : montant nul.")
    if component.get("terms"):
        explanation = f"{explanation} ({component['terms']})"
    return ComponentResult(key, kind, label_text, amount, unit, explanation, component.get("legal_basis", ""),
                           component.get("de_minimis", ""))


# ---------------------------------------------------------------- evaluation


def evaluate(rules: dict, facts: Facts, *, opens_on: date | None = None, closes_on: date | None = None) -> Evaluation:
    """Status, amounts and reasons of one scheme version for one applicant at facts.as_of."""
    return Evaluator(facts).evaluate(rules, opens_on=opens_on, closes_on=closes_on)


HOLDS = Check(True)


def _evaluate(evaluator: Evaluator, rules: dict, opens_on: date | None, closes_on: date | None) -> Evaluation:
    as_of = evaluator.facts.as_of
    if closes_on is not None and as_of > closes_on:
        return evaluator._remember(("closed", closes_on), None, lambda: Evaluation(
            EvaluationStatus.INELIGIBLE, reasons=[f"Dispositif ouvert jusqu'au {format_date(closes_on)}"]))
    if opens_on is not None and as_of < opens_on:
        return evaluator._remember(("not-open", opens_on), None, lambda: Evaluation(
            EvaluationStatus.INELIGIBLE, reasons=[f"Dispositif ouvert à partir du {format_date(opens_on)}"]))
    definitions = rules.get("definitions", EMPTY)
    eligibility = rules.get("eligibility")
    outcome = evaluator.check(eligibility, definitions) if eligibility else HOLDS
    memo = evaluator._memo
    if outcome.holds is not True:
        key = ("outcome", id(outcome))
        if key not in memo:
            memo[key] = (outcome, _not_eligible(outcome))
        return memo[key][1]
    results, granted = [], frozenset()
    for component in rules.get("components", ()):
        result = evaluator.component(component, definitions, granted)
        results.append(result)
        if type(result) is ComponentResult:
            granted = granted | {result.key}
    key = ("eligible", id(outcome), rules.get("descriptive", ""), *map(id, results))
    if key not in memo:
        memo[key] = ((outcome, results), _eligible(outcome, results, key[2]))
    return memo[key][1]


def _eligible(outcome: Check, results: list, descriptive: str) -> Evaluation:
    return Evaluation(
        EvaluationStatus.ELIGIBLE, reasons=list(outcome.reasons),
        components=[r for r in results if isinstance(r, ComponentResult)],
        excluded=[r for r in results if isinstance(r, Excluded)],
        definitions=list(dict.fromkeys(outcome.definitions)), descriptive=descriptive)


def _not_eligible(outcome: Check) -> Evaluation:
    definitions = list(dict.fromkeys(outcome.definitions))
    if outcome.holds is False:
        return Evaluation(EvaluationStatus.INELIGIBLE, reasons=list(outcome.reasons), definitions=definitions)
    return Evaluation(EvaluationStatus.INCOMPLETE, reasons=list(outcome.reasons), missing=list(outcome.missing),
                      definitions=definitions)


# ---------------------------------------------------------------- compilation


def rules_digest(rules) -> str:
    """A name for a rules document's content (32 hexadecimal digits): equal documents, equal digests."""
    text = json.dumps(rules, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


_INTERNED: dict[str, object] = {}
INTERN_LIMIT = 50_000


_PLANS: dict[tuple, int] = {}
_plan_numbers = itertools.count()  # never restarts: documents compiled before a clear keep their numbers


class CompiledRules(NamedTuple):
    """A rules document ready to evaluate. `plan` numbers what decides its evaluation — the
    interned eligibility, definitions and components —, so that documents differing only by
    their descriptive text are evaluated once per simulation."""

    rules: dict
    plan: int
    descriptive: str


def compile_rules(text: str) -> dict:
    """A rules document read from its stored JSON text, cached, with identical condition and
    component records shared across documents (see Evaluator). Treat the result as read-only."""
    return compile_document(text).rules


@functools.lru_cache(maxsize=20_000)
def compile_document(text: str) -> CompiledRules:
    if len(_INTERNED) > INTERN_LIMIT:
        _INTERNED.clear()
        _PLANS.clear()
    rules = _intern(json.loads(text))
    # Identities of live interned records: equal for documents that decide alike. (An identity
    # is reused only once its record is gone, and with it every document that held it.)
    identities = (id(rules.get("eligibility")), id(rules.get("definitions", EMPTY)),
                  tuple(map(id, rules.get("components", ()))))
    plan = _PLANS.get(identities)
    if plan is None:
        plan = _PLANS[identities] = next(_plan_numbers)
    return CompiledRules(rules, plan, rules.get("descriptive", ""))


def _intern(value):
    if isinstance(value, dict):
        value = {k: _intern(v) for k, v in value.items()}
    elif isinstance(value, list):
        value = [_intern(v) for v in value]
    else:
        return value
    key = json.dumps(value, sort_keys=True, default=str)
    return _INTERNED.setdefault(key, value)


# ---------------------------------------------------------------- validation


def _decimal_error(value, field: str, *, positive: bool = True) -> FieldError | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return FieldError(field, f"Montant invalide : {value!r}.")
    if isinstance(value, float):
        return FieldError(field, "Les montants s'écrivent en texte décimal (\"15000\"), pas en nombre flottant.")
    if positive and number < 0:
        return FieldError(field, "Le montant ne peut pas être négatif.")
    return None


def validate_condition(condition, path: str) -> list[FieldError]:
    if not isinstance(condition, dict):
        return [FieldError(path, "Une condition est un objet.")]
    errors: list[FieldError] = []
    if "all" in condition or "any" in condition:
        key = "all" if "all" in condition else "any"
        items = condition[key]
        if not isinstance(items, list) or not items:
            return [FieldError(f"{path}.{key}", "Liste de conditions non vide attendue.")]
        for i, item in enumerate(items):
            errors += validate_condition(item, f"{path}.{key}[{i}]")
        return errors
    if "not" in condition:
        return validate_condition(condition["not"], f"{path}.not")
    if "fact" in condition:
        fact, op = condition.get("fact"), condition.get("op")
        if fact not in FACTS:
            return [FieldError(f"{path}.fact", f"Donnée inconnue : {fact!r}.")]
        if op not in OPS:
            return [FieldError(f"{path}.op", f"Opérateur inconnu : {op!r}.")]
        if "value" not in condition:
            return [FieldError(f"{path}.value", "Valeur de comparaison manquante.")]
        value, kind = condition["value"], FACTS[fact][0]
        values = value if op in ("in", "not_in") else [value]
        if op in ("in", "not_in") and not isinstance(value, list):
            return [FieldError(f"{path}.value", "Une liste est attendue avec « parmi » / « hors de ».")]
        for v in values:
            if kind in NUMERIC and (isinstance(v, bool) or not isinstance(v, (int, str)) or _decimal_error(v, path, positive=False)):
                errors.append(FieldError(f"{path}.value", f"Nombre attendu pour « {label(fact)} » : {v!r}."))
            if kind == BOOLEAN and not isinstance(v, bool):
                errors.append(FieldError(f"{path}.value", f"Oui/non attendu pour « {label(fact)} »."))
            if kind == TEXT and not isinstance(v, str):
                errors.append(FieldError(f"{path}.value", f"Texte attendu pour « {label(fact)} »."))
        return errors
    if "territory" in condition:
        target = condition["territory"]
        if not isinstance(target, dict) or target.get("kind") not in TERRITORY_KINDS or not target.get("code"):
            errors.append(FieldError(f"{path}.territory", "Territoire attendu : {\"kind\": …, \"code\": …}."))
        if condition.get("of", "establishment") not in ("establishment", "residence"):
            errors.append(FieldError(f"{path}.of", "« establishment » ou « residence » attendu."))
        return errors
    if "size" in condition:
        return [] if condition["size"] in ("pme", "pmi") else [FieldError(f"{path}.size", "« pme » ou « pmi » attendu.")]
    if "naf_section_in" in condition:
        sections = condition["naf_section_in"]
        if not isinstance(sections, list) or not all(isinstance(s, str) and len(s) == 1 and s.isupper() for s in sections):
            return [FieldError(f"{path}.naf_section_in", "Liste de sections NAF (lettres A à U) attendue.")]
        return []
    if "qpv" in condition:
        return [] if condition["qpv"] in ("establishment", "residence") else [FieldError(f"{path}.qpv", "« establishment » ou « residence » attendu.")]
    return [FieldError(path, f"Type de condition inconnu : {', '.join(sorted(condition)) or 'vide'}.")]



def validate_rules(rules) -> list[FieldError]:
    """Every error of a rules document, with its path (nothing is saved when there is one)."""
    if not isinstance(rules, dict):
        return [FieldError("rules", "Les règles sont un objet JSON.")]
    errors: list[FieldError] = []
    unknown = set(rules) - {"definitions", "eligibility", "components", "descriptive"}
    errors += [FieldError(f"rules.{k}", "Clé inconnue.") for k in sorted(unknown)]
    sections = rules.get("definitions", {}).get("pmi_sections", DEFAULT_PMI_SECTIONS)
    if not isinstance(sections, list) or not all(isinstance(s, str) and len(s) == 1 for s in sections):
        errors.append(FieldError("rules.definitions.pmi_sections", "Liste de sections NAF attendue."))
    if rules.get("eligibility") is not None:
        errors += validate_condition(rules["eligibility"], "rules.eligibility")
    components = rules.get("components", [])
    if not isinstance(components, list):
        return errors + [FieldError("rules.components", "Liste attendue.")]
    keys: list[str] = []
    for i, component in enumerate(components):
        path = f"rules.components[{i}]"
        if not isinstance(component, dict):
            errors.append(FieldError(path, "Une composante est un objet."))
            continue
        if not component.get("key"):
            errors.append(FieldError(f"{path}.key", "Clé de composante obligatoire."))
        elif component["key"] in keys:
            errors.append(FieldError(f"{path}.key", f"Clé en double : {component['key']}."))
        if component.get("kind") not in ComponentKind.values:
            errors.append(FieldError(f"{path}.kind", f"Type de composante inconnu : {component.get('kind')!r}."))
        modes = [m for m in ("fixed", "per_unit", "base") if m in component]
        if len(modes) != 1:
            errors.append(FieldError(path, "Une et une seule formule : « fixed », « per_unit » ou « base »."))
        for money in ("fixed", "per_unit", "cap", "share"):
            if money in component and (error := _decimal_error(component[money], f"{path}.{money}")):
                errors.append(error)
        for fact_key in ("units", "base"):
            if fact_key in component and (component[fact_key] not in FACTS or FACTS[component[fact_key]][0] not in NUMERIC):
                errors.append(FieldError(f"{path}.{fact_key}", f"Donnée numérique inconnue : {component[fact_key]!r}."))
        if "per_unit" in component and "units" not in component:
            errors.append(FieldError(f"{path}.units", "Le nombre d'unités (« units ») est obligatoire avec « per_unit »."))
        if "fraction" in component:
            fraction = component["fraction"]
            if not (isinstance(fraction, dict) and isinstance(fraction.get("numerator"), int)
                    and isinstance(fraction.get("denominator"), int) and fraction["denominator"] > 0
                    and 0 < fraction["numerator"] <= fraction["denominator"]):
                errors.append(FieldError(f"{path}.fraction", "Fraction attendue : numérateur et dénominateur entiers, ≤ 1."))
        for required in component.get("requires", []):
            if required not in keys:
                errors.append(FieldError(f"{path}.requires", f"« {required} » doit être une composante définie avant."))
        if "condition" in component:
            errors += validate_condition(component["condition"], f"{path}.condition")
        if component.get("de_minimis", "") not in DeMinimisRegime.values:
            errors.append(FieldError(f"{path}.de_minimis", "Régime de minimis attendu parmi : "
                                                           f"{', '.join(v for v in DeMinimisRegime.values if v)}."))
        keys.append(component.get("key", ""))
    return errors
