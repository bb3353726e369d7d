"""Use cases of commitments: grants and loans with their gross grant equivalent and the de minimis
ceiling of the single undertaking (each owns its transaction). Conventions: levier.funding.conventions."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum

from levier.core.dates import add_months
from levier.core.errors import InvalidInput
from levier.organisations.models import ControlLink, Organisation
from levier.organisations.rules import naf_section, size_category

from . import ledger, rules
from .enums import LOAN_KINDS
from .models import BaseRate, Commitment, FundOperator, LoanInstalment
from .rules import de_minimis as ceilings
from .rules import loans

ROAD_FREIGHT_NAF = "49.41"  # Transports routiers de fret (NAF rév. 2, classe 49.41)


# ---------------------------------------------------------------- reference rates


def base_rate_on(on: date) -> BaseRate | None:
    """The Commission's base rate in force on `on` (the latest from that date or before)."""
    return BaseRate.objects.filter(effective_from__lte=on).order_by("-effective_from").first()


# ---------------------------------------------------------------- single undertaking and de minimis history


def single_undertaking(organisation: Organisation, on: date, *, declared: tuple[Organisation, ...] = ()) -> list[Organisation]:
    """The organisation and those linked to it by control on `on`, directly or through others (art. 2(2)),
    plus the companies the applicant declared; ordered by primary key (the lock order)."""
    links = [(link.controller_id, link.controlled_id)
             for link in ControlLink.objects.filter(Q(since__isnull=True) | Q(since__lte=on),
                                                    Q(until__isnull=True) | Q(until__gte=on))]
    links += [(organisation.pk, other.pk) for other in declared]
    members = ceilings.single_undertaking(organisation.pk, links)
    return list(Organisation.objects.filter(pk__in=members).order_by("pk"))


def recorded_de_minimis(organisation_ids, *, exclude: int | None = None) -> list[ceilings.Aid]:
    """De minimis aid Levier itself granted to these organisations (gross grant equivalents, at the commitment date)."""
    rows = (Commitment.objects.filter(beneficiary_id__in=organisation_ids).exclude(de_minimis="").exclude(pk=exclude)
            .select_related("beneficiary", "fund"))
    return [ceilings.Aid(c.committed_on, c.gross_grant_equivalent, c.de_minimis,
                           f"{c.reference} — {c.fund.name} ({c.beneficiary.name})") for c in rows]


def check_de_minimis(*, beneficiary: Organisation, amount: Decimal, regime: str, on: date,
                     declared: list[ceilings.Aid] = (), linked: tuple[Organisation, ...] = (),
                     lock: bool = False) -> ceilings.DeMinimisCheck:
    """The ceiling check of a new aid for the beneficiary's single undertaking. With `lock`, the
    undertaking's rows are locked (primary-key order) before its history is read, so that two grants
    at the same time cannot both pass the ceiling."""
    members = single_undertaking(beneficiary, on, declared=linked)
    if lock:
        members = list(Organisation.objects.select_for_update().filter(pk__in=[m.pk for m in members]).order_by("pk"))
    history = recorded_de_minimis([m.pk for m in members]) + list(declared)
    return ceilings.check(ceilings.Aid(on, amount, regime), history, fiscal_year_end=beneficiary.fiscal_year_end,
                            road_freight=(beneficiary.naf_code or "").startswith(ROAD_FREIGHT_NAF))


def declared_de_minimis(application) -> list[ceilings.Aid]:
    """The de minimis aid the applicant declared (received from other grantors)."""
    return [ceilings.Aid(a.granted_on, a.amount, a.regime, f"Déclarée : {a.grantor}"
                           + (f" (SIREN {a.beneficiary_siren})" if a.beneficiary_siren else ""))
            for a in application.declared_aids.all()]


def record_declared_links(application, *, by, on: date) -> tuple[Organisation, ...]:
    """The companies the applicant declared it controls or is controlled by become control links of the
    registry (created with their organisation when unknown); returns them."""
    from levier.organisations.services import create_organisation

    linked = []
    for declared in application.declared_links.all():
        other = Organisation.objects.filter(siren=declared.siren).first() or create_organisation(
            name=declared.name, kind="company", siren=declared.siren)
        controller, controlled = ((application.organisation, other) if declared.direction == "controls"
                                  else (other, application.organisation))
        ControlLink.objects.get_or_create(
            controller=controller, controlled=controlled, until=None,
            defaults={"basis": declared.basis, "since": None, "recorded_by": by,
                      "source": f"Déclaration de la demande {application.number} ({on:%d/%m/%Y})"})
        linked.append(other)
    return tuple(linked)


# ---------------------------------------------------------------- grants


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
    de_minimis: str = ""  # the regime (DeMinimisRegime); "" when the aid is not de minimis
    jobs_planned: int = 0
    jobs_due_on: date | None = None
    reference_cdi_headcount: int | None = None
    other_financing: Decimal = Decimal("0.00")
    commune_id: int | None = None
    in_qpv: bool = False
    linked: tuple[Organisation, ...] = ()  # companies the applicant declared in its single undertaking
    declared_de_minimis: list[ceilings.Aid] = field(default_factory=list)  # aid received elsewhere, declared
    loan_months: int = 60
    loan_frequency: str = "monthly"
    loan_deferral_months: int = 0
    loan_rate: Decimal = Decimal("0")  # yearly fraction charged
    rating: str = ""
    collateral: str = ""
    margin_bp: int | None = None
    justification: str = ""


@dataclass(frozen=True)
class LoanTerms:
    instalments: list[loans.Instalment]
    equivalent: loans.GrantEquivalent
    first_due_on: date
    margin_bp: int


def loan_terms(spec: Grant, amount: Decimal) -> LoanTerms:
    """The schedule and the gross grant equivalent of a loan, at the base rate in force on the grant date."""
    from .enums import LoanFrequency

    if spec.loan_frequency not in loans.FREQUENCIES:
        raise InvalidInput.single("loan_frequency", f"Périodicité attendue parmi {', '.join(LoanFrequency.values)}.")
    period = loans.FREQUENCIES[spec.loan_frequency]
    if spec.loan_months <= 0 or spec.loan_months % period:
        raise InvalidInput.single("loan_months", f"Durée en mois multiple de {period} attendue.")
    if spec.margin_bp is None:
        if spec.rating not in loans.RATINGS or spec.collateral not in loans.COLLATERALS:
            raise InvalidInput.single("rating", "Notation de l'emprunteur et niveau des sûretés obligatoires pour fixer la "
                                                "marge du taux de référence (communication 2008/C 14/02).")
        margin = loans.margin_bp(spec.rating, spec.collateral)
    else:
        margin = spec.margin_bp
    base = base_rate_on(spec.committed_on)
    if base is None:
        raise InvalidInput.single("committed_on", "Aucun taux de base de la Commission n'est connu à cette date : "
                                                  "l'administrateur doit le saisir.")
    first_due_on = add_months(spec.committed_on, spec.loan_deferral_months + period)
    instalments = loans.schedule(amount, count=spec.loan_months // period, first_due_on=first_due_on,
                                 months_between=period, annual_rate=spec.loan_rate, granted_on=spec.committed_on)
    equivalent = loans.grant_equivalent(instalments, granted_on=spec.committed_on, base_rate=base.rate, margin=margin,
                                        annual_rate=spec.loan_rate)
    return LoanTerms(instalments, equivalent, first_due_on, margin)


def grant(spec: Grant, *, by=None) -> Commitment:
    """Commit an amount to a beneficiary: a strictly positive amount; for a loan its schedule and gross
    grant equivalent; for de minimis aid, the ceiling of the single undertaking (rows locked first); then
    the operator's available balance (the ledger's lock order: the undertaking's organisations, then the fund,
    the operator and the commitment)."""
    amount = ledger.money(spec.amount, "amount")
    if spec.beneficiary is None and not spec.person_name.strip():
        raise InvalidInput.single("beneficiary", "Bénéficiaire obligatoire (entreprise ou personne).")
    terms = loan_terms(spec, amount) if spec.kind in LOAN_KINDS else None
    gge = terms.equivalent.value if terms else amount
    with transaction.atomic():
        if spec.de_minimis and spec.beneficiary is not None:
            check = check_de_minimis(beneficiary=spec.beneficiary, amount=gge, regime=spec.de_minimis,
                                     on=spec.committed_on, declared=spec.declared_de_minimis, linked=spec.linked, lock=True)
            if not check.allowed:
                raise InvalidInput.single("amount", check.reason)
        ledger.hold(fund_id=spec.operator.fund_id, operator_id=spec.operator.pk)  # before the commitment references them
        company = spec.beneficiary
        size = ""
        if company is not None and company.headcount is not None:
            size = size_category(company.headcount, company.turnover, company.balance_sheet).category or ""
        loan = {}
        if terms is not None:
            loan = {"loan_rate": spec.loan_rate, "loan_months": spec.loan_months, "loan_frequency": spec.loan_frequency,
                    "first_due_on": terms.first_due_on, "rating": spec.rating if spec.margin_bp is None else "",
                    "collateral": spec.collateral if spec.margin_bp is None else "", "margin_bp": terms.margin_bp,
                    "base_rate": terms.equivalent.base_rate, "reference_rate": terms.equivalent.reference_rate,
                    "discount_rate": terms.equivalent.discount_rate}
        commitment = Commitment.objects.create(
            reference=spec.reference, fund_id=spec.operator.fund_id, operator=spec.operator, scheme_id=spec.scheme_id,
            application_id=spec.application_id, beneficiary=company, person_name=spec.person_name.strip(),
            commune_id=spec.commune_id, in_qpv=spec.in_qpv,
            naf_section=(naf_section(company.naf_code) or "") if company else "", size_category=size, kind=spec.kind,
            legal_basis=spec.legal_basis, de_minimis=spec.de_minimis, gross_grant_equivalent=gge,
            committed_on=spec.committed_on, jobs_planned=spec.jobs_planned, jobs_due_on=spec.jobs_due_on,
            reference_cdi_headcount=spec.reference_cdi_headcount, other_financing=spec.other_financing,
            justification=spec.justification, **loan)
        ledger.commit(commitment=commitment, amount=amount, by=by)
        if terms is not None:
            LoanInstalment.objects.bulk_create([
                LoanInstalment(commitment=commitment, number=i.number, due_on=i.due_on, principal=i.principal,
                               interest=i.interest) for i in terms.instalments])
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
