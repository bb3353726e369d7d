"""Use cases of revitalisation conventions and commitments (each owns its transaction)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum

from levier.core.errors import FieldError, InvalidInput
from levier.core.formats import format_euros
from levier.organisations.models import Organisation
from levier.organisations.rules import naf_section, size_category
from levier.referential.services import monthly_smic_on

from . import ledger, rules
from .enums import LOAN_KINDS, ConventionStatus, EntryKind
from .models import (Commitment, Convention, ConventionCommittee, ConventionLog, DirectAction, FundOperator,
                     LedgerEntry, LoanInstalment, ReferenceRate)

DE_MINIMIS_WORDS = ("minimis", "2023/2831")


# ---------------------------------------------------------------- conventions


@transaction.atomic
def create_convention(*, by, values: dict) -> tuple[Convention, list[str]]:
    """Classify (never refuse) and compute the obligation with the SMIC in force on the notification
    date, stored on the convention. Returns the convention and its warnings."""
    classification = rules.classify_convention(
        headcount=values.get("group_headcount"), procedure=values["procedure"],
        in_receivership=values.get("in_receivership", False))
    smic = monthly_smic_on(values["notified_on"])
    figures = rules.convention_figures(
        jobs_eliminated=values["jobs_eliminated"], jobs_reclassified=values.get("jobs_reclassified", 0),
        rate=Decimal(str(values["rate"])), monthly_smic=smic, rate_reason=values.get("rate_reason", ""))
    if figures.errors:
        raise InvalidInput([FieldError(field, message) for field, message in figures.errors])
    warnings = list(figures.warnings) + rules.convention_duration_warnings(
        values.get("signed_on"), values.get("ends_on"), national_framework=values.get("national_framework", False))
    establishments = values.pop("establishments", [])
    convention = Convention.objects.create(
        **values, kind=classification.kind, classification_reason=classification.reason, monthly_smic=smic,
        amount_owed=figures.amount_owed)
    convention.establishments.set(establishments)
    ConventionLog.objects.create(convention=convention, to_status=convention.status, by=by,
                                 reason=classification.reason)
    return convention, warnings


@transaction.atomic
def sign_convention(*, convention: Convention, by, signed_on: date, ends_on: date) -> list[str]:
    locked = Convention.objects.select_for_update().get(pk=convention.pk)
    if locked.status != ConventionStatus.DRAFT:
        raise InvalidInput.single("status", "Seule une convention en préparation peut être signée.")
    if ends_on <= signed_on:
        raise InvalidInput.single("ends_on", "La fin doit suivre la signature.")
    if signed_on < locked.notified_on:
        raise InvalidInput.single("signed_on", "La signature ne peut précéder la notification.")
    ConventionLog.objects.create(convention=locked, from_status=locked.status, to_status=ConventionStatus.SIGNED, by=by)
    locked.status, locked.signed_on, locked.ends_on = ConventionStatus.SIGNED, signed_on, ends_on
    locked.save(update_fields=["status", "signed_on", "ends_on", "updated_at"])
    return rules.convention_duration_warnings(signed_on, ends_on, national_framework=locked.national_framework)


@transaction.atomic
def record_committee(*, convention: Convention, by, held_on: date, minutes: str) -> ConventionCommittee:
    if not minutes.strip():
        raise InvalidInput.single("minutes", "Le compte rendu est obligatoire.")
    return ConventionCommittee.objects.create(convention=convention, held_on=held_on, minutes=minutes.strip(),
                                              recorded_by=by)


@dataclass(frozen=True)
class ConventionSummary:
    owed: Decimal
    direct_actions: Decimal
    paid_into_funds: Decimal
    used: Decimal
    shortfall: Decimal
    jobs_eliminated: int
    jobs_created: int


def convention_summary(convention: Convention) -> ConventionSummary:
    """For the DDETS: amount owed vs used (valued direct actions + payments into funds); jobs created
    by its direct actions plus, for each fund it paid into, the jobs declared by that fund's
    beneficiaries in proportion of its share of the fund's receipts (rounded down) — vs eliminated."""
    from .copil import Scope, copil_figures

    direct = convention.direct_actions.aggregate(v=Sum("value"), j=Sum("jobs_created"))
    received = LedgerEntry.objects.filter(kind=EntryKind.CONTRIBUTION_RECEIVED)
    by_fund = dict(received.filter(financer__convention=convention).values_list("fund_id").annotate(v=Sum("amount")).order_by())
    paid = sum(by_fund.values(), Decimal("0.00"))
    jobs = Decimal(direct["j"] or 0)
    for fund_id, amount in by_fund.items():
        fund_total = received.filter(fund_id=fund_id).aggregate(v=Sum("amount"))["v"]
        fund_jobs = copil_figures(Scope(fund_ids=frozenset({fund_id})))["jobs_created"]
        jobs += Decimal(fund_jobs) * amount / fund_total
    direct_value = direct["v"] or Decimal("0.00")
    used = direct_value + paid
    return ConventionSummary(convention.amount_owed, direct_value, paid, used, max(convention.amount_owed - used, Decimal("0.00")),
                             convention.jobs, int(jobs))


@transaction.atomic
def add_direct_action(*, convention: Convention, label: str, done_on: date, value, jobs_created: int = 0) -> DirectAction:
    amount = ledger.money(value, "value")
    if convention.status != ConventionStatus.SIGNED:
        raise InvalidInput.single("status", "Les actions se déclarent sur une convention signée.")
    return DirectAction.objects.create(convention=convention, label=label, done_on=done_on, value=amount,
                                       jobs_created=jobs_created)


@transaction.atomic
def close_convention(*, convention: Convention, by, closed_on: date) -> ConventionSummary:
    """Close; any shortfall between owed and used is paid to the Treasury (recorded on the convention)."""
    locked = Convention.objects.select_for_update().get(pk=convention.pk)
    if locked.status != ConventionStatus.SIGNED:
        raise InvalidInput.single("status", "Seule une convention signée peut être clôturée.")
    summary = convention_summary(locked)
    ConventionLog.objects.create(convention=locked, from_status=locked.status, to_status=ConventionStatus.CLOSED, by=by,
                                 reason=f"Reliquat versé au Trésor : {format_euros(summary.shortfall, cents=True)}")
    locked.status, locked.closed_on, locked.shortfall_paid = ConventionStatus.CLOSED, closed_on, summary.shortfall
    locked.save(update_fields=["status", "closed_on", "shortfall_paid", "updated_at"])
    return summary


# ---------------------------------------------------------------- commitments


def reference_rate_on(on: date) -> ReferenceRate | None:
    return ReferenceRate.objects.filter(effective_from__lte=on).order_by("-effective_from").first()


def is_de_minimis(legal_basis: str) -> bool:
    text = legal_basis.lower()
    return any(word in text for word in DE_MINIMIS_WORDS)


def de_minimis_history(sirens: set[str], *, exclude: int | None = None) -> list[tuple[date, Decimal]]:
    """De minimis aid recorded in Levier for these SIRENs (gross grant equivalents, at commitment date)."""
    rows = Commitment.objects.filter(beneficiary__siren__in=sirens).exclude(pk=exclude).filter(
        Q(legal_basis__icontains="minimis") | Q(legal_basis__icontains="2023/2831"))
    return [(c.committed_on, c.gross_grant_equivalent) for c in rows]


@dataclass
class Grant:
    operator: FundOperator
    kind: str
    amount: Decimal
    committed_on: date
    reference: str
    beneficiary: Organisation | None = None
    person_name: str = ""
    scheme_id: int | None = None
    application_id: int | None = None
    legal_basis: str = ""
    jobs_planned: int = 0
    jobs_due_on: date | None = None
    reference_cdi_headcount: int | None = None
    other_financing: Decimal = Decimal("0.00")
    commune_id: int | None = None
    in_qpv: bool = False
    linked_sirens: tuple[str, ...] = ()
    declared_de_minimis: list[tuple[date, Decimal]] | None = None  # aid received elsewhere, declared
    loan_years: int = 5
    loan_frequency: str = "monthly"
    loan_deferral_months: int = 0
    justification: str = ""


@transaction.atomic
def grant(spec: Grant, *, by=None) -> Commitment:
    """Commit an amount to a beneficiary: checks the operator's available balance (row lock), the de
    minimis ceiling over 3 rolling years for the company and its linked companies, computes the gross
    grant equivalent and, for a loan, its schedule."""
    amount = ledger.money(spec.amount)
    if spec.beneficiary is None and not spec.person_name.strip():
        raise InvalidInput.single("beneficiary", "Bénéficiaire obligatoire (entreprise ou personne).")
    gge, schedule = amount, []
    if spec.kind in LOAN_KINDS:
        schedule = rules.schedule_for(amount, signed_on=spec.committed_on, years=spec.loan_years,
                                      frequency=spec.loan_frequency, deferral_months=spec.loan_deferral_months)
        rate = reference_rate_on(spec.committed_on)
        if rate is None:
            raise InvalidInput.single("committed_on", "Aucun taux de référence de la Commission n'est connu à cette date : "
                                                      "l'administrateur doit le saisir.")
        gge = rules.loan_grant_equivalent(schedule, signed_on=spec.committed_on, annual_rate=rate.reference_rate)
    if is_de_minimis(spec.legal_basis) and spec.beneficiary is not None and spec.beneficiary.siren:
        sirens = {spec.beneficiary.siren, *spec.linked_sirens}
        history = de_minimis_history(sirens) + list(spec.declared_de_minimis or [])
        check = rules.de_minimis_check(previous_grants=history, requested=gge, on=spec.committed_on)
        if not check.allowed:
            raise InvalidInput.single("amount", check.message)
    company = spec.beneficiary
    size = ""
    if company is not None and company.headcount is not None:
        size = size_category(company.headcount, company.turnover, company.balance_sheet).category or ""
    commitment = Commitment.objects.create(
        reference=spec.reference, fund_id=spec.operator.fund_id, operator=spec.operator, scheme_id=spec.scheme_id,
        application_id=spec.application_id, beneficiary=company, person_name=spec.person_name.strip(),
        commune_id=spec.commune_id, in_qpv=spec.in_qpv,
        naf_section=(naf_section(company.naf_code) or "") if company else "", size_category=size, kind=spec.kind,
        legal_basis=spec.legal_basis, gross_grant_equivalent=gge, committed_on=spec.committed_on,
        jobs_planned=spec.jobs_planned, jobs_due_on=spec.jobs_due_on, reference_cdi_headcount=spec.reference_cdi_headcount,
        other_financing=spec.other_financing, justification=spec.justification,
    )
    ledger.commit(commitment=commitment, amount=amount, by=by)
    LoanInstalment.objects.bulk_create(
        [LoanInstalment(commitment=commitment, number=i.number, due_on=i.due_on, principal=i.principal) for i in schedule])
    return commitment


def arrears(commitment: Commitment, on: date) -> Decimal:
    """What was due by `on` on a loan's schedule and not repaid (repayments and write-offs count)."""
    due = commitment.instalments.filter(due_on__lte=on).aggregate(s=Sum("principal"))["s"] or Decimal("0.00")
    balance = ledger.commitment_balance(commitment)
    return max(due - balance.repaid - balance.written_off, Decimal("0.00"))


@dataclass(frozen=True)
class PlanLine:
    financer: str
    kind: str
    pledged: Decimal
    share: Decimal | None  # of the total pledged


@dataclass(frozen=True)
class CofinancingPlan:
    lines: list[PlanLine]
    total: Decimal
    eu_share: Decimal | None
    max_eu_rate: Decimal
    errors: list[str]


def cofinancing_plan(fund) -> CofinancingPlan:
    """Each financer's share of what is pledged; the EU share must stay within the programme's
    maximum rate (default 50 %; 40, 60 or 85 % by region category in 2021-2027)."""
    from levier.core.formats import format_percent

    from .enums import FinancerKind

    financers = list(fund.financers.select_related("organisation"))
    total = sum((f.pledged for f in financers), Decimal("0.00"))
    lines = [PlanLine(f.organisation.name, f.get_kind_display(), f.pledged, rules.ratio(f.pledged, total)) for f in financers]
    eu = sum((f.pledged for f in financers if f.kind == FinancerKind.EU_FSE), Decimal("0.00"))
    eu_share = rules.ratio(eu, total)
    errors = []
    if eu_share is not None and eu_share > fund.max_eu_rate:
        errors.append(f"Part de l'Union européenne de {format_percent(eu_share, 1)}, au-delà du taux maximal de "
                      f"{format_percent(fund.max_eu_rate, 0)} fixé pour ce programme.")
    return CofinancingPlan(lines, total, eu_share, fund.max_eu_rate, errors)
