"""Revitalisation of employment areas: who owes what, by when, and what counts towards it (pure).

Code du travail, in force since décret 2023-553 of 1 July 2023 (wording quoted in docs/funding-rules.md):
- L1233-84, L1237-19-9: the companies of L1233-71 — a company or establishment of at least 1 000
  employees, or a group (L2331-1, L2341-1/2) employing at least 1 000 in total — whose collective
  dismissal, or collective contractual termination agreement (RCC, L1237-19), affects by its scale the
  balance of the employment area, contribute to creating activity and jobs there; not in receivership
  or liquidation.
- L1233-85, L1237-19-10: a convention with the State, signed within six months of the notification of
  the dismissal project (L1233-46) or of the validation of the RCC agreement (L1237-19-3); a group,
  company or establishment agreement with financial commitments at least equal to the contribution
  takes its place at the company's request, unless the administration opposes it, with reasons,
  within two months of the request.
- L1233-86, L1237-19-11: at least two monthly SMIC per job eliminated; the administration may set a
  lower amount when the company cannot bear it (D1233-43 al. 3); without a signed convention or an
  agreement taking its place, the company pays the Treasury twice that amount, on a collection order
  of the prefect (D1233-44; of the minister for a national framework convention, D1233-48-3).
- D1233-43: jobs eliminated = dismissals planned − reclassifications in the company or group on the
  employment area (RCC: terminations − posts filled again on the same job).
- L1233-87: a company of at least 50 employees not bound by L1233-71 takes part in the actions as
  agreed with the administration, "compte tenu notamment de sa situation financière et du nombre
  d'emplois supprimés": no floor (not for an RCC, nor in receivership).
- D1233-38: the prefect tells the company, within two months (one month before 3 July 2023) of the
  notification of the validation or approval of the plan (or of the RCC agreement), whether it is subject.
- D1233-40: a convention lasts at most three years, save particular circumstances.
- D1233-41: measures engaged before the convention may count when they serve the employment area; a
  loan counts at its forecast cost, within 30 % of the sums committed; a transfer of real estate at its
  market value less its price, within 30 % of the contribution (since 3 July 2023); a voluntary
  approach's measures only if engaged within the two years before the D1233-38 decision and recorded
  in a framework document signed with the prefect.
- D1233-42: the follow-up committee meets at least once a year.
- L1233-90-1, L1237-19-14: a national framework convention when at least three départements are
  affected, signed within the same six months; local conventions within four months of its signature;
  at most 40 months (D1233-48-1).

Months are counted as French law counts them (Code de procédure civile art. 641): a period of N months
from day D ends on the day of the N-th month with the same number, or that month's last day.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from levier.core.dates import add_months
from levier.core.errors import FieldError, InvalidInput
from levier.core.formats import format_date, format_euros, format_number
from levier.core.money import cents

PSE, RCC, OTHER = "pse", "rcc", "other"
PROCEDURES = {PSE: "licenciement collectif pour motif économique",
              RCC: "rupture conventionnelle collective", OTHER: "autre procédure"}
OBLIGATION, VOLUNTARY, NOT_SUBJECT, NOT_CONCERNED = "obligation", "voluntary", "not_subject", "not_concerned"
CLASSIFICATIONS = {
    OBLIGATION: "Obligation de revitalisation",
    VOLUNTARY: "Participation par convention (L1233-87)",
    NOT_SUBJECT: "Non assujettie (décision du préfet)",
    NOT_CONCERNED: "Hors du champ de la revitalisation",
}
BOUND_HEADCOUNT = 1000  # L1233-71
AGREEMENT_HEADCOUNT = 50  # L1233-87
MINIMUM_SMIC_PER_JOB = Decimal(2)  # L1233-86 al. 1
TREASURY_MULTIPLE = Decimal(2)  # L1233-86 al. 2: "le double du montant prévu au premier alinéa"
SIGNATURE_MONTHS = 6  # L1233-85
DECISION_MONTHS = 2  # D1233-38 since décret 2023-553 (in force 3 July 2023); one month before
DECISION_MONTHS_BEFORE_2023 = 1
DECISION_TWO_MONTHS_FROM = date(2023, 7, 3)
REAL_ESTATE_CAP_FROM = date(2023, 7, 3)  # D1233-41: the 30 % cap on real estate, décret 2023-553
OPPOSITION_MONTHS = 2  # L1233-85 last paragraph
WARNING_MONTHS = 1  # the page warns one month before the deadline
LOAN_CAP = Decimal("0.30")  # D1233-41: of the sums committed
REAL_ESTATE_CAP = Decimal("0.30")  # D1233-41: of the contribution
VOLUNTARY_YEARS = 2  # D1233-41: a voluntary approach's measures, within two years before the decision
COMMITTEE_MONTHS = 12  # D1233-42: at least once a year
FRAMEWORK_DEPARTEMENTS = 3  # L1233-90-1
LOCAL_CONVENTION_MONTHS = 4  # L1233-90-1
USUAL_MONTHS, FRAMEWORK_MONTHS = 36, 40  # D1233-40, D1233-48-1
# What a measure is (D1233-41) and on what ground one taken before the convention counts (L1233-85 al. 2).
ACTION, LOAN, REAL_ESTATE = "action", "loan", "real_estate"
MEASURE_KINDS = (ACTION, LOAN, REAL_ESTATE)
ENGAGED, GPEC, PLAN, VOLUNTARY_FRAMEWORK = "engaged", "gpec", "plan", "voluntary_framework"
ANTICIPATIONS = ("", ENGAGED, GPEC, PLAN, VOLUNTARY_FRAMEWORK)


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{format_number(count)} {word if abs(count) <= 1 else (plural or word + 's')}"


# ---------------------------------------------------------------- who owes what, by when


@dataclass(frozen=True)
class Subjection:
    """The prefect's decision (D1233-38): subject or not, on a date."""

    decided_on: date
    subject: bool


@dataclass(frozen=True)
class CollectiveAgreement:
    """A group, company or establishment agreement the company asks to take the convention's place."""

    requested_on: date
    commitments: Decimal
    opposed_on: date | None = None
    opposition_reason: str = ""


@dataclass(frozen=True)
class ObligationCase:
    procedure: str
    headcount: int  # the company (an establishment is never larger)
    jobs_eliminated: int
    notified_on: date  # notification of the dismissal project (L1233-46) or of the RCC negotiation (L1237-19)
    monthly_smic: Decimal  # the monthly SMIC in force on `notified_on`
    as_of: date
    group_headcount: int | None = None
    in_receivership: bool = False
    jobs_reclassified: int = 0
    validated_on: date | None = None  # validation or approval of the plan (or of the RCC agreement)
    subjection: Subjection | None = None
    signed_on: date | None = None
    agreed_amount: Decimal | None = None
    rate: Decimal | None = None  # monthly SMIC per job, another way to state the agreed amount
    amount_reason: str = ""
    agreement: CollectiveAgreement | None = None
    national_framework: bool = False  # at least three départements (L1233-90-1, L1237-19-14)


@dataclass(frozen=True)
class Obligation:
    classification: str
    jobs: int
    monthly_smic: Decimal
    smic_date: date
    minimum_amount: Decimal | None  # 2 × SMIC × jobs, for a bound company
    amount_owed: Decimal | None
    amount_basis: str  # minimum | rate | agreed | reduced
    decision_due_on: date | None
    deadline: date | None
    signed_in_time: bool | None
    agreement_status: str | None  # pending | in_lieu | opposed | insufficient | late
    opposition_until: date | None
    treasury_due: bool
    treasury_amount_without_convention: Decimal | None
    treasury_since: date | None
    reasons: tuple[str, ...]
    warnings: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return CLASSIFICATIONS[self.classification]

    @property
    def treasury_amount(self) -> Decimal | None:
        return self.treasury_amount_without_convention if self.treasury_due else None

    def as_dict(self) -> dict:
        day = lambda d: d.isoformat() if d else None  # noqa: E731
        money = lambda m: f"{m:.2f}" if m is not None else None  # noqa: E731
        return {
            "classification": self.classification, "label": self.label, "jobs": self.jobs,
            "smic_date": day(self.smic_date), "monthly_smic": money(self.monthly_smic),
            "minimum_amount": money(self.minimum_amount), "amount_owed": money(self.amount_owed),
            "amount_basis": self.amount_basis or None, "decision_due_on": day(self.decision_due_on),
            "deadline": day(self.deadline), "signed_in_time": self.signed_in_time,
            "agreement_status": self.agreement_status, "opposition_until": day(self.opposition_until),
            "treasury_due": self.treasury_due, "treasury_amount": money(self.treasury_amount),
            "treasury_amount_without_convention": money(self.treasury_amount_without_convention),
            "treasury_since": day(self.treasury_since), "reasons": list(self.reasons), "warnings": list(self.warnings),
        }


def classify(case: ObligationCase) -> tuple[str, str]:
    """Who is bound (L1233-84, L1237-19-9), who takes part as agreed (L1233-87), who is outside."""
    kind, reason = _scope(case)
    if kind in (OBLIGATION, VOLUNTARY) and case.subjection is not None and not case.subjection.subject:
        return NOT_SUBJECT, (f"Le préfet a indiqué le {format_date(case.subjection.decided_on)} que les suppressions d'emplois "
                             "n'affectent pas, par leur ampleur, l'équilibre du bassin d'emploi (D1233-38, D1233-45).")
    return kind, reason


def _scope(case: ObligationCase) -> tuple[str, str]:
    label = PROCEDURES.get(case.procedure, case.procedure)
    if case.jobs_eliminated == 0 and case.procedure in (PSE, RCC):
        return NOT_CONCERNED, "Aucun emploi supprimé : pas de revitalisation (L1233-84, L1237-19-9)."
    if case.procedure not in (PSE, RCC):
        return NOT_CONCERNED, ("Ni licenciement collectif ni rupture conventionnelle collective : la revitalisation "
                               "ne s'applique pas (L1233-84, L1237-19-9).")
    if case.in_receivership:
        return NOT_CONCERNED, ("Entreprise en redressement ou en liquidation judiciaire : pas de revitalisation "
                               "(L1233-84, L1233-87, L1237-19-9).")
    article = "L1233-84" if case.procedure == PSE else "L1237-19-9"
    if case.headcount >= BOUND_HEADCOUNT:
        return OBLIGATION, (f"Entreprise d'au moins 1 000 salariés ({format_number(case.headcount)}) et {label} : "
                            f"obligation de revitalisation ({article}, L1233-71).")
    if case.group_headcount is not None and case.group_headcount >= BOUND_HEADCOUNT:
        return OBLIGATION, (f"Groupe d'au moins 1 000 salariés au total ({format_number(case.group_headcount)}) et {label} : "
                            f"obligation de revitalisation ({article}, L1233-71).")
    company = f"Entreprise de {_plural(case.headcount, 'salarié')}"
    if case.procedure == RCC:
        return NOT_CONCERNED, (f"{company}, moins de 1 000 (groupe compris) : une rupture conventionnelle collective "
                               "n'engage que les entreprises de 1 000 salariés et plus (L1237-19-9).")
    if case.headcount >= AGREEMENT_HEADCOUNT:
        return VOLUNTARY, (f"{company}, au moins 50 et moins de 1 000 (groupe compris) : elle prend part aux actions selon "
                           "des modalités définies d'un commun accord, compte tenu notamment de sa situation financière et "
                           "du nombre d'emplois supprimés (L1233-87).")
    return NOT_CONCERNED, f"{company}, moins de 50 : hors du champ de la revitalisation (L1233-87)."


def _check(case: ObligationCase) -> list[FieldError]:
    """Every error of the facts themselves (counts, amounts, the order of dates)."""
    errors = []
    if case.procedure not in PROCEDURES:
        errors.append(FieldError("procedure", f"Procédure attendue parmi {', '.join(PROCEDURES)}."))
    if case.headcount < 0:
        errors.append(FieldError("headcount", "L'effectif ne peut pas être négatif."))
    if case.group_headcount is not None and case.group_headcount < case.headcount:
        errors.append(FieldError("group_headcount", "L'effectif du groupe ne peut pas être inférieur à celui de l'entreprise."))
    if case.jobs_eliminated < 0:
        errors.append(FieldError("jobs_eliminated", "Le nombre d'emplois supprimés ne peut pas être négatif."))
    if case.jobs_reclassified < 0:
        errors.append(FieldError("jobs_reclassified", "Le nombre de reclassements ne peut pas être négatif."))
    elif case.jobs_reclassified > case.jobs_eliminated:
        errors.append(FieldError("jobs_reclassified", "Plus de reclassements (ou de postes repourvus) que d'emplois supprimés."))
    if case.agreed_amount is not None and case.rate is not None:
        errors.append(FieldError("rate", "Indiquez soit le montant convenu, soit le taux en SMIC par emploi, pas les deux."))
    if case.agreed_amount is not None and case.agreed_amount < 0:
        errors.append(FieldError("agreed_amount", "Le montant convenu ne peut pas être négatif."))
    if case.rate is not None and case.rate <= 0:
        errors.append(FieldError("rate", "Le taux (SMIC mensuels par emploi) doit être positif."))
    if case.validated_on is not None and case.validated_on < case.notified_on:
        errors.append(FieldError("validated_on", "La validation ne peut précéder la notification."))
    if case.signed_on is not None and case.signed_on < case.notified_on:
        errors.append(FieldError("signed_on", "La signature ne peut précéder la notification."))
    elif case.signed_on is not None and case.procedure == RCC and case.validated_on and case.signed_on < case.validated_on:
        errors.append(FieldError("signed_on", "La convention suit la validation de l'accord de rupture conventionnelle "
                                              "collective (L1237-19-10)."))
    if case.subjection is not None:
        if case.subjection.decided_on < case.notified_on:
            errors.append(FieldError("subjection.decided_on", "La décision du préfet ne peut précéder la notification."))
        elif case.validated_on is not None and case.subjection.decided_on < case.validated_on:
            errors.append(FieldError("subjection.decided_on", "La décision du préfet suit la validation ou l'homologation."))
    agreement = case.agreement
    if agreement is not None:
        if agreement.commitments < 0:
            errors.append(FieldError("agreement.commitments", "Les engagements financiers ne peuvent pas être négatifs."))
        if agreement.requested_on < case.notified_on:
            errors.append(FieldError("agreement.requested_on", "La demande ne peut précéder la notification."))
        if agreement.opposed_on is not None:
            if agreement.opposed_on < agreement.requested_on:
                errors.append(FieldError("agreement.opposed_on", "L'opposition ne peut précéder la demande."))
            if not agreement.opposition_reason.strip():
                errors.append(FieldError("agreement.opposition_reason", "L'opposition de l'administration est motivée "
                                                                        "(L1233-85, L1237-19-10)."))
    return errors


def _kind_errors(case: ObligationCase, kind: str, jobs: int) -> list[FieldError]:
    """What the classification requires on top of the facts."""
    errors = []
    if kind == VOLUNTARY:
        if case.agreed_amount is None and case.rate is None:
            errors.append(FieldError("agreed_amount", "Sans obligation, la contribution est convenue avec l'administration : "
                                                      "indiquez son montant, 0 le cas échéant (L1233-87)."))
        if not case.amount_reason.strip():
            errors.append(FieldError("amount_reason", "Indiquez ce qui fonde le montant convenu : situation financière de "
                                                      "l'entreprise, nombre d'emplois supprimés (L1233-87)."))
    if kind == OBLIGATION:
        if case.procedure == RCC and case.validated_on is None:
            errors.append(FieldError("validated_on", "Date de validation de l'accord de rupture conventionnelle collective "
                                                     "obligatoire : le délai de six mois court de cette validation "
                                                     "(L1237-19-10)."))
        minimum = cents(jobs * MINIMUM_SMIC_PER_JOB * case.monthly_smic)
        owed = _agreed(case, jobs)
        if owed is not None and owed < minimum and not case.amount_reason.strip():
            article = "L1233-86" if case.procedure == PSE else "L1237-19-11"
            errors.append(FieldError("rate" if case.rate is not None else "agreed_amount",
                                     f"Montant inférieur au minimum légal de {format_euros(minimum, cents=True)} : seulement si "
                                     f"l'entreprise ne peut pas en assurer la charge, motif obligatoire ({article} al. 1)."))
    return errors


def _agreed(case: ObligationCase, jobs: int) -> Decimal | None:
    if case.rate is not None:
        return cents(jobs * case.rate * case.monthly_smic)
    return case.agreed_amount


def _known_on(case: ObligationCase) -> ObligationCase:
    """The facts as they stand on `as_of`: a signature, a decision, a request or an opposition dated later
    has not happened yet."""
    from dataclasses import replace

    as_of = case.as_of
    agreement = case.agreement
    if agreement is not None and agreement.requested_on > as_of:
        agreement = None
    elif agreement is not None and agreement.opposed_on is not None and agreement.opposed_on > as_of:
        agreement = replace(agreement, opposed_on=None, opposition_reason="")
    return replace(case, agreement=agreement,
                   signed_on=case.signed_on if case.signed_on and case.signed_on <= as_of else None,
                   subjection=case.subjection if case.subjection and case.subjection.decided_on <= as_of else None)


def obligation(case: ObligationCase) -> Obligation:
    """The classification, the amount owed and its floor, the deadlines and the Treasury payment at `as_of`
    (every error of the input listed at once)."""
    errors = _check(case)
    if errors:
        raise InvalidInput(errors)
    case = _known_on(case)
    kind, why = classify(case)
    jobs = case.jobs_eliminated - case.jobs_reclassified
    errors = _kind_errors(case, kind, jobs)
    if errors:
        raise InvalidInput(errors)
    reasons, warnings = [why], []
    smic = case.monthly_smic
    deducted = "postes repourvus" if case.procedure == RCC else "reclassés dans l'entreprise ou le groupe"
    reasons.append(f"{_plural(case.jobs_eliminated, 'emploi supprimé', 'emplois supprimés')} − "
                   f"{format_number(case.jobs_reclassified)} {deducted} = {_plural(jobs, 'emploi')} (D1233-43) ; "
                   f"SMIC mensuel brut au {format_date(case.notified_on)} : {format_euros(smic, cents=True)}.")
    decision_due = decision_due_on(case.validated_on) if case.validated_on and kind == OBLIGATION else None
    if decision_due and case.subjection and case.subjection.decided_on > decision_due:
        warnings.append(f"Décision du préfet notifiée le {format_date(case.subjection.decided_on)}, après le délai suivant "
                        f"la validation ou l'homologation (au plus tard le {format_date(decision_due)}, D1233-38).")
    if kind in (NOT_SUBJECT, NOT_CONCERNED):
        return Obligation(kind, jobs, smic, case.notified_on, None, None, "", decision_due, None, None, None, None,
                          False, None, None, tuple(reasons), tuple(warnings))
    owed, basis, minimum = _amount_owed(case, kind, jobs, reasons)
    if kind == VOLUNTARY:
        return Obligation(kind, jobs, smic, case.notified_on, None, owed, basis, None, None, None, None, None,
                          False, None, None, tuple(reasons), tuple(warnings))
    return _deadline_and_treasury(case, jobs, owed, basis, minimum, decision_due, reasons, warnings)


def _deadline_and_treasury(case, jobs, owed, basis, minimum, decision_due, reasons, warnings) -> Obligation:
    smic = case.monthly_smic
    deadline = signature_deadline(case.procedure, case.notified_on, case.validated_on)
    what = "convention-cadre nationale" if case.national_framework else "convention"
    if case.procedure == PSE:
        anchor, article = "de la notification du projet de licenciement", "L1233-90-1" if case.national_framework else "L1233-85"
    else:
        anchor, article = "de la validation de l'accord", "L1237-19-14" if case.national_framework else "L1237-19-10"
    reasons.append(f"{what.capitalize()} à signer dans les six mois {anchor} ({article}) : au plus tard le {format_date(deadline)}.")
    if case.subjection is None and not case.national_framework:
        warnings.append("Décision du préfet sur l'assujettissement non enregistrée : l'obligation et la contribution au "
                        "Trésor supposent que le préfet ait indiqué à l'entreprise qu'elle est assujettie (D1233-38).")
    in_time = None if case.signed_on is None else case.signed_on <= deadline
    status, opposition_until = _agreement_status(case, owed, minimum, deadline, reasons, warnings)
    treasury = cents(jobs * MINIMUM_SMIC_PER_JOB * TREASURY_MULTIPLE * smic)
    treasury_due, since = False, None
    if in_time:
        reasons.append(f"{what.capitalize()} signée le {format_date(case.signed_on)}, dans le délai.")
    elif status == "in_lieu":
        reasons.append("L'accord collectif tient lieu de convention : pas de versement au Trésor.")
    elif status == "pending" and case.as_of > deadline:
        reasons.append(f"L'administration peut encore s'opposer à l'accord jusqu'au {format_date(opposition_until)} : "
                       "le versement au Trésor n'est pas exigible avant.")
    elif case.as_of > deadline and treasury > 0:
        treasury_due = True
        since = deadline + timedelta(days=1)
        if status == "opposed":  # due only once the agreement can no longer take the convention's place
            since = max(since, case.agreement.opposed_on)
        late = f"signée le {format_date(case.signed_on)}, après le délai" if case.signed_on else "non signée"
        issuer = "le ministre chargé de l'emploi émet le titre de perception (D1233-48-3)" if case.national_framework \
            else "le préfet émet le titre de perception (D1233-44)"
        amount_article = "L1233-86 al. 2" if case.procedure == PSE else "L1237-19-11 al. 2"
        reasons.append(f"{what.capitalize()} {late} et sans accord collectif en tenant lieu : l'entreprise verse au Trésor le "
                       f"double du montant minimal, 4 SMIC mensuels × {_plural(jobs, 'emploi')} = "
                       f"{format_euros(treasury, cents=True)} ({amount_article}) ; {issuer}.")
    elif case.as_of <= deadline and case.as_of >= add_months(deadline, -WARNING_MONTHS):
        days = (deadline - case.as_of).days
        when = "Dernier jour" if days == 0 else f"Plus que {_plural(days, 'jour')}"
        warnings.append(f"{when} pour signer la {what} (échéance le {format_date(deadline)}) : sans {what} ni accord en "
                        f"tenant lieu, l'entreprise versera {format_euros(treasury, cents=True)} au Trésor.")
    return Obligation(OBLIGATION, jobs, smic, case.notified_on, minimum, owed, basis, decision_due, deadline, in_time, status,
                      opposition_until, treasury_due, treasury, since, tuple(reasons), tuple(warnings))


def signature_deadline(procedure: str, notified_on: date, validated_on: date | None) -> date:
    """Six months from the notification of the dismissal project (L1233-85, L1233-90-1) or from the
    validation of the RCC agreement (L1237-19-10, L1237-19-14), the last day included."""
    anchor = validated_on if procedure == RCC else notified_on
    return add_months(anchor, SIGNATURE_MONTHS)


def decision_due_on(validated_on: date) -> date:
    """The prefect answers within two months of the notification of the validation or approval
    (D1233-38 since 3 July 2023; one month before)."""
    months = DECISION_MONTHS if validated_on >= DECISION_TWO_MONTHS_FROM else DECISION_MONTHS_BEFORE_2023
    return add_months(validated_on, months)


def _amount_owed(case: ObligationCase, kind: str, jobs: int, reasons: list) -> tuple[Decimal, str, Decimal | None]:
    """The contribution (errors were listed by `_kind_errors`): agreed, or the legal minimum."""
    owed = _agreed(case, jobs)
    if case.rate is not None:
        basis = "rate"
        reasons.append(f"Montant convenu : {format_number(case.rate.normalize())} SMIC mensuels × {_plural(jobs, 'emploi')} "
                       f"= {format_euros(owed, cents=True)}.")
    elif owed is not None:
        basis = "agreed"
        reasons.append(f"Montant convenu : {format_euros(owed, cents=True)}.")
    else:
        owed, basis = cents(jobs * MINIMUM_SMIC_PER_JOB * case.monthly_smic), "minimum"
    if kind == VOLUNTARY:
        reasons.append(f"Motif du montant : {case.amount_reason.strip()}.")
        return owed, basis, None
    minimum = cents(jobs * MINIMUM_SMIC_PER_JOB * case.monthly_smic)
    article = "L1233-86" if case.procedure == PSE else "L1237-19-11"
    reasons.append(f"Minimum légal : 2 SMIC mensuels × {_plural(jobs, 'emploi')} = {format_euros(minimum, cents=True)} "
                   f"({article} al. 1).")
    if owed < minimum:
        basis = "reduced"
        reasons.append(f"Montant réduit par l'administration, l'entreprise ne pouvant assurer la charge du minimum "
                       f"(D1233-43) : {case.amount_reason.strip()}.")
    return owed, basis, minimum


def _agreement_status(case: ObligationCase, owed: Decimal, minimum: Decimal, deadline: date, reasons: list,
                      warnings: list) -> tuple[str | None, date | None]:
    """An agreement takes the convention's place when its financial commitments reach the contribution the law
    sets (the legal minimum, or the lower amount the administration set) and no opposition came within two
    months of the request; an opposition later than that has no effect."""
    agreement = case.agreement
    if agreement is None:
        return None, None
    article = "L1233-85" if case.procedure == PSE else "L1237-19-10"
    until = add_months(agreement.requested_on, OPPOSITION_MONTHS)
    if agreement.requested_on > deadline:
        reasons.append(f"Accord collectif présenté le {format_date(agreement.requested_on)}, après l'échéance de la "
                       "convention : il ne peut plus en tenir lieu.")
        return "late", until
    legal = min(owed, minimum)
    if agreement.commitments < legal:
        reasons.append(f"Engagements financiers de l'accord ({format_euros(agreement.commitments, cents=True)}) inférieurs à "
                       f"la contribution ({format_euros(legal, cents=True)}) : il ne peut tenir lieu de convention ({article}).")
        return "insufficient", until
    if agreement.opposed_on is not None and agreement.opposed_on <= until:
        reasons.append(f"L'administration s'est opposée à l'accord le {format_date(agreement.opposed_on)} : "
                       f"{agreement.opposition_reason.strip()}.")
        return "opposed", until
    if agreement.opposed_on is not None:
        warnings.append(f"Opposition du {format_date(agreement.opposed_on)} sans effet : elle vient après les deux mois "
                        f"suivant la demande (jusqu'au {format_date(until)}, {article}).")
    if case.as_of <= until:
        return "pending", until
    reasons.append(f"Accord collectif présenté le {format_date(agreement.requested_on)}, sans opposition dans les deux mois "
                   f"({article}).")
    return "in_lieu", until


# ---------------------------------------------------------------- what counts towards it


@dataclass(frozen=True)
class Measure:
    kind: str  # action | loan | real_estate
    done_on: date
    value: Decimal  # action: its cost; loan: its forecast cost; real estate: the market value
    principal: Decimal | None = None  # loan: the sums lent
    transfer_price: Decimal | None = None  # real estate
    anticipation: str = ""  # ground for a measure taken before the convention
    label: str = ""
    jobs_created: int = 0


@dataclass(frozen=True)
class ValuedMeasure:
    measure: Measure
    counted: Decimal
    reason: str


@dataclass(frozen=True)
class Valuation:
    measures: tuple[ValuedMeasure, ...]
    total: Decimal


def value_measures(measures: list[Measure], *, contribution: Decimal, signed_on: date | None, ends_on: date | None = None,
                   decision_on: date | None = None, framework_on: date | None = None,
                   real_estate_capped: bool = True) -> Valuation:
    """What each measure counts for (D1233-41), in date order so that the real-estate cap fills up in time.
    The 30 % cap on real estate exists since 3 July 2023 (`real_estate_capped`: the obligation was
    notified — D1233-38 — on or after that day); the cap on loans since 2008."""
    valued = []
    real_estate_left = cents(contribution * REAL_ESTATE_CAP) if real_estate_capped else None
    for measure in sorted(measures, key=lambda m: m.done_on):
        ground = _anticipation_refusal(measure, signed_on, decision_on, framework_on)
        if ground:
            valued.append(ValuedMeasure(measure, Decimal("0.00"), ground))
            continue
        if ends_on is not None and measure.done_on > ends_on:
            valued.append(ValuedMeasure(measure, Decimal("0.00"), f"Après la fin de la convention ({format_date(ends_on)})."))
            continue
        if measure.kind == LOAN:
            cap = cents((measure.principal or Decimal(0)) * LOAN_CAP)
            counted = min(measure.value, cap)
            reason = (f"Coût prévisionnel du prêt {format_euros(measure.value, cents=True)}, plafonné à 30 % des sommes prêtées "
                      f"({format_euros(cap, cents=True)}, D1233-41).")
        elif measure.kind == REAL_ESTATE:
            gain = max(measure.value - (measure.transfer_price or Decimal(0)), Decimal("0.00"))
            reason = f"Valeur de marché − valeur de cession = {format_euros(gain, cents=True)}"
            if real_estate_left is None:
                counted, reason = gain, reason + " (D1233-41 avant le décret 2023-553 : sans plafond)."
            else:
                counted = min(gain, real_estate_left)
                real_estate_left -= counted
                reason += ", les cessions comptant au plus 30 % de la contribution (D1233-41)."
        else:
            counted, reason = measure.value, "À son coût."
        valued.append(ValuedMeasure(measure, cents(counted), reason))
    return Valuation(tuple(valued), sum((v.counted for v in valued), Decimal("0.00")))


def _anticipation_refusal(measure: Measure, signed_on: date | None, decision_on: date | None,
                          framework_on: date | None) -> str:
    """Why a measure taken before the convention does not count ('' when it counts)."""
    if signed_on is not None and measure.done_on >= signed_on:
        return ""
    if measure.anticipation in (ENGAGED, GPEC, PLAN):
        return ""
    if measure.anticipation == VOLUNTARY_FRAMEWORK:
        if framework_on is None:
            return "Démarche volontaire sans document-cadre conclu avec le préfet : ne compte pas (D1233-41 II)."
        if decision_on is None:
            return "Décision du préfet (D1233-38) non enregistrée : la période de deux ans ne peut être vérifiée."
        start = add_months(decision_on, -12 * VOLUNTARY_YEARS)
        if not start <= measure.done_on <= decision_on:
            return (f"Hors des deux années précédant la décision du préfet du {format_date(decision_on)} "
                    f"(depuis le {format_date(start)}, D1233-41 II).")
        return ""
    return ("Antérieure à la convention sans motif de prise en compte (mesure engagée pour le bassin, accord de GPEC, plan "
            "ou document-cadre) : ne compte pas (L1233-85, D1233-41).")


# ---------------------------------------------------------------- follow-up


def committee_due_on(signed_on: date | None, held: list[date], *, ends_on: date | None = None) -> date | None:
    """The date by which the next follow-up committee must meet (D1233-42: at least once a year), or None
    when the convention is not signed or has ended before it."""
    if signed_on is None:
        return None
    last = max([d for d in held if d >= signed_on], default=signed_on)
    due = add_months(last, COMMITTEE_MONTHS)
    if ends_on is not None and due > ends_on:
        return None if any(d >= ends_on for d in held) or last == ends_on else ends_on
    return due


def duration_warnings(signed_on: date | None, ends_on: date | None, *, national_framework: bool) -> list[str]:
    """A local convention usually lasts up to three years; a national framework convention up to 40 months."""
    if signed_on is None or ends_on is None:
        return []
    limit = FRAMEWORK_MONTHS if national_framework else USUAL_MONTHS
    if ends_on > add_months(signed_on, limit):
        what = "une convention-cadre nationale" if national_framework else "une convention"
        return [f"Durée supérieure à {limit} mois pour {what} (du {format_date(signed_on)} au {format_date(ends_on)})."]
    return []


@dataclass(frozen=True)
class FrameworkCheck:
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    local_due_on: date | None = None
    late_locals: tuple[str, ...] = field(default_factory=tuple)


def framework_check(*, departements: int, signed_on: date | None, local_signatures: dict[str, date | None],
                    as_of: date) -> FrameworkCheck:
    """A national framework convention covers at least three départements; its local conventions are
    signed within four months of it (L1233-90-1, L1237-19-14)."""
    errors = []
    if departements < FRAMEWORK_DEPARTEMENTS:
        errors.append(f"Une convention-cadre nationale suppose des suppressions d'emplois dans au moins trois départements "
                      f"({departements} enregistré{'s' if departements > 1 else ''}, L1233-90-1).")
    if signed_on is None:
        return FrameworkCheck(tuple(errors))
    due = add_months(signed_on, LOCAL_CONVENTION_MONTHS)
    late = tuple(reference for reference, signed in sorted(local_signatures.items())
                 if (signed is None and as_of > due) or (signed is not None and signed > due))
    warnings = []
    if late:
        warnings.append(f"Conventions locales signées après le {format_date(due)} ou toujours attendues : {', '.join(late)} "
                        "(quatre mois après la convention-cadre, L1233-90-1).")
    if not local_signatures and as_of > due:
        warnings.append(f"Aucune convention locale enregistrée, attendues avant le {format_date(due)} (L1233-90-1).")
    return FrameworkCheck(tuple(errors), tuple(warnings), due, late)
