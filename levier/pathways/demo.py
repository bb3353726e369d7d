"""Demo records of the PLIE du Pays d'Aix (seed 002), loaded by `levier demo` and `levier pathways load-demo`.

- both protocols animated by the PLIE's unit (`plie-pays-aix`), so the demo coordinator coordinates them;
- 2018-2022: the accompaniment contract in five lots, one per bassin de vie, held by invented associations
  (levier/demo/data.py), and 7 referents ("7 sur 2020"), the demo `referent` in lot 1;
- 2013-2017: the file rebuilt to give seed 002's table (seed_file.py), imported;
- 2018-2022: 150 invented participants (deterministic), entered and followed through the services — entry,
  eligibility, steps of every kind, contacts, transfers, exits — as of AS_OF, so the caseload shows its
  alerts (no contact for 2 months, pathway beyond 18 months, exit to validate or awaiting its 6 months).

Idempotent and atomic: what exists is kept, nothing is written twice. Business dates are constants here.
"""

import random
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from levier.core.dates import add_months, month_end
from levier.core.errors import InvalidInput
from levier.core.formats import format_date, format_number

from .enums import ContactKind, EligibilityCriterion, ExitCategory, PathwayStatus, StepKind

AS_OF = date(2022, 6, 30)  # reference date of the 2018-2022 demo pathways
REPORT_2013_AS_OF = date(2018, 6, 30)
PLIE_UNIT = "plie-pays-aix"
PROTOCOL_2013, PROTOCOL_2018 = "plie-pays-aix-2013-2017", "plie-pays-aix-2018-2022"
MARKET_START, MARKET_END = date(2018, 1, 1), date(2022, 12, 31)
EXTERNAL_PREFIX = "DEMO-"
SEED = 2018
WIMOOV_FROM = date(2020, 1, 1)  # seed 002: the partnership with WIMOOV, from 2020

# Participants per referent (150 in all; the demo `referent` follows 20).
REFERENT_WEIGHTS = {"referent": 20, "referent-centre": 24, "referent-sud": 24, "referent-sud-2": 22,
                    "referent-durance": 22, "referent-trevaresse": 18, "referent-arc": 20}
# Scenarios, in the order the referents are dealt (each referent gets a share of each).
SCENARIOS = [("validated", 24), ("to_validate", 5), ("awaiting", 9), ("committee", 1), ("other_exit", 14),
             ("iae", 14), ("training_step", 8), ("short_job", 4), ("active", 66), ("pending", 3), ("refused", 2)]
VALIDATED = ["cdi"] * 7 + ["cdd"] * 6 + ["interim"] * 4 + ["training"] * 4 + ["business"] * 3
TO_VALIDATE = ["cdi", "cdi", "cdd", "interim", "business"]
AWAITING = ["cdi", "cdi", "cdi", "cdd", "cdd", "aided", "interim", "interim", "business"]
OTHER_EXITS = ["dropout"] * 7 + ["moved"] * 4 + ["other"] * 2 + ["retirement"]

MAIN_TOWNS = {  # most participants live in the bassin's main towns
    "pays-aix-centre": ["13001"], "pays-aix-sud": ["13117", "13041", "13071"], "pays-aix-val-de-durance": ["84089"],
    "pays-aix-cotes-trevaresse": ["13050"], "pays-aix-haute-vallee-arc": ["13110", "13040"],
}
QPV = {"13001": ["QP013001", "QP013002", "QP013003", "QP013004"], "13117": ["QP013008"], "13041": ["QP013009"],
       "84089": ["QP084005"]}  # levier/territories/data/qpv-seeds.json
PRESCRIBERS = {"pole_emploi": 35, "pole_insertion": 15, "bme": 14, "ccas": 10, "mission_locale": 8, "caf": 5,
               "cap_emploi": 4, "other": 9}
LEVELS = {"VI": 14, "Vbis": 15, "V": 35, "IV": 22, "III": 9, "II": 3, "I": 2}

EMPLOYERS = [
    ("Ateliers provençaux de mécanique (entreprise fictive)", "opérateur de production"),
    ("Durance Bois Construction (entreprise fictive)", "aide-charpentier"),
    ("Logistique de l'Arbois (entreprise fictive)", "préparateur de commandes"),
    ("Propreté Sainte-Victoire (entreprise fictive)", "agent de propreté"),
    ("Résidence Les Oliviers (établissement fictif)", "agent de service"),
    ("Restaurant du Cours (entreprise fictive)", "commis de cuisine"),
    ("Espaces verts du Pays d'Aix (entreprise fictive)", "ouvrier paysagiste"),
    ("Transports de la Durance (entreprise fictive)", "chauffeur-livreur"),
    ("Aide à domicile Trévaresse (association fictive)", "aide à domicile"),
    ("Supermarché des Milles (entreprise fictive)", "employé de libre-service"),
]
INTERIM_AGENCY = "Intérim Pays d'Aix (agence fictive)"
TRAINING_CENTRE = "Centre de formation de l'Arbois (organisme fictif)"
QUALIFYING_TRAININGS = [
    ("Titre professionnel agent de propreté et d'hygiène", 620, "Ministère du Travail"),
    ("Titre professionnel préparateur de commandes en entrepôt", 700, "Ministère du Travail"),
    ("Titre professionnel assistant de vie aux familles", 840, "Ministère du Travail"),
    ("CAP accompagnant éducatif petite enfance", 910, "Ministère de l'Éducation nationale"),
]
OTHER_TRAININGS = [
    ("Remise à niveau en français et en mathématiques", 140), ("Atelier de techniques de recherche d'emploi", 35),
    ("Initiation au numérique et aux démarches en ligne", 42), ("Préparation au code de la route", 60),
]
BUSINESSES = [
    ("Micro-entreprise de petits travaux de jardinage", True, Decimal("980.00")),
    ("Micro-entreprise de couture et retouches", True, Decimal("1120.00")),
    ("Reprise d'un snack à Vitrolles (SARL)", False, None),
    ("Micro-entreprise de nettoyage de vitres", True, Decimal("890.00")),
    ("Micro-entreprise de livraison à vélo", True, Decimal("1050.00")),
]
CONTACT_NOTES = {
    ContactKind.APPOINTMENT: ["Point sur le projet professionnel et les candidatures en cours.",
                              "Préparation d'un entretien d'embauche.", "Bilan de l'étape en cours.",
                              "Mise à jour du CV et de la lettre de motivation.", "Point sur les freins périphériques."],
    ContactKind.PHONE: ["Relance après une candidature.", "Confirmation du prochain rendez-vous.",
                        "Nouvelles de l'étape en cours."],
    ContactKind.NOTE: ["Offre transmise par la chargée de relations entreprises.",
                       "Échange avec le prescripteur sur la situation.", "Dossier d'aide à la mobilité transmis."],
}
OTHER_EXIT_REASONS = {
    "dropout": "Ne se présente plus aux rendez-vous ; trois relances sans réponse.",
    "moved": "Déménagement hors du territoire du PLIE.",
    "other": "Orientation vers un dispositif plus adapté : accompagnement social global du Département.",
    "retirement": "Départ à la retraite.",
}


@dataclass
class Plan:
    """One demo participant: who, where, and the dated events of its pathway."""

    index: int
    scenario: str
    variant: str
    referent: object
    structure: object
    data: dict = field(default_factory=dict)
    criteria: list = field(default_factory=list)
    events: list = field(default_factory=list)
    transfer_targets: dict = field(default_factory=dict)  # "to" of a transfer event → (referent, structure)

    def add(self, day: date, event: str, /, **payload) -> None:
        self.events.append((day, len(self.events), event, payload))


def load_demo() -> str:
    """Load the PLIE demo (idempotent, atomic) and say in French what it holds."""
    from levier.demo.services import refuse_in_production

    refuse_in_production()
    with transaction.atomic():
        protocols = _protocols()
        plie = _plie_unit()
        for protocol in protocols.values():
            if protocol.unit_id != plie.pk:
                protocol.unit = plie
                protocol.save(update_fields=["unit", "updated_at"])
        coordinator = _role_user("coordinateur")
        structures = _structures(protocols[PROTOCOL_2018])
        referents = _referents(structures)
        _import_history(protocols[PROTOCOL_2013], by=coordinator)
        if not protocols[PROTOCOL_2018].pathways.filter(external_id__startswith=EXTERNAL_PREFIX).exists():
            _participants(protocols[PROTOCOL_2018], coordinator, structures, referents)
        _fse_questionnaires(protocols[PROTOCOL_2018], coordinator)
        return summary(protocols, plie, structures, referents)


def _fse_questionnaires(protocol, coordinator) -> None:
    """Entry questionnaires for most participants, exit and six-month ones for most who left (a few
    left blank on purpose, so that the list of missing answers shows)."""
    from .enums import FseMoment, LabourStatus, PathwayStatus
    from .fse import follow_up_due_on
    from .models import FseQuestionnaire, Pathway
    from .questionnaires import record_questionnaire

    if FseQuestionnaire.objects.filter(pathway__protocol=protocol).exists():
        return
    rng = random.Random(2018)
    pathways = (Pathway.objects.filter(protocol=protocol, external_id__startswith=EXTERNAL_PREFIX)
                .exclude(status__in=[PathwayStatus.PENDING, PathwayStatus.REFUSED]).select_related("protocol")
                .order_by("external_id"))
    for pathway in pathways:
        if rng.random() < 0.1:
            continue
        unemployed = pathway.unemployment_months is not None or rng.random() < 0.8
        record_questionnaire(pathway=pathway, by=coordinator, moment=FseMoment.ENTRY, data={
            "answered_on": pathway.entry_date,
            "labour_status": LabourStatus.UNEMPLOYED if unemployed else LabourStatus.INACTIVE,
            "in_education": False, "homeless": bool(pathway.housing_difficulty) and rng.random() < 0.3,
            "third_country_national": _pick(rng, {"no": 8, "yes": 1, "declined": 1}),
            "minority": _pick(rng, {"no": 8, "declined": 2}),
            "other_disadvantaged": _pick(rng, {"no": 5, "yes": 4, "declined": 1})})
        if pathway.exit_date is None or pathway.exit_date > AS_OF:
            continue
        positive = bool(pathway.exit_category)
        record_questionnaire(pathway=pathway, by=coordinator, moment=FseMoment.EXIT, data={
            "answered_on": pathway.exit_date,
            "labour_status": LabourStatus.EMPLOYED if positive and pathway.exit_category != "training"
            else LabourStatus.UNEMPLOYED,
            "job_searching": not positive, "in_education": pathway.exit_category == "training",
            "qualification_gained": pathway.exit_category == "training" and rng.random() < 0.7})
        due = follow_up_due_on(pathway.exit_date)
        if due <= AS_OF and rng.random() < 0.8:
            record_questionnaire(pathway=pathway, by=coordinator, moment=FseMoment.FOLLOW_UP, data={
                "answered_on": due, "labour_status": LabourStatus.EMPLOYED if positive else LabourStatus.UNEMPLOYED})


# ---------------------------------------------------------------- set-up


def _protocols() -> dict:
    from .models import Protocol
    from .services import load_reference_protocols

    if Protocol.objects.filter(slug__in=[PROTOCOL_2013, PROTOCOL_2018]).count() < 2:
        load_reference_protocols()
    return {p.slug: p for p in Protocol.objects.filter(slug__in=[PROTOCOL_2013, PROTOCOL_2018])}


def _plie_unit():
    from levier.organisations.models import Unit

    unit = Unit.objects.filter(reference_key=PLIE_UNIT).first()
    if unit is None:
        raise InvalidInput.single("unit", "Équipe du PLIE du Pays d'Aix absente : lancer d'abord "
                                          "`levier organisations load-reference`.")
    return unit


def _user_spec(prefix: str) -> tuple:
    from levier.demo import data

    return next(row for row in data.USERS if row[0] == prefix)


def _role_user(prefix: str):
    """A demo user of data.USERS (created when `levier demo` has not run yet)."""
    from levier.accounts.models import User
    from levier.demo import data
    from levier.demo.services import ensure_demo_user
    from levier.organisations.models import Unit

    user = User.objects.filter(email=f"{prefix}@{data.EMAIL_DOMAIN}").first()
    if user is not None:
        return user
    _, first, last, role, unit_key, scope_keys = _user_spec(prefix)
    unit = Unit.objects.filter(reference_key=unit_key).first() or _lot_holder_unit(unit_key)
    return ensure_demo_user(prefix, first, last, role, unit,
                            scope_units=list(Unit.objects.filter(reference_key__in=scope_keys)))[0]


def _lot_holder_unit(key: str):
    from levier.demo import data
    from levier.demo.services import _fictitious_organisation
    from levier.organisations.enums import UnitKind

    spec = next(s for s in data.PLIE_LOT_HOLDERS if s["key"] == key)
    return _fictitious_organisation(spec).units.get(kind=UnitKind.WHOLE)


def _structures(protocol) -> dict:
    """Lot number → structure of the 2018-2022 accompaniment contract."""
    from levier.demo import data
    from levier.territories.models import Territory

    from .models import Structure

    structures = {}
    for spec in data.PLIE_LOT_HOLDERS:
        unit = _lot_holder_unit(spec["key"])
        bassin = Territory.objects.filter(kind="bassin", code=spec["bassin"]).first()
        if bassin is None:
            raise InvalidInput.single("bassin", f"Bassin de vie inconnu : {spec['bassin']} (lancer "
                                                "`levier territories load-reference`).")
        structure = Structure.objects.filter(protocol=protocol, lot=spec["lot"]).first()
        if structure is None:
            structure = Structure.objects.create(
                protocol=protocol, unit=unit, lot=spec["lot"], bassin=bassin, name=unit.organisation.name,
                starts_on=MARKET_START, ends_on=MARKET_END)
        structures[spec["lot"]] = structure
    return structures


def _referents(structures: dict) -> dict:
    """Email prefix → referent; the demo `referent` joins the lot 1 holder (its other referent roles end)."""
    from levier.accounts.enums import Role
    from levier.accounts.models import Membership
    from levier.accounts.services import grant_membership, revoke_membership
    from levier.demo import data
    from levier.demo.services import ensure_demo_user

    by_unit_key = {spec["key"]: structures[spec["lot"]] for spec in data.PLIE_LOT_HOLDERS}
    referent = _role_user("referent")
    lot_1 = by_unit_key[_user_spec("referent")[4]]
    grant_membership(user=referent, unit=lot_1.unit, role=Role.REFERENT, by=None)
    for membership in Membership.objects.accepted().filter(user=referent, role=Role.REFERENT).exclude(unit=lot_1.unit):
        revoke_membership(membership=membership, by=None, reason="Démonstration : le référent rejoint le titulaire du lot 1.")
    found = {"referent": referent}
    for prefix, first, last, key in data.PLIE_REFERENTS:
        user = _existing_referent(prefix, by_unit_key[key].unit)
        found[prefix] = user or ensure_demo_user(prefix, first, last, Role.REFERENT, by_unit_key[key].unit)[0]
    return found


def _existing_referent(prefix: str, unit):
    """The referent when it is already set up (no password hashing on a second load)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from levier.accounts.enums import Role
    from levier.accounts.models import Membership, User
    from levier.demo import data

    user = User.objects.filter(email=f"{prefix}@{data.EMAIL_DOMAIN}").first()
    if (user is not None and Membership.objects.accepted().filter(user=user, unit=unit, role=Role.REFERENT).exists()
            and TOTPDevice.objects.filter(user=user, name="Démonstration").exists()):
        return user
    return None


def _import_history(protocol, *, by) -> None:
    """The 2013-2017 file rebuilt from seed 002's table, unless the protocol already holds pathways."""
    from .imports import import_pathways
    from .seed_file import write_seed_file

    if protocol.pathways.exists():
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plie-pays-aix-2013-2017.csv"
        write_seed_file(path)
        import_pathways(protocol=protocol, path=path, by=by)


# ---------------------------------------------------------------- 2018-2022 participants


def _deal(weights: dict[str, int]) -> list[str]:
    """Referent prefixes in an order that spreads each one evenly (Sainte-Laguë)."""
    given = dict.fromkeys(weights, 0)
    order = []
    for _ in range(sum(weights.values())):
        prefix = min(weights, key=lambda p: ((2 * given[p] + 1) / weights[p], p))
        given[prefix] += 1
        order.append(prefix)
    return order


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _day(rng: random.Random, low: date, high: date) -> date:
    return low + timedelta(days=rng.randint(0, max(0, (high - low).days)))


def _participants(protocol, coordinator, structures: dict, referents: dict) -> None:
    from levier.organisations.models import Organisation
    from levier.territories.services import composition

    from .seed_file import LAST_NAMES, MEN_NAMES, WOMEN_NAMES

    rng = random.Random(SEED)
    communes = {}
    for structure in structures.values():
        ids = composition(structure.bassin, MARKET_START).commune_ids
        communes[structure.pk] = sorted(_territories(ids), key=lambda t: t.code)
    france_travail = Organisation.objects.filter(reference_key="france-travail").first()
    aci = Organisation.objects.filter(reference_key="demo-aci-pays-aix").first()
    aci_name = aci.name if aci else "Chantier d'insertion du Pays d'Aix (fictif)"
    structure_of = {prefix: _structure_of(user, structures) for prefix, user in referents.items()}
    queues = {"validated": list(VALIDATED), "to_validate": list(TO_VALIDATE), "awaiting": list(AWAITING),
              "other_exit": list(OTHER_EXITS)}
    scenarios = [name for name, count in SCENARIOS for _ in range(count)]
    seen, plans = set(), []
    for index, (scenario, prefix) in enumerate(zip(scenarios, _deal(REFERENT_WEIGHTS), strict=True)):
        variant = queues[scenario].pop(0) if scenario in queues else scenario
        structure = structure_of[prefix]
        plan = Plan(index, scenario, variant, referents[prefix], structure)
        _identity(plan, rng, communes[structure.pk], seen, LAST_NAMES, WOMEN_NAMES, MEN_NAMES)
        _situation(plan, rng, france_travail)
        _story(plan, rng, aci_name)
        plans.append(plan)
    _add_transfers(plans, referents, structure_of)
    for plan in plans:
        _run(plan, protocol, coordinator)


def _territories(ids):
    from levier.territories.models import Territory

    return list(Territory.objects.filter(id__in=ids, kind="commune"))


def _structure_of(user, structures: dict):
    from levier.accounts.enums import Role
    from levier.accounts.models import Membership

    units = set(Membership.objects.accepted().filter(user=user, role=Role.REFERENT).values_list("unit_id", flat=True))
    return next(s for s in structures.values() if s.unit_id in units)


def _entry_range(plan: Plan) -> tuple[date, date]:
    scenario, variant, i = plan.scenario, plan.variant, plan.index
    if scenario in ("pending", "refused"):
        return date(2022, 6, 1), date(2022, 6, 20)
    if scenario == "validated":
        return date(2018, 1, 8), date(2021, 3, 31)
    if scenario == "committee":
        return date(2019, 2, 4), date(2019, 3, 29)
    if scenario == "other_exit":
        return (date(2018, 3, 1), date(2019, 6, 28)) if variant == "retirement" else (date(2018, 1, 8), date(2021, 9, 30))
    if scenario == "to_validate":
        return date(2020, 3, 2), date(2021, 4, 30)
    if scenario == "awaiting":
        return date(2020, 9, 1), date(2021, 11, 30)
    if i % 5 == 0:  # beyond 18 months
        return date(2019, 9, 2), date(2020, 11, 30)
    return date(2021, 1, 4), date(2022, 5, 13)


def _identity(plan: Plan, rng, communes, seen, last_names, women, men) -> None:
    entry = _day(rng, *_entry_range(plan))
    while entry.weekday() >= 5:
        entry += timedelta(days=1)
    sex = "F" if rng.random() < 0.5 else "M"
    mains = MAIN_TOWNS[plan.structure.bassin.code]
    main_towns = [c for c in communes if c.code in mains]
    commune = rng.choice(main_towns) if main_towns and rng.random() < 0.65 else rng.choice(communes)
    if plan.variant == "retirement":
        low, high = date(entry.year - 62, 1, 1), date(entry.year - 61, 6, 30)
    else:
        low, high = date(entry.year - 60, 1, 1), date(entry.year - 19, 12, 31)
    while True:
        last, first = rng.choice(last_names), rng.choice(women if sex == "F" else men)
        birth = _day(rng, low, high)
        if (last, first) not in seen:
            seen.add((last, first))
            break
    plan.data.update(
        external_id=f"{EXTERNAL_PREFIX}{plan.index + 1:04d}", last_name=last, first_name=first, sex=sex,
        birth_date=birth, phone=f"06 39 98 {plan.index // 100:02d} {plan.index % 100:02d}",  # ARCEP numbers for fiction
        commune=commune, entry_date=entry, notice_given_on=entry, consent_on=entry)


def _situation(plan: Plan, rng, france_travail) -> None:
    data, entry = plan.data, plan.data["entry_date"]
    age = (entry - data["birth_date"]).days // 365
    months = rng.choice([3, 5, 8, 11, 14, 18, 24, 30, 36, 48, 60])
    rsa = rng.random() < 0.6
    level = _pick(rng, LEVELS)
    qpv_codes = QPV.get(data["commune"].code, [])
    qpv = bool(qpv_codes) and rng.random() < 0.45
    prescriber = _pick(rng, PRESCRIBERS)
    difficulties = {"housing_difficulty": rng.random() < 0.2, "mobility_difficulty": rng.random() < 0.35,
                    "childcare_difficulty": rng.random() < (0.25 if data["sex"] == "F" else 0.05),
                    "health_difficulty": rng.random() < 0.12, "debt_difficulty": rng.random() < 0.1}
    rqth = "yes" if rng.random() < 0.08 else ("declined" if rng.random() < 0.03 else "no")
    # Two ACI entrants not yet registered as job seekers: the coordinator waives it (see _story).
    registered = None if (plan.scenario == "iae" and plan.index % 7 == 0) else add_months(entry, -months)
    data.update(
        unemployment_months=months, jobseeker_registered_on=registered, rsa=rsa, ass=not rsa and rng.random() < 0.1,
        aah=rng.random() < 0.04, rqth=rqth, qualification_level=level, qualification_nomenclature="1969",
        qpv=qpv, qpv_code=rng.choice(qpv_codes) if qpv else "", prescriber_type=prescriber,
        prescriber=france_travail if prescriber == "pole_emploi" else None, **difficulties)
    criteria = []
    if months >= 12:
        criteria.append(EligibilityCriterion.LONG_TERM_UNEMPLOYED)
    if rsa or data["ass"] or data["aah"]:
        criteria.append(EligibilityCriterion.MINIMUM_INCOME)
    if rqth == "yes":
        criteria.append(EligibilityCriterion.DISABLED_WORKER)
    if age >= 50:
        criteria.append(EligibilityCriterion.SENIOR)
    if age < 26 and level in ("V", "Vbis", "VI"):
        criteria.append(EligibilityCriterion.YOUNG_LOW_QUALIFIED)
    if sum(difficulties.values()) >= 2 or not criteria:
        if not sum(difficulties.values()) >= 2:
            data["housing_difficulty"] = data["mobility_difficulty"] = True
        criteria.append(EligibilityCriterion.ACCUMULATED_DIFFICULTIES)
    plan.criteria = [str(c) for c in criteria]


# ---------------------------------------------------------------- the pathway of one participant


def _story(plan: Plan, rng, aci_name: str) -> None:
    """The dated events of the pathway (entry is the registration itself)."""
    entry = plan.data["entry_date"]
    decided = min(entry + timedelta(days=rng.randint(3, 12)), AS_OF)
    if plan.scenario == "pending":
        plan.add(entry, "contact", kind=ContactKind.APPOINTMENT, note="Entretien d'accueil ; dossier transmis au coordinateur.")
        return
    if plan.scenario == "refused":
        reason = ("En emploi à temps plein depuis mai 2022 : ne relève pas du PLIE." if plan.index % 2
                  else "Moins de 26 ans : orientation vers la mission locale (contrat d'engagement jeune).")
        plan.add(decided, "decide", eligible=False, reason=reason)
        return
    plan.add(decided, "decide", eligible=True)
    if plan.data["jobseeker_registered_on"] is None:
        plan.add(decided, "override", reason="Inscription à France Travail en cours (rendez-vous fixé) ; "
                                             "entrée en chantier d'insertion sans attendre.")
    diagnostic_end = decided + timedelta(days=rng.randint(10, 24))
    plan.add(decided, "step", kind=StepKind.DIAGNOSTIC, start_date=decided, end_date=diagnostic_end,
             organisation_name=plan.structure.name,
             outcome="Diagnostic socioprofessionnel : projet professionnel défini, freins identifiés.")
    cursor = diagnostic_end + timedelta(days=rng.randint(7, 30))
    end = _main_steps(plan, rng, aci_name, cursor)  # the exit date, or AS_OF while in pathway
    if plan.data["mobility_difficulty"]:
        start = max(cursor, WIMOOV_FROM + timedelta(days=rng.randint(0, 60)))
        if start < end - timedelta(days=30):
            plan.add(start, "step", kind=StepKind.MOBILITY_DIAGNOSIS, start_date=start,
                     end_date=start + timedelta(days=28), organisation_name="WIMOOV",
                     outcome=rng.choice(["Diagnostic mobilité : aide au permis B mobilisée.",
                                         "Diagnostic mobilité : abonnement de transport et itinéraires travaillés.",
                                         "Diagnostic mobilité : location solidaire d'un scooter."]))
    for kind, flag, text in ((StepKind.HOUSING, "housing_difficulty", "Demande de logement social appuyée."),
                             (StepKind.CHILDCARE, "childcare_difficulty", "Place en crèche trouvée (multi-accueil)."),
                             (StepKind.HEALTH, "health_difficulty", "Bilan de santé au centre d'examens.")):
        start = cursor + timedelta(days=rng.randint(0, 40))
        if plan.data[flag] and rng.random() < 0.5 and start < end - timedelta(days=20):
            plan.add(start, "step", kind=kind, start_date=start, end_date=start + timedelta(days=20), outcome=text)
    _contacts(plan, rng, entry, end)


def _validation_day(variant: str, start: date) -> date:
    """When the rules validate the exit step (rules.py): 6 months after its start, the end of the 6th
    month of interim, the start of a qualifying training of more than 6 months."""
    if variant == "interim":
        last = add_months(start.replace(day=1), 5)
        return month_end(last.year, last.month)
    return start if variant == "training" else add_months(start, 6)


def _job(plan: Plan, rng, start: date, contract: str, *, tag: str = "", subtype: str = "common", months: int = 0,
         hours: Decimal | None = None, interim_months: int = 0) -> None:
    employer, job = rng.choice(EMPLOYERS)
    data = {"kind": StepKind.JOB, "start_date": start, "contract": contract, "contract_subtype": subtype}
    if contract == "interim":
        months_list, day = [], start
        for _ in range(interim_months):
            months_list.append({"month": f"{day.year}-{day.month:02d}", "hours": rng.randint(110, 150)})
            day = add_months(day.replace(day=1), 1)
        last = add_months(start.replace(day=1), interim_months - 1)
        data.update(organisation_name=INTERIM_AGENCY, interim_hours=months_list,
                    end_date=None if last.year == AS_OF.year and last.month == AS_OF.month else month_end(last.year, last.month),
                    outcome=f"Missions d'intérim de {job} chez {employer}.")
    else:
        hours = hours or rng.choice([Decimal("151.67"), Decimal("130.00"), Decimal("121.33"), Decimal("104.00")])
        label = {"contrat_aide": "Contrat aidé (parcours emploi compétences)", "alternance": "Contrat de professionnalisation"}
        data.update(organisation_name=employer, hours_per_month=hours,
                    end_date=add_months(start, months) - timedelta(days=1) if months else None,
                    outcome=f"{label.get(subtype, contract.upper())} : {job}.")
    plan.add(start, "step", tag=tag, **data)


def _training(plan: Plan, rng, start: date, *, qualifying: bool, tag: str = "") -> None:
    if qualifying:
        name, hours, body = rng.choice(QUALIFYING_TRAININGS)
        end = add_months(start, rng.randint(7, 9))
        plan.add(start, "step", tag=tag, kind=StepKind.TRAINING, start_date=start, end_date=end,
                 training_qualifying=True, training_hours=Decimal(hours), certifying_body=body,
                 organisation_name=TRAINING_CENTRE, outcome=name)
        return
    name, hours = rng.choice(OTHER_TRAININGS)
    end = start + timedelta(days=rng.randint(20, 70))
    plan.add(start, "step", kind=StepKind.TRAINING, start_date=start, end_date=end, training_qualifying=False,
             training_hours=Decimal(hours), organisation_name=TRAINING_CENTRE, outcome=name)


def _aci(plan: Plan, start: date, aci_name: str, months: int) -> None:
    end = add_months(start, months) - timedelta(days=1)
    plan.add(start, "step", kind=StepKind.IAE, start_date=start, end_date=end, iae_kind="ACI", contract="cdd",
             contract_subtype="cddi_siae", hours_per_month=Decimal("112.67"), organisation_name=aci_name,
             outcome="CDDI de 26 h par semaine sur une place réservée aux participants du PLIE "
                     "(134 places dans les ACI du territoire).")


def _business(plan: Plan, rng, start: date, tag: str) -> None:
    name, micro, income = rng.choice(BUSINESSES)
    plan.add(start, "step", tag=tag, kind=StepKind.BUSINESS_CREATION, start_date=start, micro_entrepreneur=micro,
             monthly_income_eur=income, organisation_name="Accompagnement à la création (couveuse fictive)", outcome=name)


def _main_steps(plan: Plan, rng, aci_name: str, cursor: date) -> date:
    """The steps that make the pathway's course and its exit; returns the exit date (AS_OF while in pathway)."""
    scenario, variant = plan.scenario, plan.variant
    if scenario in ("validated", "to_validate"):
        if scenario == "validated":
            start = max(min(add_months(cursor, rng.randint(1, 8)), AS_OF - timedelta(days=200)), cursor)
            if rng.random() < 0.35 and add_months(cursor, 5) < start:
                _aci(plan, cursor, aci_name, 4)
        else:  # the 6 months are reached between December 2021 and June 2022, not yet validated
            start = max(_day(rng, date(2021, 6, 1), date(2021, 12, 10)), cursor)
        if variant == "cdi":
            _job(plan, rng, start, "cdi", tag="exit")
        elif variant == "cdd":
            subtype = "alternance" if plan.index % 6 == 1 else "common"
            _job(plan, rng, start, "cdd", tag="exit", months=rng.randint(6, 12), subtype=subtype)
        elif variant == "interim":
            _job(plan, rng, start, "interim", tag="exit", interim_months=6)
        elif variant == "training":
            _training(plan, rng, start, qualifying=True, tag="exit")
        else:
            _business(plan, rng, start, "exit")
        if scenario == "to_validate":
            return AS_OF
        exit_on = _validation_day(variant, start)
        plan.add(min(exit_on + timedelta(days=10 + plan.index % 15), AS_OF), "validate", tag="exit")
        return exit_on
    if scenario == "awaiting":  # the exit step started less than 6 months before AS_OF
        start = max(_day(rng, date(2022, 1, 10), date(2022, 6, 10)), cursor)
        if variant == "cdi":
            _job(plan, rng, start, "cdi")
        elif variant == "cdd":
            _job(plan, rng, start, "cdd", months=rng.randint(8, 12))
        elif variant == "aided":
            _job(plan, rng, start, "cdd", months=12, subtype="contrat_aide", hours=Decimal("86.67"))
        elif variant == "interim":  # fewer than 6 months of missions so far
            start = max(start, date(2022, 2, 1))
            _job(plan, rng, start, "interim", interim_months=(AS_OF.year - start.year) * 12 + AS_OF.month - start.month + 1)
        else:
            _business(plan, rng, start, "")
        return AS_OF
    if scenario == "committee":
        _job(plan, rng, cursor, "cdd", months=5, hours=Decimal("130.00"))
        on = add_months(cursor, 5) + timedelta(days=20)
        plan.add(on, "committee", category=ExitCategory.EMPLOYMENT,
                 reason=f"CDD de 5 mois suivi d'une promesse d'embauche en CDI : sortie positive retenue par le "
                        f"comité opérationnel du {format_date(on)}.")
        return on
    if scenario == "other_exit":
        on = min(add_months(cursor, rng.randint(3, 14)), AS_OF - timedelta(days=rng.randint(5, 40)))
        if on - cursor > timedelta(days=100) and rng.random() < 0.5:
            _training(plan, rng, cursor, qualifying=False)
        plan.add(on, "other_exit", kind=variant, reason=OTHER_EXIT_REASONS[variant])
        return on
    if cursor > AS_OF - timedelta(days=20):  # entered recently: the diagnostic only so far
        return AS_OF
    if scenario == "iae":
        start = max(_day(rng, add_months(AS_OF, -10), add_months(AS_OF, -1)), cursor)
        _aci(plan, start, aci_name, rng.choice([6, 9, 12]))
    elif scenario == "training_step":
        start = max(_day(rng, add_months(AS_OF, -6), AS_OF - timedelta(days=10)), cursor)
        _training(plan, rng, start, qualifying=False)
    elif scenario == "short_job":
        start = max(_day(rng, add_months(AS_OF, -12), add_months(AS_OF, -5)), cursor)
        if plan.index % 2:
            _job(plan, rng, start, "cdd", months=3, hours=Decimal("151.67"))  # ends before 6 months
        else:
            _job(plan, rng, start, "cdi", hours=Decimal("60.67"))  # under 76 h a month
    elif plan.index % 3 == 0:  # "active": remobilisation, short trainings, job search
        plan.add(cursor, "step", kind=StepKind.REMOBILISATION, start_date=cursor,
                 end_date=cursor + timedelta(days=45), organisation_name=plan.structure.name,
                 outcome="Atelier collectif de remobilisation et de confiance en soi.")
    elif plan.index % 3 == 1:
        _training(plan, rng, cursor, qualifying=False)
    return AS_OF


def _contacts(plan: Plan, rng, entry: date, end: date) -> None:
    """Contacts from entry to the exit (a follow-up after a positive one); a share of those in pathway
    have had none for more than 2 months, and those who drop out stop coming."""
    silent = plan.scenario in ("active", "iae", "training_step") and plan.index % 8 == 3
    last = end
    if silent:
        if entry > AS_OF - timedelta(days=150):  # entered recently, never seen since
            plan.add(AS_OF - timedelta(days=20), "contact", kind=ContactKind.APPOINTMENT, held=False,
                     note="Rendez-vous non honoré.")
            return
        last = AS_OF - timedelta(days=rng.randint(70, 160))
    elif plan.variant == "dropout":
        last = end - timedelta(days=50)
    plan.add(entry, "contact", kind=ContactKind.APPOINTMENT,
             note="Premier entretien : présentation du PLIE et signature du contrat d'engagement.")
    day = entry
    long_pathway = (end - entry).days > 540
    while True:
        day += timedelta(days=rng.randint(45, 90) if long_pathway else rng.randint(28, 56))
        if day > last:
            break
        kind = rng.choices([ContactKind.APPOINTMENT, ContactKind.PHONE, ContactKind.NOTE], weights=[6, 3, 1])[0]
        held = kind == ContactKind.NOTE or rng.random() > 0.07
        note = rng.choice(CONTACT_NOTES[kind]) if held else "Absent au rendez-vous, sans nouvelles."
        plan.add(day, "contact", kind=kind, held=held, note=note)
    if silent or plan.variant == "dropout":
        plan.add(min(AS_OF, end) - timedelta(days=rng.randint(10, 30)), "contact", kind=ContactKind.APPOINTMENT,
                 held=False, note="Rendez-vous non honoré ; courrier de relance envoyé.")
    elif end == AS_OF:
        plan.add(AS_OF + timedelta(days=rng.randint(3, 21)), "contact", kind=ContactKind.APPOINTMENT, held=False,
                 note="Prochain rendez-vous.")
    elif plan.scenario in ("validated", "committee") and end + timedelta(days=30) <= AS_OF:
        plan.add(end + timedelta(days=30), "contact", kind=ContactKind.PHONE,
                 note="Suivi après la sortie : la formation se poursuit." if plan.variant == "training"
                 else "Suivi après la sortie : la personne est toujours en activité.")


def _add_transfers(plans: list[Plan], referents: dict, structure_of: dict) -> None:
    """Two transfers: within lot 1 towards the demo referent, and from lot 2 to lot 1 after a move."""
    within = next(p for p in plans if p.referent == referents["referent-centre"] and p.scenario == "active"
                  and p.data["entry_date"] < date(2021, 12, 1) and p.index % 8 != 3)
    within.add(date(2022, 1, 10), "transfer", to="referent", reason="Rééquilibrage des portefeuilles du lot 1.")
    moved = next(p for p in plans if p.referent == referents["referent-sud"] and p.scenario == "active"
                 and p.data["entry_date"] < date(2021, 8, 1) and p.index % 8 != 3)
    moved.add(date(2021, 9, 1), "transfer", to="referent-centre",
              reason="Déménagement à Aix-en-Provence : suivi repris par le titulaire du lot 1.")
    for plan in (within, moved):
        plan.transfer_targets = {"referent": (referents["referent"], structure_of["referent"]),
                                 "referent-centre": (referents["referent-centre"], structure_of["referent-centre"])}


def _run(plan: Plan, protocol, coordinator) -> None:
    """Enter the participant, then play its events in date order through the services."""
    from . import participants as services

    pathway = services.register_participant(protocol=protocol, by=plan.referent, entry=services.EntryInput(**plan.data),
                                            structure=plan.structure, referent=plan.referent).pathway
    referent, steps = plan.referent, {}
    for day, _, event, payload in sorted(plan.events, key=lambda e: (e[0], e[1])):
        if event == "decide":
            pathway = services.decide_eligibility(
                pathway=pathway, by=coordinator, eligible=payload["eligible"], on=day,
                criteria=plan.criteria if payload["eligible"] else [], reason=payload.get("reason", ""))
        elif event == "override":
            pathway = services.override_registration(pathway=pathway, by=coordinator, reason=payload["reason"])
        elif event == "step":
            tag = payload.pop("tag", "")
            step = services.add_step(pathway=pathway, by=referent, step=services.StepInput(**payload))
            if tag:
                steps[tag] = step
        elif event == "contact":
            services.record_contact(pathway=pathway, by=referent, on=day, **payload)
        elif event == "transfer":
            referent, structure = plan.transfer_targets[payload["to"]]
            pathway = services.transfer(pathway=pathway, by=coordinator, to_referent=referent, to_structure=structure,
                                        on=day, reason=payload["reason"])
        elif event == "validate":
            pathway = services.validate_exit(pathway=pathway, by=coordinator, step=steps[payload["tag"]], as_of=day)
        elif event == "committee":
            pathway = services.record_committee_exit(pathway=pathway, by=coordinator, on=day, **payload)
        elif event == "other_exit":
            pathway = services.record_other_exit(pathway=pathway, by=referent, on=day, **payload)


# ---------------------------------------------------------------- what is loaded


def summary(protocols: dict, plie, structures: dict, referents: dict) -> str:
    """What the PLIE demo holds, in French (the same text on every load)."""
    from .caseload import caseload
    from .models import Contact, Pathway, ReferentChange, Step
    from .report import protocol_report

    old = protocol_report(protocols[PROTOCOL_2013], as_of=REPORT_2013_AS_OF, breakdowns=False)
    demo = Pathway.objects.filter(protocol=protocols[PROTOCOL_2018], external_id__startswith=EXTERNAL_PREFIX)
    by_status = {status: demo.filter(status=status).count() for status in PathwayStatus.values}
    validated = demo.filter(exit_source="rule").count()
    committee = demo.filter(exit_source="committee").count()
    others = demo.filter(exit_source="other").count()
    rows = caseload(demo, today=AS_OF)
    silent = sum(1 for r in rows if any(a.startswith("Aucun contact") for a in r.alerts))
    long = sum(1 for r in rows if any(a.startswith("Parcours de plus") for a in r.alerts))
    exits = sum(1 for r in rows if any(a.startswith("Sortie") for a in r.alerts))
    n = format_number
    lots = ", ".join(f"lot {lot} {s.bassin.name}" for lot, s in sorted(structures.items()))
    emails = ", ".join(user.email for user in referents.values())
    demo_referent = demo.filter(referent=referents["referent"], status=PathwayStatus.ACTIVE).count()
    return "\n".join([
        f"PLIE du Pays d'Aix — démonstration (parcours 2018-2022 au {format_date(AS_OF)}, date de référence des données).",
        f"Protocoles 2013-2017 et 2018-2022 animés par « {plie.name} ».",
        f"{n(len(structures))} structures titulaires fictives du marché d'accompagnement 2018-2022 ({lots}).",
        f"{n(len(referents))} référents : {emails} (mot de passe Levier-demo-<préfixe>-2026, "
        "double authentification : levier accounts otp-code <adresse>).",
        f"2013-2017 : {n(old['participants'])} participants importés, {n(old['positive_exits']['total'])} sorties positives.",
        f"2018-2022 : {n(demo.count())} participants — {n(by_status['pending'])} en attente de décision, "
        f"{n(by_status['refused'])} non retenus, {n(by_status['active'])} en parcours, {n(by_status['exited'])} sortis "
        f"({n(validated)} sorties positives validées, {n(committee)} en comité opérationnel, {n(others)} sans emploi) ; "
        f"{n(Step.objects.filter(pathway__in=demo).count())} étapes, {n(Contact.objects.filter(pathway__in=demo).count())} "
        f"contacts, {n(ReferentChange.objects.filter(pathway__in=demo, from_referent__isnull=False).count())} transferts.",
        f"Suivi au {format_date(AS_OF)} : {n(silent)} sans contact depuis plus de 2 mois, {n(long)} parcours de plus de "
        f"18 mois, {n(exits)} sorties à valider ou en attente des 6 mois ; {n(demo_referent)} participants en parcours "
        f"pour {referents['referent'].email}.",
    ])
