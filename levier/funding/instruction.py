"""Instruction of applications: a declared state machine, from submission to closure.

    submitted → under_instruction ⇄ awaiting_documents → eligible | ineligible
    eligible → in_committee → granted | refused | eligible (adjourned to the next agenda)
    granted → agreement_signed → disbursing (tranches) → follow_up → closed
    any state before the agreement → withdrawn (by the applicant)

Every transition records who, when and why; only the roles allowed may fire it; a reason is
mandatory for ineligible and refused; the applicant is e-mailed and sees the state and reasons.
"""

import logging
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction

from levier.accounts.enums import Role
from levier.accounts.permissions import scope_of
from levier.aids.enums import DeMinimisRegime
from levier.aids.models import Application
from levier.core import workflow
from levier.core.audit import acting_as
from levier.core.dates import add_months
from levier.core.errors import FieldError, InvalidInput
from levier.core.formats import format_date, format_euros
from levier.core.parsing import date_field

from . import ledger, services
from .enums import INSTRUCTION_ACTIONS as TRANSITIONS
from .enums import LOAN_KINDS, CommitmentKind, CommitteeStatus, Transition
from .enums import INSTRUCTION_APPLICANT as APPLICANT
from .enums import INSTRUCTION_INSTRUCTOR as INSTRUCTOR
from .enums import InstructionStatus as S
from .models import (Commitment, Committee, ConflictOfInterest, DocumentRequest, FundOperator, FundScheme, Instruction,
                     JobReport)

logger = logging.getLogger(__name__)


COMPONENT_KINDS = {"loan": CommitmentKind.LOAN, "subsidy": CommitmentKind.SUBSIDY,
                   "consulting_subsidy": CommitmentKind.SUBSIDY, "investment_subsidy": CommitmentKind.SUBSIDY,
                   "consulting_days": CommitmentKind.CONSULTING}


# ---------------------------------------------------------------- who may act


def is_instructor(user, instruction: Instruction) -> bool:
    scope = scope_of(user)
    return scope.is_admin or instruction.operator.unit_id in scope.units(Role.OPERATOR_INSTRUCTOR)


def is_applicant(user, instruction: Instruction) -> bool:
    return instruction.application.organisation_id in scope_of(user).company_organisation_ids


def allowed_actions(user, instruction: Instruction) -> list[str]:
    """The actions this user may fire now (for pages and the API)."""
    actor = {INSTRUCTOR: is_instructor(user, instruction), APPLICANT: is_applicant(user, instruction)}
    return [name for name, t in TRANSITIONS.items() if instruction.status in t.sources and actor[t.by]]


# ---------------------------------------------------------------- opening


def operator_for(application: Application) -> FundOperator | None:
    """The fund operator that instructs applications to this scheme: a fund drawing on the scheme
    whose operator is the scheme's operator."""
    funds = FundScheme.objects.filter(scheme_id=application.scheme_id).values("fund_id")
    return (FundOperator.objects.filter(fund_id__in=funds, operator_id=application.scheme.operator_id)
            .select_related("fund").order_by("fund__name").first())


def open_instruction(application: Application, *, paper: bool = False) -> Instruction | None:
    """Called when an application is submitted (signal from the catalogue) or entered on paper."""
    operator = operator_for(application)
    if operator is None or hasattr(application, "instruction"):
        return None
    instruction = Instruction(application=application, operator=operator, paper=paper,
                              checklist={d["key"]: False for d in application.scheme.required_documents})
    with transaction.atomic():  # the submission's own transaction when called from it
        workflow.enter(instruction, by=application.created_by, action="submit",
                       reason="Dossier papier" if paper else "")
    return instruction


# ---------------------------------------------------------------- transitions


def fire(instruction: Instruction, action: str, *, by, reason: str = "", on: date | None = None, **data) -> Instruction:
    """Fire one transition (atomic): checks role, source state, reason and the action's data."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise InvalidInput.single("action", f"Action inconnue : « {action} ».")
    with transaction.atomic():
        locked = Instruction.objects.select_for_update().select_related("application", "operator").get(pk=instruction.pk)
        allowed = is_instructor(by, locked) if transition.by == INSTRUCTOR else is_applicant(by, locked)
        if not allowed:
            who = "à l'instructeur du fonds" if transition.by == INSTRUCTOR else "au demandeur"
            raise InvalidInput.single("action", f"« {transition.label} » : action réservée {who}.")
        if locked.status not in transition.sources:
            raise InvalidInput.single("action", f"« {transition.label} » impossible depuis l'état "
                                                f"« {S(locked.status).label} ».")
        reason = (reason or "").strip()
        if transition.reason_required and not reason:
            raise InvalidInput.single("reason", "Le motif est obligatoire : le demandeur doit savoir pourquoi.")
        HANDLERS.get(action, _nothing)(locked, by=by, reason=reason, on=on, **data)
        if reason:
            locked.reason = reason
        workflow.move(locked, transition.target, by=by, action=action, reason=reason, fields=None)
        transaction.on_commit(lambda: _notify(locked, transition, reason))
    return locked


def _nothing(instruction, **_):
    pass


def _request_documents(instruction, *, by, reason, on, message: str = "", due_on: date | None = None, **_):
    errors = []
    if not (message or "").strip():
        errors.append(FieldError("message", "Précisez les pièces demandées."))
    if due_on is None:
        errors.append(FieldError("due_on", "Date limite de réponse obligatoire."))
    elif on and due_on <= on:
        errors.append(FieldError("due_on", "La date limite doit suivre la demande."))
    if errors:
        raise InvalidInput(errors)
    DocumentRequest.objects.create(instruction=instruction, message=message.strip(), due_on=due_on, requested_by=by)


def _answer_documents(instruction, *, answer: str = "", **_):
    from django.utils import timezone

    if not (answer or "").strip():
        raise InvalidInput.single("answer", "Votre réponse est vide.")
    request = instruction.document_requests.filter(answered_at__isnull=True).order_by("-id").first()
    if request is not None:
        request.answer, request.answered_at = answer.strip(), timezone.now()
        request.save(update_fields=["answer", "answered_at"])


def _declare_eligible(instruction, *, checklist: dict | None = None, **_):
    if checklist is not None:
        instruction.checklist = {key: bool(checklist.get(key)) for key in instruction.checklist}
    missing = [key for key, checked in instruction.checklist.items() if not checked]
    if missing:
        labels = {d["key"]: d["label"] for d in instruction.application.scheme.required_documents}
        raise InvalidInput([FieldError(f"checklist.{key}", f"Pièce non vérifiée : « {labels.get(key, key)} ».")
                            for key in missing])


def _put_on_agenda(instruction, *, committee: Committee | None = None, **_):
    if committee is None:
        raise InvalidInput.single("committee", "Choisissez le comité.")
    if committee.fund_id != instruction.operator.fund_id or committee.status != CommitteeStatus.PLANNED:
        raise InvalidInput.single("committee", "Comité inconnu, tenu, ou d'un autre fonds.")
    instruction.committee = committee


def _adjourn(instruction, **_):
    instruction.committee = None  # back to the eligible files, for the next agenda


def proposed_amounts(instruction: Instruction) -> list[dict]:
    """The components computed by the rules version frozen with the application at submission."""
    components = instruction.application.evaluation.get("components", [])
    return [{"kind": c["kind"], "label": c.get("label", c["kind"]), "amount": c["amount"], "unit": c["unit"],
             "legal_basis": c.get("legal_basis", ""), "de_minimis": c.get("de_minimis", "")} for c in components]


LOAN_TERMS = ("rating", "collateral", "loan_months", "loan_deferral_months")


def _grant(instruction, *, by, on, amounts: list[dict] | None = None, justification: str = "", jobs_due_months: int = 24,
           loan: dict | None = None, **_):
    """Commit the amounts (the frozen rules' by default; edited ones need a justification): each strictly
    positive, at least one; loans with the borrower's rating and collateral (their reference rate);
    de minimis components checked against the single undertaking's ceiling, with the applicant's declaration."""
    if on is None:
        raise InvalidInput.single("on", "Date de la décision obligatoire.")
    proposed = proposed_amounts(instruction)
    chosen = amounts if amounts is not None else proposed
    if not chosen:
        raise InvalidInput.single("amounts", "Aucune composante à accorder.")
    values = [ledger.money(a.get("amount"), f"amounts[{index}].amount") for index, a in enumerate(chosen)]
    edited = len(chosen) != len(proposed) or any(value != Decimal(str(p["amount"]))
                                                 for value, p in zip(values, proposed))
    if edited and not justification.strip():
        raise InvalidInput.single("justification", "Les montants diffèrent de ceux calculés par les règles : justification obligatoire.")
    application = instruction.application
    if any(_regime(c, i, proposed) for i, c in enumerate(chosen)) and application.de_minimis_declared_on is None:
        raise InvalidInput.single("de_minimis", "La déclaration de minimis du demandeur manque : complétez-la avant d'accorder.")
    answers = application.answers or {}
    jobs = int((answers.get("project") or {}).get("net_cdi_jobs_24m") or 0)
    headcount = (answers.get("beneficiary") or {}).get("headcount")
    linked = services.record_declared_links(application, by=by, on=on)
    declared = services.declared_de_minimis(application)
    link = FundScheme.objects.filter(fund_id=instruction.operator.fund_id, scheme_id=application.scheme_id).first()
    terms = _loan_terms(loan or {})
    decision = []
    for index, (component, amount) in enumerate(zip(chosen, values)):
        regime = _regime(component, index, proposed)
        kind = COMPONENT_KINDS.get(component["kind"], CommitmentKind.SUBSIDY)
        if kind == CommitmentKind.CONSULTING:  # days valued at the fund's day rate
            if link is None or link.day_rate is None:
                raise InvalidInput.single(f"amounts[{index}]", "Jours de conseil : aucun tarif journalier sur ce fonds.")
            amount = (amount * link.day_rate).quantize(Decimal("0.01"))
        commitment = services.grant(services.Grant(
            operator=instruction.operator, kind=kind, amount=amount, committed_on=on,
            reference=f"{application.number}-{index + 1}", beneficiary=application.organisation,
            scheme_id=application.scheme_id, application_id=application.pk, legal_basis=component.get("legal_basis", ""),
            de_minimis=regime, jobs_planned=jobs,
            jobs_due_on=add_months(on, jobs_due_months),
            reference_cdi_headcount=int(headcount) if headcount is not None else None,
            other_financing=instruction.other_financing if index == 0 else Decimal("0.00"),
            declared_de_minimis=declared, linked=linked, justification=justification.strip(), **terms), by=by)
        decision.append({"commitment": commitment.reference, "kind": kind, "amount": f"{amount:.2f}"})
    instruction.decision = decision


def _regime(component: dict, index: int, proposed: list[dict]) -> str:
    """The de minimis regime of a granted component: the frozen rules' (never what a form or body says),
    or, for a scheme without amounts, the regime the committee chose."""
    if proposed:
        if index < len(proposed):
            return proposed[index]["de_minimis"]
        return next((p["de_minimis"] for p in proposed if p["de_minimis"]), "")
    regime = component.get("de_minimis", "") or ""
    if regime not in DeMinimisRegime.values:
        raise InvalidInput.single(f"amounts[{index}].de_minimis", "Régime de minimis inconnu.")
    return regime


def _loan_terms(data: dict) -> dict:
    """Loan terms of the decision: rating and collateral (margin of the reference rate), duration and deferral."""
    terms = {}
    for key in ("rating", "collateral"):
        if data.get(key):
            terms[key] = str(data[key])
    for key, default in (("loan_months", 60), ("loan_deferral_months", 0)):
        value = data.get(key)
        if value in (None, ""):
            terms[key] = default
            continue
        if not str(value).isdigit():
            raise InvalidInput.single(key, "Nombre entier de mois attendu.")
        terms[key] = int(value)
    return terms


def _sign_agreement(instruction, *, on, **_):
    if on is None:
        raise InvalidInput.single("on", "Date de signature obligatoire.")
    instruction.agreement_signed_on = on


def _disburse(instruction, *, by, on, tranches: dict | None = None, **_):
    """Pay tranches: {commitment reference: amount}."""
    if not tranches:
        raise InvalidInput.single("tranches", "Indiquez le montant de la tranche.")
    if on is None or (instruction.agreement_signed_on and on < instruction.agreement_signed_on):
        raise InvalidInput.single("on", "Date du versement obligatoire, au plus tôt à la signature de la convention.")
    commitments = {c.reference: c for c in instruction.application.commitments.all()}
    for reference, amount in tranches.items():
        if reference not in commitments:
            raise InvalidInput.single("tranches", f"Engagement inconnu : {reference}.")
        ledger.disburse(commitment=commitments[reference], amount=amount, on=on, by=by, note="Tranche")


def _start_follow_up(instruction, **_):
    for commitment in instruction.application.commitments.exclude(kind=CommitmentKind.CONSULTING):
        left = ledger.commitment_balance(commitment).to_pay
        if left > 0:
            raise InvalidInput.single("tranches", f"{commitment.reference} : {format_euros(left, cents=True)} restent à "
                                                  "verser ou à désengager avant le suivi.")


def follow_up_pending(instruction: Instruction) -> list[str]:
    """What still prevents closing: job follow-up not verified at its due date, loans not settled."""
    pending = []
    for commitment in instruction.application.commitments.all():
        if commitment.jobs_planned and commitment.jobs_due_on:
            verified = commitment.job_reports.filter(reported_on__gte=commitment.jobs_due_on, verified_jobs__isnull=False)
            if not verified.exists():
                pending.append(f"{commitment.reference} : emplois à vérifier à l'échéance du {format_date(commitment.jobs_due_on)}.")
        if commitment.kind in LOAN_KINDS:
            outstanding = ledger.commitment_balance(commitment).outstanding
            if outstanding > 0:
                pending.append(f"{commitment.reference} : {format_euros(outstanding, cents=True)} de prêt à rembourser "
                               "ou passer en perte.")
    return pending


def _close(instruction, **_):
    pending = follow_up_pending(instruction)
    if pending:
        raise InvalidInput([FieldError("follow_up", message) for message in pending])


HANDLERS = {
    "request_documents": _request_documents, "answer_documents": _answer_documents,
    "declare_eligible": _declare_eligible, "put_on_agenda": _put_on_agenda, "adjourn": _adjourn, "grant": _grant,
    "sign_agreement": _sign_agreement, "disburse": _disburse, "start_follow_up": _start_follow_up, "close": _close,
}


def _notify(instruction: Instruction, transition: Transition, reason: str) -> None:
    application = instruction.application
    recipients = [application.created_by.email] if application.created_by_id else []
    if not recipients:
        return
    body = (f"Bonjour,\n\nVotre demande {application.number} ({application.scheme.name}) est maintenant : "
            f"{transition.target.label}.\n" + (f"Motif : {reason}\n" if reason else "")
            + "\nVous pouvez la suivre dans votre espace Levier.\n")
    try:
        send_mail(f"[Levier] Demande {application.number} : {transition.target.label}", body, None, recipients)
    except OSError:  # the transition is recorded; a relay outage must not hide it from the instructor
        logger.exception("Courriel de la demande %s non envoyé", application.number)


DECIDED = frozenset({S.GRANTED, S.REFUSED, S.AGREEMENT_SIGNED, S.DISBURSING, S.FOLLOW_UP, S.CLOSED, S.WITHDRAWN,
                     S.INELIGIBLE})


def may_declare_for(user, instruction: Instruction) -> bool:
    """The instructor enters the applicant's de minimis declaration of a paper file, before the decision."""
    return is_instructor(user, instruction) and instruction.status not in DECIDED and not scope_of(user).is_read_only


def declare_for_applicant(*, instruction: Instruction, by, aids, links, on: date):
    if not may_declare_for(by, instruction):
        raise InvalidInput.single("application", "Seul l'instructeur du dossier, avant la décision, saisit sa déclaration.")
    from levier.aids.applications import declare_de_minimis

    return declare_de_minimis(application=instruction.application, by=by, aids=aids, links=links, on=on, instructor=True)


# ---------------------------------------------------------------- committees and job follow-up


@transaction.atomic
def declare_conflict(*, instruction: Instruction, by, note: str = "") -> ConflictOfInterest:
    """An outside member withdraws from a file of their committee's agenda."""
    committee = instruction.committee
    if committee is None or not committee.members.filter(pk=by.pk).exists():
        raise InvalidInput.single("committee", "Ce dossier n'est pas à l'ordre du jour de l'un de vos comités.")
    conflict, _ = ConflictOfInterest.objects.get_or_create(instruction=instruction, committee=committee, member=by,
                                                           defaults={"note": note.strip()[:300]})
    locked = Instruction.objects.select_for_update().get(pk=instruction.pk)
    workflow.move(locked, locked.status, by=by, action="conflict", reason="Déport pour conflit d'intérêts")
    return conflict


def may_declare_jobs(user, commitment: Commitment) -> bool:
    """The beneficiary company declares its headcount; its operator's instructor may enter it from a paper form."""
    scope = scope_of(user)
    if scope.is_read_only:
        return False
    return (scope.is_admin or commitment.beneficiary_id in scope.company_organisation_ids
            or commitment.operator.unit_id in scope.units(Role.OPERATOR_INSTRUCTOR))


def may_verify_jobs(user, commitment: Commitment) -> bool:
    """Only the operator's instructor checks the declared jobs against the payroll records."""
    scope = scope_of(user)
    return not scope.is_read_only and (scope.is_admin
                                       or commitment.operator.unit_id in scope.units(Role.OPERATOR_INSTRUCTOR))


def _locked_commitment(commitment: Commitment) -> Commitment:
    return Commitment.objects.select_for_update().select_related("operator").get(pk=commitment.pk)


def declare_jobs(*, commitment: Commitment, by, reported_on: date, cdi_headcount: int,
                 qpv_resident_jobs: int = 0) -> JobReport:
    """The company declares its CDI headcount; net jobs = headcount − reference headcount."""
    if not may_declare_jobs(by, commitment):
        raise PermissionDenied("Seuls le bénéficiaire et l'instructeur de l'opérateur déclarent les emplois.")
    errors = []
    if cdi_headcount < 0:
        errors.append(FieldError("cdi_headcount", "Effectif CDI : nombre positif ou nul attendu."))
    if qpv_resident_jobs < 0:
        errors.append(FieldError("qpv_resident_jobs", "Salariés résidant en QPV : nombre positif ou nul attendu."))
    elif qpv_resident_jobs > max(cdi_headcount, 0):
        errors.append(FieldError("qpv_resident_jobs", "Salariés résidant en QPV : pas plus que l'effectif CDI déclaré."))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic(), acting_as(by):
        locked = _locked_commitment(commitment)
        if locked.reference_cdi_headcount is None:
            raise InvalidInput.single("reference_cdi_headcount", "Effectif CDI de référence inconnu pour cet engagement.")
        if reported_on < locked.committed_on:
            raise InvalidInput.single("reported_on", "Date de la déclaration antérieure à l'engagement.")
        return JobReport.objects.create(commitment=locked, reported_on=reported_on, cdi_headcount=cdi_headcount,
                                        jobs_created=cdi_headcount - locked.reference_cdi_headcount,
                                        qpv_resident_jobs=qpv_resident_jobs, declared_by=by)


def verify_jobs(*, report: JobReport, by, verified_jobs: int, on: date) -> JobReport:
    """The instructor records the jobs checked; a verification is dated on or after the declaration."""
    if not may_verify_jobs(by, report.commitment):
        raise PermissionDenied("Seul l'instructeur de l'opérateur vérifie les emplois déclarés.")
    with transaction.atomic(), acting_as(by):
        _locked_commitment(report.commitment)
        locked = JobReport.objects.select_for_update().get(pk=report.pk)
        if on < locked.reported_on:
            raise InvalidInput.single("verified_on", "La vérification est datée au plus tôt du jour de la déclaration.")
        if verified_jobs > locked.cdi_headcount:
            raise InvalidInput.single("verified_jobs", "Emplois vérifiés : pas plus que l'effectif CDI déclaré.")
        locked.verified_jobs, locked.verified_by, locked.verified_on = verified_jobs, by, on
        locked.save(update_fields=["verified_jobs", "verified_by", "verified_on"])
        return locked


def job_shortfall(commitment: Commitment, on: date) -> int | None:
    """Jobs still missing at `on` (latest declaration) when the due date is near or past; None if none."""
    if not commitment.jobs_planned:
        return None
    latest = commitment.job_reports.order_by("-reported_on", "-id").first()
    created = latest.verified_jobs if latest and latest.verified_jobs is not None else (latest.jobs_created if latest else 0)
    missing = commitment.jobs_planned - created
    return missing if missing > 0 else None


def recovery_due(commitment: Commitment, *, per_job: Decimal, missing_jobs: int) -> Decimal:
    """Default recovery: subsidy per job × missing jobs, capped at what was paid."""
    paid = ledger.commitment_balance(commitment).paid
    return min(per_job * missing_jobs, paid)


# ---------------------------------------------------------------- input of pages and API


def parse_date(value: str | None, field: str = "on") -> date | None:
    return date_field(value, field)


def action_data(instruction: Instruction, action: str, data, *, today: date) -> dict:
    """The transition's data from a form or an API body; the date defaults to `today`.

    API bodies may give `checklist` {key: bool}, `committee` (id), `amounts` [{kind, amount,
    legal_basis}], `tranches` {commitment reference: amount}; forms give one field each."""
    values = {"reason": data.get("reason", ""), "on": parse_date(data.get("on")) or today}
    if action == "request_documents":
        values.update(message=data.get("message", ""), due_on=parse_date(data.get("due_on"), "due_on"))
    elif action == "answer_documents":
        values["answer"] = data.get("answer", "")
    elif action == "declare_eligible":
        given = data.get("checklist") if isinstance(data.get("checklist"), dict) else {}
        values["checklist"] = {key: given.get(key) is True or data.get(f"check_{key}") in ("on", "true", True, "1")
                               for key in instruction.checklist}
    elif action == "put_on_agenda":
        committee_id = data.get("committee")
        values["committee"] = Committee.objects.filter(pk=committee_id).first() if str(committee_id or "").isdigit() else None
    elif action == "grant":
        proposed = proposed_amounts(instruction)
        if isinstance(data.get("amounts"), list):
            values["amounts"] = [a for a in data["amounts"] if isinstance(a, dict) and "kind" in a and "amount" in a]
        elif any(f"amount_{i}" in data for i in range(len(proposed))):
            values["amounts"] = [{**p, "amount": data.get(f"amount_{i}", p["amount"])} for i, p in enumerate(proposed)]
        elif not proposed and data.get("free_amount"):  # a descriptive scheme: the committee sets the amount
            values["amounts"] = [{"kind": data.get("free_kind") or "subsidy", "amount": data["free_amount"],
                                  "legal_basis": data.get("free_legal_basis", ""),
                                  "de_minimis": data.get("free_de_minimis", "")}]
        values["justification"] = data.get("justification", "")
        values["loan"] = {key: data.get(key) for key in LOAN_TERMS if data.get(key) not in (None, "")}
    elif action == "disburse":
        if isinstance(data.get("tranches"), dict):
            values["tranches"] = data["tranches"]
        else:
            values["tranches"] = {c.reference: data[f"tranche_{c.pk}"] for c in instruction.application.commitments.all()
                                  if data.get(f"tranche_{c.pk}")}
    return values
