"""Use cases of a participant's pathway: entry, eligibility, steps, referent, contacts, exits.

Each service validates everything first (every error named by its field, in French), then writes
in one transaction with the pathway's log and the audit trail. Business dates are arguments.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from levier.core import workflow
from levier.core.audit import acting_as
from levier.core.errors import FieldError, InvalidInput
from levier.core.formats import format_date
from levier.referential.services import monthly_smic_on
from levier.territories.rules import normalize_name

from . import access
from .enums import (
    CATEGORY_OF_KIND, EXIT_STEP_KINDS, OTHER_EXIT_KINDS, Answer, ContactKind, ContractKind, ContractSubtype, EligibilityCriterion,
    ExitCategory, ExitSource, IaeKind, PathwayStatus, PrescriberType, Sex, StepKind,
)
from .models import Contact, Pathway, Person, ReferentChange, Step
from .rules import NOT_POSITIVE, PENDING, POSITIVE, Classification, Situation, SituationError, classify_exit

LONG_TERM_MONTHS = 12


def match_key(last_name: str, first_name: str) -> str:
    """Names compared without case, accents, hyphens or double spaces (duplicate check)."""
    return f"{normalize_name(last_name)}|{normalize_name(first_name)}"


def derived_long_term(unemployment_months: int | None) -> bool | None:
    """Long-term unemployed: 12 months or more of unemployment (unknown stays unknown)."""
    return None if unemployment_months is None else unemployment_months >= LONG_TERM_MONTHS


def in_territory_message(name: str, code: str, protocol, on: date) -> str:
    return (f"La commune {name} ({code}) n'appartient pas au territoire {protocol.territory.name} "
            f"au {format_date(on)}, date d'entrée.")


def _refuse_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise InvalidInput.single("", message)


# ---------------------------------------------------------------- entry


@dataclass
class Registration:
    pathway: Pathway
    attached_to_known_person: bool


def find_duplicates(*, last_name: str, first_name: str, birth_date: date, commune) -> list[Pathway]:
    """Pathways of people with the same name, birth date and commune of residence."""
    return list(Pathway.objects.filter(person__match_key=match_key(last_name, first_name), person__birth_date=birth_date,
                                       commune=commune).select_related("person", "protocol"))


@dataclass(frozen=True, kw_only=True)
class EntryInput:
    """What is recorded at a participant's entry (seed 002): identity, situation, consent. None: unknown."""

    last_name: str = ""
    first_name: str = ""
    sex: str = ""
    birth_date: date | None = None
    email: str = ""
    phone: str = ""
    address: str = ""
    commune: object = None  # a commune Territory
    entry_date: date | None = None
    notice_given_on: date | None = None
    consent_on: date | None = None
    jobseeker_registered_on: date | None = None
    unemployment_months: int | None = None
    long_term_unemployed: bool | None = None  # derived from the months of unemployment when unknown
    qpv: bool | None = None
    qpv_code: str = ""
    rsa: bool | None = None
    ass: bool | None = None
    aah: bool | None = None
    rqth: str = ""
    foreign_background: str = ""
    qualification_level: str = ""
    qualification_nomenclature: str = ""
    housing_difficulty: bool | None = None
    mobility_difficulty: bool | None = None
    childcare_difficulty: bool | None = None
    health_difficulty: bool | None = None
    debt_difficulty: bool | None = None
    prescriber_type: str = ""
    prescriber: object = None  # an Organisation
    external_id: str | None = None  # the participant's identifier in the PLIE's other tool, for later imports


PERSON_FIELDS = ("last_name", "first_name", "sex", "birth_date", "email", "phone", "address")
PATHWAY_ENTRY_FIELDS = ("entry_date", "notice_given_on", "consent_on", "jobseeker_registered_on",
                        "unemployment_months", "long_term_unemployed", "qpv", "qpv_code", "rsa", "ass", "aah", "rqth",
                        "foreign_background", "qualification_level", "qualification_nomenclature", "housing_difficulty",
                        "mobility_difficulty", "childcare_difficulty", "health_difficulty", "debt_difficulty",
                        "prescriber_type", "prescriber", "external_id")
BORN_AFTER_ENTRY = "Date de naissance postérieure à la date d'entrée."


def born_before(birth_date: date, entry_date: date) -> bool:
    """A participant enters a pathway after the day of their birth."""
    return birth_date < entry_date


REQUIRED = {"last_name": "Nom", "first_name": "Prénom", "sex": "Sexe", "birth_date": "Date de naissance",
            "commune": "Commune de résidence", "entry_date": "Date d'entrée"}


def validate_entry(protocol, given: EntryInput, *, require_consent: bool) -> list[FieldError]:
    """Checks of a new participant, every error listed (nothing is saved)."""
    data = {name: getattr(given, name) for name in given.__dataclass_fields__}
    errors = [FieldError(field, f"{label} : valeur obligatoire.") for field, label in REQUIRED.items()
              if data.get(field) in (None, "")]
    if data.get("sex") and data["sex"] not in Sex.values:
        errors.append(FieldError("sex", "Sexe attendu : F, M ou X."))
    entry, commune = data.get("entry_date"), data.get("commune")
    if entry and entry > protocol.ends_on:
        errors.append(FieldError("entry_date", f"Date d'entrée après la fin du protocole ({format_date(protocol.ends_on)})."))
    if entry and data.get("birth_date") and not born_before(data["birth_date"], entry):
        errors.append(FieldError("birth_date", BORN_AFTER_ENTRY))
    if entry and commune is not None:
        from levier.territories.services import composition

        if commune.id not in composition(protocol.territory, entry).commune_ids:
            errors.append(FieldError("commune", in_territory_message(commune.name, commune.code, protocol, entry)))
    if data.get("prescriber_type") and data["prescriber_type"] not in PrescriberType.values:
        errors.append(FieldError("prescriber_type", "Type de prescripteur inconnu."))
    if require_consent:
        for field, label in (("notice_given_on", "La remise de la notice d'information"),
                             ("consent_on", "Le recueil du consentement")):
            if not data.get(field):
                errors.append(FieldError(field, f"{label} doit être daté à l'entrée."))
    if data.get("jobseeker_registered_on") and entry and data["jobseeker_registered_on"] > entry:
        errors.append(FieldError("jobseeker_registered_on", "Inscription comme demandeur d'emploi postérieure à l'entrée : "
                                                            "la renseigner sur le parcours une fois faite."))
    for field, choices in (("rqth", Answer.values), ("foreign_background", Answer.values)):
        if data[field] and data[field] not in choices:
            errors.append(FieldError(field, "Réponse attendue : oui, non ou ne souhaite pas répondre."))
    if data["unemployment_months"] is not None and not 0 <= data["unemployment_months"] <= 600:
        errors.append(FieldError("unemployment_months", "Durée de chômage attendue en mois, de 0 à 600."))
    external_id = (data["external_id"] or "").strip()
    if len(external_id) > 60:
        errors.append(FieldError("external_id", "Identifiant externe de 60 caractères au plus."))
    elif external_id and Pathway.objects.filter(protocol=protocol, external_id=external_id).exists():
        errors.append(FieldError("external_id", f"Identifiant « {external_id} » déjà pris dans ce protocole."))
    return errors


def register_participant(*, protocol, by, entry: EntryInput, structure=None, referent=None) -> Registration:
    """A new participant of `protocol` (seed 002): identity, situation at entry, consent — by the protocol's
    coordinator, or a referent into their structure.

    The commune of residence must lie in the protocol's territory at the entry date. The same name,
    birth date and commune in this protocol is refused (the message names the participant); in another
    protocol, the new pathway is attached to that person."""
    _refuse_unless(access.may_register(by, protocol, structure),
                   "Seul le coordinateur du PLIE, ou un référent dans sa structure, inscrit un participant.")
    errors = validate_entry(protocol, entry, require_consent=True)
    duplicates = []
    if not errors:
        duplicates = find_duplicates(last_name=entry.last_name, first_name=entry.first_name,
                                     birth_date=entry.birth_date, commune=entry.commune)
        same = [d for d in duplicates if d.protocol_id == protocol.id] or list(  # or known here under another commune
            Pathway.objects.filter(protocol=protocol, person_id__in={d.person_id for d in duplicates}).select_related("person"))
        if same:
            errors.append(FieldError("last_name", f"Participant déjà connu dans ce protocole : {same[0].person} "
                                                  f"(entré le {format_date(same[0].entry_date)}, n° {same[0].pk})."))
    if structure is not None and structure.protocol_id != protocol.id:
        errors.append(FieldError("structure", "Cette structure ne relève pas du protocole."))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic(), acting_as(by):
        person = duplicates[0].person if duplicates else Person.objects.create(
            match_key=match_key(entry.last_name, entry.first_name), birth_date=entry.birth_date,
            **{f: (getattr(entry, f) or "").strip() for f in PERSON_FIELDS if f != "birth_date"})
        pathway = Pathway(protocol=protocol, person=person, structure=structure, referent=referent, commune=entry.commune)
        for field in PATHWAY_ENTRY_FIELDS:
            value = getattr(entry, field)
            if value is not None:
                setattr(pathway, field, value.strip() if isinstance(value, str) else value)
        pathway.external_id = pathway.external_id or None
        if entry.long_term_unemployed is None:
            pathway.long_term_unemployed = derived_long_term(entry.unemployment_months)
        workflow.enter(pathway, by=by, action="Entrée dans le PLIE")
        if referent is not None:
            ReferentChange.objects.create(pathway=pathway, to_referent=referent, to_structure=structure,
                                          on=pathway.entry_date, reason="Référent à l'entrée", by=by)
    return Registration(pathway=pathway, attached_to_known_person=bool(duplicates))


def decide_eligibility(*, pathway: Pathway, by, eligible: bool, criteria: list[str], reason: str = "",
                       on: date) -> Pathway:
    """The coordinator's decision with the criteria met (seed 002: the national publics, accumulation
    of difficulties); a refusal states its reason."""
    _refuse_unless(access.is_coordinator(by, pathway.protocol), "Seul le coordinateur du PLIE décide de l'éligibilité.")
    errors = [FieldError("criteria", f"Critère inconnu : {c}.") for c in criteria if c not in EligibilityCriterion.values]
    if eligible and not criteria:
        errors.append(FieldError("criteria", "Cocher au moins un critère d'entrée."))
    if not eligible and not reason.strip():
        errors.append(FieldError("reason", "Motif obligatoire pour un refus."))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic(), acting_as(by):
        pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
        pathway.eligibility_criteria, pathway.eligibility_reason, pathway.eligibility_decided_on = criteria, reason, on
        workflow.move(pathway, PathwayStatus.ACTIVE if eligible else PathwayStatus.REFUSED, by=by,
                      action="Éligibilité validée" if eligible else "Entrée refusée", reason=reason, fields=None)
    return pathway


def override_registration(*, pathway: Pathway, by, reason: str) -> Pathway:
    """Job-seeker registration is required before the first step unless the coordinator waives it."""
    _refuse_unless(access.is_coordinator(by, pathway.protocol), "Seul le coordinateur peut lever l'obligation d'inscription.")
    if not reason.strip():
        raise InvalidInput.single("reason", "Motif obligatoire.")
    with transaction.atomic(), acting_as(by):
        pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
        pathway.registration_override = reason.strip()
        workflow.move(pathway, pathway.status, by=by, action="Dérogation à l'inscription comme demandeur d'emploi",
                      reason=reason, fields=["registration_override"])
    return pathway


def record_registration(*, pathway: Pathway, by, on: date) -> Pathway:
    _refuse_unless(access.may_change(by, pathway), "Vous ne suivez pas ce participant.")
    with transaction.atomic(), acting_as(by):
        pathway.jobseeker_registered_on = on
        pathway.save(update_fields=["jobseeker_registered_on", "updated_at"])
    return pathway


# ---------------------------------------------------------------- steps


@dataclass(frozen=True, kw_only=True)
class StepInput:
    """A step as a referent records it; only the fields of its kind are kept (STEP_FIELDS)."""

    kind: str = ""
    start_date: date | None = None
    end_date: date | None = None
    organisation_name: str = ""
    outcome: str = ""
    contract: str = ""
    contract_subtype: str = ContractSubtype.COMMON
    hours_per_month: Decimal | None = None
    interim_hours: tuple = ()  # ({"month": "2024-03", "hours": "120"}, …), one per month worked
    training_qualifying: bool | None = None
    training_hours: Decimal | None = None
    certifying_body: str = ""
    iae_kind: str = ""
    micro_entrepreneur: bool = False
    monthly_income_eur: Decimal | None = None


# The fields a step of each kind holds (seed 002): every step its dates, organisation and outcome.
STEP_COMMON_FIELDS = ("kind", "start_date", "end_date", "organisation_name", "outcome")
STEP_FIELDS_OF_KIND = {
    StepKind.JOB: ("contract", "contract_subtype", "hours_per_month", "interim_hours"),
    StepKind.IAE: ("iae_kind", "contract", "contract_subtype", "hours_per_month"),
    StepKind.TRAINING: ("training_qualifying", "training_hours", "certifying_body"),
    StepKind.BUSINESS_CREATION: ("micro_entrepreneur", "monthly_income_eur"),
}
STEP_BLANK = StepInput()


def step_fields(kind: str) -> tuple[str, ...]:
    return STEP_COMMON_FIELDS + STEP_FIELDS_OF_KIND.get(kind, ())


def step_input(step: Step) -> StepInput:
    """What a recorded step holds, as an input (to edit it)."""
    values = {name: getattr(step, name) for name in step_fields(step.kind)}
    if "interim_hours" in values:
        values["interim_hours"] = tuple(step.interim_hours or ())
    return StepInput(**values)


def _negative(value, field: str, label: str) -> list[FieldError]:
    return [FieldError(field, f"{label} : nombre positif ou nul attendu.")] if value is not None and value < 0 else []


def validate_step(pathway: Pathway, step: StepInput) -> list[FieldError]:
    errors = []
    kind, start, end = step.kind, step.start_date, step.end_date
    if kind not in StepKind.values:
        errors.append(FieldError("kind", "Type d'étape inconnu."))
    if not start:
        errors.append(FieldError("start_date", "Date de début obligatoire."))
    elif start < pathway.entry_date:
        errors.append(FieldError("start_date", f"Début avant l'entrée dans le PLIE ({format_date(pathway.entry_date)})."))
    if start and end and end < start:
        errors.append(FieldError("end_date", "Fin avant le début."))
    registered = pathway.jobseeker_registered_on
    if not pathway.registration_override and (not registered or (start and registered > start
                                                                 and not pathway.steps.exists())):
        errors.append(FieldError("jobseeker_registered_on", "Inscription comme demandeur d'emploi (France Travail) requise "
                                                            "avant la première étape, sauf dérogation du coordinateur"
                                 + (f" (inscrit le {format_date(registered)})." if registered else ".")))
    if pathway.status != PathwayStatus.ACTIVE:
        errors.append(FieldError("status", f"Parcours « {pathway.get_status_display()} » : pas de nouvelle étape."))
    if kind in (StepKind.JOB, StepKind.IAE) and step.contract_subtype not in ContractSubtype.values:
        errors.append(FieldError("contract_subtype", "Sous-type de contrat inconnu."))
    if kind == StepKind.JOB:
        if step.contract not in ContractKind.values:
            errors.append(FieldError("contract", "Contrat attendu : CDI, CDD ou intérim."))
        if step.contract in ("cdi", "cdd") and step.hours_per_month is None:
            errors.append(FieldError("hours_per_month", "Heures par mois obligatoires pour un CDI ou un CDD."))
        if step.contract == "cdd" and not end:
            errors.append(FieldError("end_date", "Un CDD a une date de fin."))
    if kind == StepKind.IAE:
        if step.iae_kind not in IaeKind.values:
            errors.append(FieldError("iae_kind", "Structure d'insertion attendue : ACI, EI, ETTI, AI ou GEIQ."))
        if step.contract and step.contract not in ContractKind.values:
            errors.append(FieldError("contract", "Contrat attendu : CDI, CDD ou intérim."))
    if kind == StepKind.TRAINING:
        if step.training_qualifying is None:
            errors.append(FieldError("training_qualifying", "Préciser si la formation est qualifiante."))
        if not end:
            errors.append(FieldError("end_date", "Une formation a une date de fin."))
    errors += _negative(step.hours_per_month, "hours_per_month", "Heures par mois")
    errors += _negative(step.training_hours, "training_hours", "Heures de formation")
    errors += _negative(step.monthly_income_eur, "monthly_income_eur", "Revenu mensuel")
    for index, row in enumerate(step.interim_hours or ()):
        try:
            hours = Decimal(str(row.get("hours"))) if row.get("hours") is not None else None
        except (InvalidOperation, ValueError):
            hours = Decimal(-1)
        if hours is not None and (not hours.is_finite() or hours < 0):
            errors.append(FieldError(f"interim_hours[{index}]", "Heures positives ou nulles attendues."))
    return errors


def _write_step(record: Step, step: StepInput) -> None:
    """The fields of the step's kind as given; the others back to blank (a job turned training keeps no contract)."""
    kept = step_fields(step.kind)
    for name in StepInput.__dataclass_fields__:
        value = getattr(step if name in kept else STEP_BLANK, name)
        if name == "interim_hours":
            value = [dict(row) for row in value or ()]
        elif isinstance(value, str):
            value = value.strip()
        setattr(record, name, value)


def add_step(*, pathway: Pathway, by, step: StepInput) -> Step:
    """A typed step with its dates and outcome; job-seeker registration comes first (or a waiver). Checked on the
    pathway locked, so that an exit or another step at the same moment cannot slip in between."""
    _refuse_unless(access.may_change(by, pathway), "Vous ne suivez pas ce participant.")
    with transaction.atomic(), acting_as(by):
        locked = Pathway.objects.select_for_update().get(pk=pathway.pk)
        errors = validate_step(locked, step)
        if errors:
            raise InvalidInput(errors)
        record = Step(pathway=locked, created_by=by)
        _write_step(record, step)
        record.save()
    return record


def update_step(*, step: Step, by, changes: StepInput) -> Step:
    """Dates, hours, interim months or income as they become known (the exit follows)."""
    _refuse_unless(access.may_change(by, step.pathway), "Vous ne suivez pas ce participant.")
    with transaction.atomic(), acting_as(by):
        locked = Pathway.objects.select_for_update().get(pk=step.pathway_id)
        record = Step.objects.select_for_update().get(pk=step.pk, pathway=locked)
        errors = [e for e in validate_step(locked, changes) if e.field not in ("status", "jobseeker_registered_on")]
        if errors:
            raise InvalidInput(errors)
        _write_step(record, changes)
        record.save()
    return record


def situation_of(step: Step, as_of: date) -> Situation | None:
    """The exit situation a step describes, or None when the step is not an exit kind."""
    if step.kind not in EXIT_STEP_KINDS:
        return None
    kind = {StepKind.JOB: step.contract, StepKind.TRAINING: "training",
            StepKind.BUSINESS_CREATION: "business_creation"}[step.kind]
    if not kind:
        return None
    months = tuple((str(r["month"]), _hours(r.get("hours"))) for r in step.interim_hours or [])
    return Situation(kind=kind, start_date=step.start_date, end_date=step.end_date, as_of=as_of,
                     contract_subtype=step.contract_subtype or "common", hours_per_month=step.hours_per_month,
                     interim_hours=months, qualifying=step.training_qualifying,
                     micro_entrepreneur=step.micro_entrepreneur, monthly_income_eur=step.monthly_income_eur)


def _hours(value):
    from decimal import Decimal

    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


@dataclass(frozen=True)
class ProposedExit:
    step: Step
    classification: Classification | None
    error: str = ""

    @property
    def outcome(self) -> str:
        return self.classification.outcome if self.classification else "error"


def classify_steps(pathway: Pathway, as_of: date, steps=None) -> list[ProposedExit]:
    """Every exit step of the pathway classified by the protocol's rules at `as_of`."""
    parameters = pathway.protocol.exit_parameters
    found = []
    for step in steps if steps is not None else pathway.steps.all():
        situation = situation_of(step, as_of)
        if situation is None:
            continue
        try:
            found.append(ProposedExit(step, classify_exit(situation, parameters, monthly_smic_on=monthly_smic_on)))
        except SituationError as exc:
            found.append(ProposedExit(step, None, exc.message))
    return found


def proposed_exit(pathway: Pathway, as_of: date, steps=None) -> ProposedExit | None:
    """The exit the rules propose: the earliest validated positive one, else a pending one, else the
    latest not-positive one (so the referent sees why)."""
    classified = classify_steps(pathway, as_of, steps)
    positive = [p for p in classified if p.outcome == POSITIVE]
    if positive:
        return min(positive, key=lambda p: p.classification.validated_on)
    for outcome in (PENDING, NOT_POSITIVE, "error"):
        matching = [p for p in classified if p.outcome == outcome]
        if matching:
            return matching[-1]
    return None


def _exit_kind_of(step: Step) -> str:
    return step.contract if step.kind == StepKind.JOB else step.kind


def validate_exit(*, pathway: Pathway, by, step: Step, as_of: date) -> Pathway:
    """The coordinator validates a positive exit the rules classify as positive at `as_of`."""
    _refuse_unless(access.is_coordinator(by, pathway.protocol), "Seul le coordinateur valide les sorties.")
    if step.pathway_id != pathway.pk:
        raise InvalidInput.single("step", "Cette étape n'appartient pas au parcours.")
    proposal = next((p for p in classify_steps(pathway, as_of, [step])), None)
    if proposal is None or proposal.outcome != POSITIVE:
        reasons = " ".join(proposal.classification.reasons) if proposal and proposal.classification else ""
        raise InvalidInput.single("step", f"Sortie non positive au {format_date(as_of)} selon les règles du protocole. {reasons}".strip())
    classification = proposal.classification
    with transaction.atomic(), acting_as(by):
        pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
        pathway.exit_kind, pathway.exit_source = _exit_kind_of(step), ExitSource.RULE
        pathway.exit_category, pathway.exit_validated_on = classification.category, classification.validated_on
        pathway.exit_date, pathway.exit_step, pathway.exit_reason = classification.validated_on, step, " ".join(classification.reasons)
        workflow.move(pathway, PathwayStatus.EXITED, by=by, action="Sortie positive validée",
                      reason=" ".join(classification.reasons), fields=None)
    return pathway


def _exit_date_errors(pathway: Pathway, on: date, today: date | None, *, before_entry: str) -> list[FieldError]:
    """An exit is dated within the pathway and the protocol, and not in the future."""
    today = today or timezone.localdate()
    if on < pathway.entry_date:
        return [FieldError("on", before_entry)]
    if on > pathway.protocol.ends_on:
        return [FieldError("on", f"Date après la fin du protocole ({format_date(pathway.protocol.ends_on)}).")]
    if on > today:
        return [FieldError("on", f"Une sortie ne s'enregistre pas à l'avance (date après le {format_date(today)}).")]
    return []


def _still_running(pathway: Pathway) -> list[FieldError]:
    if pathway.status == PathwayStatus.ACTIVE:
        return []
    return [FieldError("status", f"Parcours « {pathway.get_status_display()} » : seule une personne en parcours sort "
                                 "(une sortie enregistrée par erreur s'annule d'abord).")]


def record_committee_exit(*, pathway: Pathway, by, on: date, category: str, reason: str,
                          today: date | None = None) -> Pathway:
    """Seed 002: "Toute autre considération … sera travaillée dans le cadre du Comité Opérationnel":
    a positive exit decided by the committee counts in its category and is shown apart."""
    _refuse_unless(access.is_coordinator(by, pathway.protocol), "Seul le coordinateur enregistre les décisions du comité.")
    errors = []
    if category not in ExitCategory.values:
        errors.append(FieldError("category", "Catégorie attendue : emploi, formation ou création d'activité."))
    if not (reason or "").strip():
        errors.append(FieldError("reason", "Motif de la décision du comité obligatoire."))
    if not on:
        errors.append(FieldError("on", "Date de la décision du comité obligatoire."))
    else:
        errors += _exit_date_errors(pathway, on, today, before_entry="Date avant l'entrée dans le PLIE.")
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic(), acting_as(by):
        pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
        if running := _still_running(pathway):  # a concurrent exit came first
            raise InvalidInput(running)
        pathway.exit_kind, pathway.exit_source, pathway.exit_category = "committee", ExitSource.COMMITTEE, category
        pathway.exit_date = pathway.exit_validated_on = on
        pathway.exit_reason = reason.strip()
        workflow.move(pathway, PathwayStatus.EXITED, by=by, action="Sortie positive décidée en comité opérationnel",
                      reason=reason, fields=None)
    return pathway


def record_other_exit(*, pathway: Pathway, by, kind: str, on: date, reason: str = "",
                      today: date | None = None) -> Pathway:
    """Drop-out, moving away, death, retirement, other (including referral to a more suitable scheme)."""
    _refuse_unless(access.may_change(by, pathway), "Vous ne suivez pas ce participant.")
    errors = []
    if not kind:
        errors.append(FieldError("kind", "Choisissez le motif de la sortie."))
    elif kind not in OTHER_EXIT_KINDS:
        errors.append(FieldError("kind", "Motif de sortie inconnu."))
    if not on:
        errors.append(FieldError("on", "Date de sortie obligatoire."))
    else:
        errors += _exit_date_errors(pathway, on, today, before_entry="Date de sortie avant l'entrée.")
    if kind == "other" and not (reason or "").strip():
        errors.append(FieldError("reason", "Préciser le motif (par exemple le dispositif vers lequel la personne est orientée)."))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic(), acting_as(by):
        pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
        if running := _still_running(pathway):  # a concurrent exit came first
            raise InvalidInput(running)
        pathway.exit_kind, pathway.exit_source, pathway.exit_date = kind, ExitSource.OTHER, on
        pathway.exit_category, pathway.exit_validated_on, pathway.exit_reason = "", None, reason.strip()
        workflow.move(pathway, PathwayStatus.EXITED, by=by, action="Sortie sans emploi", reason=reason, fields=None)
    return pathway


def imported_exit_to_confirm(pathway: Pathway) -> bool:
    """An exit the previous tool recorded as a job, training or business creation, imported unvalidated
    (one definition: `PathwayQuerySet.imported_exits_to_confirm`)."""
    return Pathway.objects.filter(pk=pathway.pk).imported_exits_to_confirm().exists()


def confirm_imported_exit(*, pathway: Pathway, by, reason: str = "") -> Pathway:
    """The coordinator confirms an imported exit as the previous tool decided it (as `exit_validated` 1 would
    on a re-import): it counts in its category, validated on its exit date."""
    _refuse_unless(access.is_coordinator(by, pathway.protocol), "Seul le coordinateur confirme une sortie reprise.")
    reason = reason.strip()
    with transaction.atomic(), acting_as(by):
        pathway = Pathway.objects.select_for_update().imported_exits_to_confirm().filter(pk=pathway.pk).first()
        if pathway is None:
            raise InvalidInput.single("", "Seule une sortie reprise par import, en emploi, en formation ou en création "
                                          "d'activité et non validée, se confirme ainsi.")
        pathway.exit_category, pathway.exit_validated_on = CATEGORY_OF_KIND[pathway.exit_kind], pathway.exit_date
        pathway.exit_reason = " ".join(filter(None, ["Sortie reprise de l'outil précédent, confirmée par le coordinateur.",
                                                     reason]))
        workflow.move(pathway, PathwayStatus.EXITED, by=by, action="Sortie reprise confirmée par le coordinateur",
                      reason=reason, fields=None)
    return pathway


def cancel_exit(*, pathway: Pathway, by, reason: str) -> Pathway:
    _refuse_unless(access.is_coordinator(by, pathway.protocol), "Seul le coordinateur annule une sortie.")
    if not reason.strip():
        raise InvalidInput.single("reason", "Motif obligatoire.")
    with transaction.atomic(), acting_as(by):
        pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
        for field in ("exit_kind", "exit_source", "exit_category", "exit_reason"):
            setattr(pathway, field, "")
        pathway.exit_date = pathway.exit_validated_on = pathway.exit_step = None
        workflow.move(pathway, PathwayStatus.ACTIVE, by=by, action="Sortie annulée", reason=reason, fields=None)
    return pathway


# ---------------------------------------------------------------- referent and contacts


def transfer(*, pathway: Pathway, by, to_referent, to_structure, on: date, reason: str = "") -> Pathway:
    """One referent per participant; a transfer (possibly to another structure) is kept in the history."""
    from levier.accounts.enums import Role
    from levier.accounts.models import Membership

    _refuse_unless(access.is_coordinator(by, pathway.protocol), "Seul le coordinateur transfère un participant.")
    errors = []
    if to_structure is None or to_structure.protocol_id != pathway.protocol_id:
        errors.append(FieldError("to_structure", "Structure du protocole attendue."))
    elif not Membership.objects.accepted().filter(user=to_referent, role=Role.REFERENT, unit_id=to_structure.unit_id).exists():
        errors.append(FieldError("to_referent", f"{to_referent} n'est pas référent de {to_structure}."))
    if to_referent.pk == pathway.referent_id and to_structure and to_structure.pk == pathway.structure_id:
        errors.append(FieldError("to_referent", "Le participant est déjà suivi par ce référent."))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic(), acting_as(by):
        pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
        ReferentChange.objects.create(pathway=pathway, from_referent_id=pathway.referent_id, to_referent=to_referent,
                                      from_structure_id=pathway.structure_id, to_structure=to_structure, on=on,
                                      reason=reason, by=by)
        pathway.referent, pathway.structure = to_referent, to_structure
        pathway.save(update_fields=["referent", "structure", "updated_at"])
    return pathway


def record_contact(*, pathway: Pathway, by, kind: str, on: date, held: bool = True, note: str = "") -> Contact:
    _refuse_unless(access.may_change(by, pathway), "Vous ne suivez pas ce participant.")
    errors = []
    if kind not in ContactKind.values:
        errors.append(FieldError("kind", "Type de contact inconnu."))
    if not on:
        errors.append(FieldError("on", "Date obligatoire."))
    if kind == ContactKind.NOTE and not note.strip():
        errors.append(FieldError("note", "Une note a un texte."))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic(), acting_as(by):
        return Contact.objects.create(pathway=pathway, kind=kind, on=on, held=held, note=note.strip(), author=by)


# ---------------------------------------------------------------- protocols


def carry_over(*, from_protocol, to_protocol, by) -> int:
    """Seed 002: participants still in a pathway at the end of a protocol carry over to the next one,
    with their entry date, referent and situation (they count there as participants, not new entrants)."""
    if to_protocol.previous_id != from_protocol.pk:
        raise InvalidInput.single("protocol", f"{to_protocol} ne fait pas suite à {from_protocol}.")
    already = Pathway.objects.filter(protocol=to_protocol, person__pathways__protocol=from_protocol,
                                     person__pathways__status=PathwayStatus.ACTIVE).select_related("person")
    if already:
        raise InvalidInput([FieldError("protocol", f"{p.person} a déjà un parcours dans {to_protocol} (n° {p.pk}) : "
                                                   "son parcours du protocole précédent n'est pas reporté.") for p in already])
    copied = [f.name for f in Pathway._meta.concrete_fields
              if f.name not in ("id", "protocol", "status", "external_id", "carried_over_from", "created_at", "updated_at")
              and not f.name.startswith("exit_")]
    from .questionnaires import copy_entry_questionnaire

    count = 0
    with transaction.atomic(), acting_as(by):
        for pathway in Pathway.objects.select_for_update().filter(protocol=from_protocol, status=PathwayStatus.ACTIVE):
            following = Pathway(protocol=to_protocol, status=PathwayStatus.ACTIVE, carried_over_from=pathway,
                                external_id=pathway.external_id,
                                **{name: getattr(pathway, name) for name in copied})
            if following.structure_id and following.structure.protocol_id != to_protocol.pk:
                following.structure = None  # lots are let again for each protocol: the coordinator reassigns
            workflow.enter(following, by=by, action=f"Repris du protocole {from_protocol}")
            copy_entry_questionnaire(pathway, following)
            workflow.move(pathway, PathwayStatus.CARRIED_OVER, by=by, action=f"Reporté sur {to_protocol}")
            count += 1
    return count
