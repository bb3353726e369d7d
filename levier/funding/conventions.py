"""Use cases of revitalisation conventions, from the notification to the closure (each owns its transaction).

The figures — floor, deadline, Treasury amount, what the measures count for — come from
levier.funding.rules.revitalisation, fed with the convention's fields and dated steps (`case_of`), so the
page, the CLI (`levier funding obligation`) and the API give the same answer for the same facts.

Statuses move only through `_move`, along TRANSITIONS (enums.CONVENTION_ACTIONS), by levier.core.workflow, each
move logged (who, when, from, to, why):

    draft → not_subject            the prefect says the company is not subject (D1233-38)
    draft → signed                 the convention is signed
    draft → agreement_in_lieu      a collective agreement takes its place (L1233-85 last paragraph)
    draft → treasury               no convention in time: collection order for the Treasury (D1233-44)
    signed | agreement_in_lieu → closed
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from levier.core import workflow
from levier.core.audit import acting_as
from levier.core.errors import FieldError, InvalidInput
from levier.core.formats import format_date, format_euros
from levier.organisations.models import Organisation, Unit
from levier.referential.services import monthly_smic_on
from levier.territories.models import Territory

from .enums import CONVENTION_ACTIONS as TRANSITIONS
from .enums import ConventionKind, ConventionStatus, ConventionStepKind, EntryKind, FinancerKind, RemainderUse
from .models import Convention, ConventionCommittee, ConventionStep, DirectAction, Fund, FundFinancer, \
    LedgerEntry
from .rules import revitalisation as law

S, K = ConventionStatus, ConventionStepKind
FOLLOWED = {S.SIGNED, S.AGREEMENT_IN_LIEU}  # conventions whose measures and committees are followed


def _move(convention: Convention, action: str, *, by, reason: str = "", fields=()) -> None:
    """Fire one of the convention's actions (TRANSITIONS) through the one workflow mechanism."""
    sources, target, label = TRANSITIONS[action]
    if convention.status not in sources:
        raise InvalidInput.single("status", f"« {label} » impossible depuis l'état « {S(convention.status).label} ».")
    workflow.move(convention, target, by=by, action=label, reason=reason, fields=fields)


def _locked(convention: Convention) -> Convention:
    return Convention.objects.select_for_update().get(pk=convention.pk)


# ---------------------------------------------------------------- the rule's view of a convention


def case_of(convention: Convention, *, as_of: date) -> law.ObligationCase:
    """The facts the rule reads, from the convention's fields and its latest steps of each kind."""
    steps = list(convention.steps.all())
    latest = {}
    for step in steps:
        latest[step.kind] = step
    decision = latest.get(K.SUBJECTION)
    request = latest.get(K.AGREEMENT_REQUEST)
    opposition = latest.get(K.AGREEMENT_OPPOSITION)
    agreement = None
    if request is not None:
        opposed = opposition if opposition is not None and opposition.on >= request.on else None
        agreement = law.CollectiveAgreement(request.on, request.amount or Decimal("0.00"),
                                            opposed.on if opposed else None, opposed.reasons if opposed else "")
    return law.ObligationCase(
        procedure=convention.procedure, headcount=convention.headcount or 0, jobs_eliminated=convention.jobs_eliminated,
        notified_on=convention.notified_on, monthly_smic=convention.monthly_smic, as_of=as_of,
        group_headcount=convention.group_headcount, in_receivership=convention.in_receivership,
        jobs_reclassified=convention.jobs_reclassified, validated_on=convention.validated_on,
        subjection=law.Subjection(decision.on, bool(decision.subject)) if decision else None,
        signed_on=convention.signed_on, agreed_amount=convention.agreed_amount, rate=convention.rate,
        amount_reason=convention.amount_reason, agreement=agreement, national_framework=convention.national_framework)


def obligation_of(convention: Convention, *, as_of: date) -> law.Obligation:
    return law.obligation(case_of(convention, as_of=as_of))


# ---------------------------------------------------------------- creation


@dataclass(frozen=True)
class ConventionInput:
    reference: str
    company: Organisation
    owner_unit: Unit
    procedure: str
    headcount: int
    notified_on: date
    jobs_eliminated: int
    bassin: Territory
    group_headcount: int | None = None
    in_receivership: bool = False
    validated_on: date | None = None
    jobs_reclassified: int = 0
    rate: Decimal | None = None
    agreed_amount: Decimal | None = None
    amount_reason: str = ""
    national_framework: bool = False
    framework: Convention | None = None
    departements: tuple[Territory, ...] = ()
    establishments: tuple = field(default_factory=tuple)


def create_convention(*, by, spec: ConventionInput, today: date) -> tuple[Convention, list[str]]:
    """Record a company's revitalisation case: classified by the law (a company outside its field is
    refused with the reason), with the SMIC in force on the notification date and the amount it owes."""
    smic = monthly_smic_on(spec.notified_on)
    case = law.ObligationCase(
        procedure=spec.procedure, headcount=spec.headcount, jobs_eliminated=spec.jobs_eliminated,
        notified_on=spec.notified_on, monthly_smic=smic, as_of=today, group_headcount=spec.group_headcount,
        in_receivership=spec.in_receivership, jobs_reclassified=spec.jobs_reclassified, validated_on=spec.validated_on,
        agreed_amount=spec.agreed_amount, rate=spec.rate, amount_reason=spec.amount_reason,
        national_framework=spec.national_framework)
    result = law.obligation(case)
    if result.classification == law.NOT_CONCERNED:
        field_name = ("procedure" if spec.procedure not in (law.PSE, law.RCC)
                      else "in_receivership" if spec.in_receivership else "headcount")
        raise InvalidInput.single(field_name, result.reasons[0])
    errors = _framework_errors(spec)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic(), acting_as(by):
        convention = Convention(
            reference=spec.reference.strip(), company=spec.company, owner_unit=spec.owner_unit, procedure=spec.procedure,
            kind=ConventionKind.OBLIGATION if result.classification == law.OBLIGATION else ConventionKind.VOLUNTARY,
            classification_reason=result.reasons[0][:400], headcount=spec.headcount, group_headcount=spec.group_headcount,
            in_receivership=spec.in_receivership, notified_on=spec.notified_on, validated_on=spec.validated_on,
            jobs_eliminated=spec.jobs_eliminated, jobs_reclassified=spec.jobs_reclassified, bassin=spec.bassin,
            rate=spec.rate, agreed_amount=spec.agreed_amount, amount_reason=spec.amount_reason.strip(),
            monthly_smic=smic, minimum_amount=result.minimum_amount, amount_owed=result.amount_owed,
            national_framework=spec.national_framework, framework=spec.framework)
        workflow.enter(convention, by=by, action="Notification enregistrée", reason=result.reasons[0])
        convention.establishments.set(spec.establishments)
        convention.departements.set(spec.departements)
    return convention, list(result.warnings)


def _framework_errors(spec: ConventionInput) -> list[FieldError]:
    errors = []
    if spec.national_framework and len(spec.departements) < law.FRAMEWORK_DEPARTEMENTS:
        errors.append(FieldError("departements", "Une convention-cadre nationale suppose des suppressions d'emplois dans "
                                                 "au moins trois départements (L1233-90-1, L1237-19-14)."))
    if spec.framework is not None:
        if not spec.framework.national_framework:
            errors.append(FieldError("framework", "La convention choisie n'est pas une convention-cadre nationale."))
        elif spec.framework.company_id != spec.company.pk:
            errors.append(FieldError("framework", "La convention-cadre nationale est celle d'une autre entreprise."))
    if spec.national_framework and spec.framework is not None:
        errors.append(FieldError("framework", "Une convention-cadre nationale ne dépend pas d'une autre convention-cadre."))
    return errors


# ---------------------------------------------------------------- the procedure's dated steps


def _step(convention: Convention, kind: str, *, by, on: date, **values) -> ConventionStep:
    return ConventionStep.objects.create(convention=convention, kind=kind, on=on, by=by, **values)


def _reasons(reasons: str, field_name: str = "reasons") -> str:
    if not reasons.strip():
        raise InvalidInput.single(field_name, "Les motifs sont obligatoires.")
    return reasons.strip()


def decide_subjection(*, convention: Convention, by, decided_on: date, subject: bool, reasons: str) -> ConventionStep:
    """The prefect tells the company whether it is subject (D1233-38), with reasons; a company not subject
    has no convention to sign."""
    reasons = _reasons(reasons)
    with transaction.atomic(), acting_as(by):
        locked = _locked(convention)
        if locked.status != S.DRAFT:
            raise InvalidInput.single("status", "La décision du préfet précède la signature de la convention.")
        if locked.validated_on is not None and decided_on < locked.validated_on:
            raise InvalidInput.single("decided_on", "La décision suit la notification de la validation ou de "
                                                    f"l'homologation ({format_date(locked.validated_on)}).")
        if decided_on < locked.notified_on:
            raise InvalidInput.single("decided_on", "La décision ne peut précéder la notification.")
        step = _step(locked, K.SUBJECTION, by=by, on=decided_on, subject=subject, reasons=reasons)
        if not subject:
            _move(locked, "not_subject", by=by, reason=reasons)
    return step


def record_framework_document(*, convention: Convention, by, signed_on: date, reasons: str) -> ConventionStep:
    """The framework document of a voluntary approach, signed with the prefect (D1233-41 II): the measures
    it lists count if engaged within the two years before the prefect's decision."""
    with transaction.atomic(), acting_as(by):
        locked = _locked(convention)
        if locked.status not in (S.DRAFT, *FOLLOWED):
            raise InvalidInput.single("status", "Convention close : plus de document-cadre à enregistrer.")
        return _step(locked, K.FRAMEWORK_DOCUMENT, by=by, on=signed_on, reasons=_reasons(reasons))


def request_agreement(*, convention: Convention, by, requested_on: date, commitments: Decimal,
                      reference: str) -> ConventionStep:
    """The company asks that its group, company or establishment agreement take the convention's place."""
    if commitments is None or commitments < 0:
        raise InvalidInput.single("commitments", "Montant des engagements financiers de l'accord attendu.")
    if not reference.strip():
        raise InvalidInput.single("reference", "Intitulé et date de l'accord collectif obligatoires.")
    with transaction.atomic(), acting_as(by):
        locked = _locked(convention)
        if locked.status != S.DRAFT or locked.kind != ConventionKind.OBLIGATION:
            raise InvalidInput.single("status", "Un accord collectif ne tient lieu que d'une convention d'obligation "
                                                "pas encore signée.")
        step = _step(locked, K.AGREEMENT_REQUEST, by=by, on=requested_on, amount=commitments,
                     reference=reference.strip()[:120])
        _checked(locked, as_of=requested_on)  # the rule refuses a request before the notification
    return step


def oppose_agreement(*, convention: Convention, by, opposed_on: date, reasons: str) -> ConventionStep:
    """The administration opposes the agreement, with reasons, within two months of the request."""
    reasons = _reasons(reasons, "opposition_reason")
    with transaction.atomic(), acting_as(by):
        locked = _locked(convention)
        request = locked.steps.filter(kind=K.AGREEMENT_REQUEST).order_by("-on", "-id").first()
        if locked.status != S.DRAFT or request is None:
            raise InvalidInput.single("status", "Aucune demande d'accord collectif en cours.")
        until = law.add_months(request.on, law.OPPOSITION_MONTHS)
        if opposed_on > until:
            raise InvalidInput.single("opposed_on", f"Opposition hors délai : l'administration s'oppose dans les deux mois "
                                                    f"suivant la demande, jusqu'au {format_date(until)} (L1233-85).")
        step = _step(locked, K.AGREEMENT_OPPOSITION, by=by, on=opposed_on, reasons=reasons)
        _checked(locked, as_of=opposed_on)  # out of the two months: refused, nothing kept
    return step


def _checked(convention: Convention, *, as_of: date) -> law.Obligation:
    """The rule on the convention as it now stands; its errors name the form's fields."""
    try:
        return law.obligation(case_of(convention, as_of=as_of))
    except InvalidInput as exc:
        raise InvalidInput([FieldError(e.field.removeprefix("agreement."), e.message) for e in exc.errors]) from exc


def confirm_agreement_in_lieu(*, convention: Convention, by, on: date) -> Convention:
    """Once the two months have passed without opposition, the agreement takes the convention's place."""
    with transaction.atomic(), acting_as(by):
        locked = _locked(convention)
        result = law.obligation(case_of(locked, as_of=on))
        if result.agreement_status != "in_lieu":
            raise InvalidInput.single("on", _agreement_refusal(result))
        _move(locked, "agreement_in_lieu", by=by, reason=f"Accord collectif sans opposition au {format_date(on)}.")
    return locked


def _agreement_refusal(result: law.Obligation) -> str:
    if result.agreement_status == "pending":
        return f"L'administration peut encore s'opposer jusqu'au {format_date(result.opposition_until)}."
    if result.agreement_status is None:
        return "Aucune demande d'accord collectif enregistrée."
    return "L'accord collectif ne tient pas lieu de convention : " + result.reasons[-1]


def sign_convention(*, convention: Convention, by, signed_on: date, ends_on: date) -> list[str]:
    """Record the signature; signed after the six months, the Treasury payment stays due (warned)."""
    with transaction.atomic(), acting_as(by):
        locked = _locked(convention)
        if ends_on <= signed_on:
            raise InvalidInput.single("ends_on", "La fin doit suivre la signature.")
        if signed_on < locked.notified_on:
            raise InvalidInput.single("signed_on", "La signature ne peut précéder la notification.")
        locked.signed_on, locked.ends_on = signed_on, ends_on
        _move(locked, "sign", by=by, fields=["signed_on", "ends_on"])
        result = law.obligation(case_of(locked, as_of=signed_on))
    warnings = law.duration_warnings(signed_on, ends_on, national_framework=locked.national_framework)
    if result.signed_in_time is False:
        warnings.append(f"Convention signée après l'échéance du {format_date(result.deadline)} : sans accord collectif en "
                        f"tenant lieu, la contribution de {format_euros(result.treasury_amount_without_convention, cents=True)} "
                        "au Trésor reste due (L1233-86, D1233-44).")
    return warnings


def issue_treasury_title(*, convention: Convention, by, issued_on: date, reference: str) -> ConventionStep:
    """Steering records the collection order: only once no convention was signed in time nor an agreement
    takes its place, for the amount of the rule (4 monthly SMIC per job eliminated)."""
    if not reference.strip():
        raise InvalidInput.single("reference", "Numéro du titre de perception obligatoire.")
    with transaction.atomic(), acting_as(by):
        locked = _locked(convention)
        if not locked.national_framework and not any(step.subject for step in locked.steps_of(K.SUBJECTION)):
            raise InvalidInput.single("issued_on", "Le titre de perception suppose que le préfet ait indiqué à l'entreprise "
                                                   "qu'elle est assujettie : enregistrez d'abord sa décision (D1233-38).")
        result = law.obligation(case_of(locked, as_of=issued_on))
        if not result.treasury_due:
            raise InvalidInput.single("issued_on", f"Aucune contribution au Trésor n'est due au {format_date(issued_on)} : "
                                                   + result.reasons[-1])
        step = _step(locked, K.TREASURY_TITLE, by=by, on=issued_on, amount=result.treasury_amount,
                     reference=reference.strip()[:120], reasons=result.reasons[-1])
        if locked.status == S.DRAFT:
            _move(locked, "treasury", by=by, reason=f"Titre de perception {reference.strip()}")
    return step


def amend(*, convention: Convention, by, signed_on: date, ends_on: date, reasons: str) -> ConventionStep:
    """An amendment extends the convention (to spend what is left, for instance)."""
    reasons = _reasons(reasons)
    with transaction.atomic(), acting_as(by):
        locked = _locked(convention)
        if locked.status not in FOLLOWED:
            raise InvalidInput.single("status", "Seule une convention en cours se prolonge par avenant.")
        if locked.ends_on is not None and ends_on <= locked.ends_on:
            raise InvalidInput.single("ends_on", f"La nouvelle fin suit l'actuelle ({format_date(locked.ends_on)}).")
        if locked.signed_on is not None and signed_on < locked.signed_on:
            raise InvalidInput.single("signed_on", "L'avenant suit la signature de la convention.")
        step = _step(locked, K.AMENDMENT, by=by, on=signed_on, ends_on=ends_on, reasons=reasons)
        locked.ends_on = ends_on
        locked.save(update_fields=["ends_on", "updated_at"])
    return step


def record_committee(*, convention: Convention, by, held_on: date, minutes: str) -> ConventionCommittee:
    """A follow-up committee (D1233-42: at least once a year)."""
    if not minutes.strip():
        raise InvalidInput.single("minutes", "Le compte rendu est obligatoire.")
    with transaction.atomic(), acting_as(by):
        locked = _locked(convention)
        if locked.status not in FOLLOWED:
            raise InvalidInput.single("status", "Le comité de suivi suit une convention signée ou un accord en tenant lieu.")
        if locked.signed_on is not None and held_on < locked.signed_on:
            raise InvalidInput.single("held_on", "Le comité de suivi se tient après la signature.")
        return ConventionCommittee.objects.create(convention=locked, held_on=held_on, minutes=minutes.strip(),
                                                  recorded_by=by)


@dataclass(frozen=True)
class MeasureInput:
    kind: str
    label: str
    done_on: date
    value: Decimal
    principal: Decimal | None = None
    transfer_price: Decimal | None = None
    anticipation: str = ""
    jobs_created: int = 0


def add_measure(*, convention: Convention, by, spec: MeasureInput) -> DirectAction:
    """A measure of the company (recorded as engaged; what it counts for is the rule's, D1233-41)."""
    errors = []
    if not spec.label.strip():
        errors.append(FieldError("label", "Intitulé de la mesure obligatoire."))
    if spec.value is None or spec.value < 0:
        errors.append(FieldError("value", "Montant positif ou nul attendu."))
    if spec.kind == law.LOAN and (spec.principal is None or spec.principal <= 0):
        errors.append(FieldError("principal", "Sommes prêtées obligatoires pour un prêt (le plafond est de 30 %)."))
    if spec.kind == law.REAL_ESTATE and (spec.transfer_price is None or spec.transfer_price < 0):
        errors.append(FieldError("transfer_price", "Valeur de cession obligatoire pour une cession immobilière."))
    if spec.jobs_created < 0:
        errors.append(FieldError("jobs_created", "Nombre d'emplois positif ou nul attendu."))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic(), acting_as(by):
        locked = _locked(convention)
        if locked.status not in (S.DRAFT, *FOLLOWED):
            raise InvalidInput.single("status", "Les mesures se déclarent sur une convention en préparation ou en cours.")
        if locked.signed_on is not None and spec.done_on < locked.signed_on and not spec.anticipation:
            raise InvalidInput.single("anticipation", "Mesure engagée avant la signature : indiquez à quel titre elle compte "
                                                      "(D1233-41).")
        return DirectAction.objects.create(
            convention=locked, kind=spec.kind, label=spec.label.strip()[:250], done_on=spec.done_on, value=spec.value,
            principal=spec.principal if spec.kind == law.LOAN else None,
            transfer_price=spec.transfer_price if spec.kind == law.REAL_ESTATE else None,
            anticipation=spec.anticipation, jobs_created=spec.jobs_created, recorded_by=by)


# ---------------------------------------------------------------- follow-up and closure


@dataclass(frozen=True)
class ConventionSummary:
    owed: Decimal
    valuation: law.Valuation
    paid_into_funds: Decimal
    used: Decimal
    remainder: Decimal
    jobs_eliminated: int
    jobs_created: int

    @property
    def direct_actions(self) -> Decimal:
        return self.valuation.total


def valuation_of(convention: Convention) -> law.Valuation:
    decision = next((s for s in reversed(convention.steps_of(K.SUBJECTION)) if s.subject), None)
    framework = next(iter(reversed(convention.steps_of(K.FRAMEWORK_DOCUMENT))), None)
    since_2023 = (decision.on if decision else convention.notified_on) >= law.REAL_ESTATE_CAP_FROM
    measures = [law.Measure(kind=a.kind, done_on=a.done_on, value=a.value, principal=a.principal,
                            transfer_price=a.transfer_price, anticipation=a.anticipation, label=a.label,
                            jobs_created=a.jobs_created)
                for a in convention.direct_actions.all()]
    return law.value_measures(measures, contribution=convention.amount_owed, signed_on=convention.signed_on,
                              ends_on=convention.ends_on, decision_on=decision.on if decision else None,
                              framework_on=framework.on if framework else None, real_estate_capped=since_2023)


def convention_summary(convention: Convention) -> ConventionSummary:
    """For the DDETS: the contribution against what counts (measures valued as D1233-41 says, payments
    into funds); jobs created by its measures plus, for each fund it paid into, the jobs declared by that
    fund's beneficiaries in proportion of its share of the fund's receipts (rounded down)."""
    from .copil import Scope, copil_figures

    valuation = valuation_of(convention)
    received = LedgerEntry.objects.filter(kind=EntryKind.CONTRIBUTION_RECEIVED)
    by_fund = dict(received.filter(financer__convention=convention).values_list("fund_id").annotate(v=Sum("amount"))
                   .order_by())
    paid = sum(by_fund.values(), Decimal("0.00"))
    jobs = Decimal(sum(v.measure.jobs_created for v in valuation.measures if v.counted > 0))
    for fund_id, amount in by_fund.items():
        fund_total = received.filter(fund_id=fund_id).aggregate(v=Sum("amount"))["v"]
        fund_jobs = copil_figures(Scope(fund_ids=frozenset({fund_id})))["jobs_created"]
        jobs += Decimal(fund_jobs) * amount / fund_total
    used = valuation.total + paid
    return ConventionSummary(convention.amount_owed, valuation, paid, used,
                             max(convention.amount_owed - used, Decimal("0.00")), convention.jobs, int(jobs))


def committee_due_on(convention: Convention) -> date | None:
    return law.committee_due_on(convention.signed_on, [c.held_on for c in convention.committees.all()],
                                ends_on=convention.ends_on)


def close_convention(*, convention: Convention, by, closed_on: date, remainder_use: str = "", fund: Fund | None = None,
                     note: str = "") -> ConventionSummary:
    """Close; what is left of the contribution goes where the convention says — a payment into a pooled
    fund (recorded in its ledger) or another use written down — never to the Treasury (the Treasury is
    owed only when no convention was signed in time, L1233-86)."""
    with transaction.atomic(), acting_as(by):
        locked = _locked(convention)
        summary = convention_summary(locked)
        remainder = summary.remainder
        if remainder > 0 and remainder_use not in (RemainderUse.FUND, RemainderUse.OTHER):
            raise InvalidInput.single("remainder_use", f"Reliquat de {format_euros(remainder, cents=True)} : indiquez ce que "
                                                       "la convention prévoit (versement à un fonds, autre emploi) ou "
                                                       "prolongez-la par avenant.")
        if remainder > 0 and remainder_use == RemainderUse.FUND:
            if fund is None:
                raise InvalidInput.single("fund", "Choisissez le fonds qui reçoit le reliquat.")
            _pay_into(fund, locked, remainder, closed_on, by)
        if remainder > 0 and remainder_use == RemainderUse.OTHER and not note.strip():
            raise InvalidInput.single("note", "Décrivez l'emploi du reliquat prévu par la convention.")
        if remainder > 0:
            text = (f"Reliquat de {format_euros(remainder, cents=True)} versé au fonds « {fund.name} »"
                    if remainder_use == RemainderUse.FUND else f"Reliquat de {format_euros(remainder, cents=True)} : "
                                                               f"{note.strip()}")
            _step(locked, K.REMAINDER, by=by, on=closed_on, amount=remainder, fund=fund, reasons=text)
        locked.closed_on, locked.remainder = closed_on, remainder
        locked.remainder_use = remainder_use if remainder > 0 else RemainderUse.NONE
        _move(locked, "close", by=by, reason=f"Clôture le {format_date(closed_on)}",
              fields=["closed_on", "remainder", "remainder_use"])
    return convention_summary(locked) if remainder_use == RemainderUse.FUND else summary


def _pay_into(fund: Fund, convention: Convention, amount: Decimal, on: date, by) -> None:
    from . import ledger

    ledger.hold(fund_id=fund.pk)  # before a financer row references it (the ledger's lock order)
    financer = FundFinancer.objects.filter(fund=fund, convention=convention).first()
    if financer is None:
        financer = FundFinancer.objects.create(fund=fund, organisation=convention.company, kind=FinancerKind.REVITALISATION,
                                               convention=convention, pledged=amount)
    ledger.receive_contribution(financer=financer, amount=amount, on=on, by=by,
                                note=f"Reliquat de la convention {convention.reference}")
