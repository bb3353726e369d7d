"""The money ledger: every movement is an immutable entry; balances are sums of entries.

Each use case owns its transaction and locks the rows its entry references in one fixed order,
written once in `hold` — the fund, then the operator's allocation, then the commitment — before
reading the balances it checks: nothing allocated beyond what was received, nothing committed beyond what was
allocated, nothing paid beyond what was committed, nothing repaid beyond what was lent.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum

from levier.core.errors import FieldError, InvalidInput
from levier.core.formats import format_date, format_euros
from levier.core.parsing import LARGEST

from .enums import LOAN_KINDS, EntryKind
from .models import Commitment, Fund, FundFinancer, FundOperator, LedgerEntry

ZERO = Decimal("0.00")
K = EntryKind


def money(value, field: str = "amount") -> Decimal:
    """A positive amount in euros with at most 2 decimals, or InvalidInput naming the field."""
    if isinstance(value, float):
        raise InvalidInput.single(field, "Montant en texte décimal attendu (« 1500.00 »), pas en nombre flottant.")
    try:
        amount = Decimal(str(value).strip().replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except (InvalidOperation, ValueError):
        raise InvalidInput.single(field, f"Montant invalide : « {value} ».") from None
    if not amount.is_finite():
        raise InvalidInput.single(field, f"Montant invalide : « {value} ».")
    if amount >= LARGEST:  # the columns hold 12 digits of euros ("1e30" would not even round to cents)
        raise InvalidInput.single(field, "Montant trop élevé : moins de mille milliards d'euros attendu.")
    if amount <= 0:
        raise InvalidInput.single(field, "Le montant doit être strictement positif.")
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput.single(field, "Un montant a au plus 2 décimales (centimes).")
    return amount.quantize(Decimal("0.01"))


def _sums(entries) -> dict[str, Decimal]:
    return {kind: total or ZERO for kind, total in entries.values_list("kind").annotate(total=Sum("amount")).order_by()}


# ---------------------------------------------------------------- balances


@dataclass(frozen=True)
class FundBalance:
    called: Decimal
    received: Decimal
    allocated: Decimal
    returned: Decimal  # repayments and recoveries that came back to the fund (revolving funds)
    available: Decimal  # to allocate


@dataclass(frozen=True)
class OperatorBalance:
    allocated: Decimal
    committed: Decimal  # commitments minus de-commitments
    available: Decimal  # to commit


@dataclass(frozen=True)
class CommitmentBalance:
    committed: Decimal  # granted minus de-commitments
    paid: Decimal
    to_pay: Decimal
    repaid: Decimal
    recovered: Decimal
    written_off: Decimal
    outstanding: Decimal  # loans: paid − repaid − written off
    in_kind: Decimal


def fund_balance(fund: Fund) -> FundBalance:
    return _fund_balance(fund, _sums(LedgerEntry.objects.filter(fund=fund)))


def fund_balances(funds) -> dict[int, FundBalance]:
    """The balances of several funds in one query (list pages)."""
    funds = list(funds)
    sums: dict[int, dict[str, Decimal]] = {fund.pk: {} for fund in funds}
    rows = (LedgerEntry.objects.filter(fund__in=funds, kind__in=[K.CONTRIBUTION_CALLED, K.CONTRIBUTION_RECEIVED,
                                                                  K.ALLOCATION, K.REPAYMENT, K.RECOVERY])
            .values_list("fund_id", "kind").annotate(total=Sum("amount")).order_by())
    for fund_id, kind, total in rows:
        sums[fund_id][kind] = total
    return {fund.pk: _fund_balance(fund, sums[fund.pk]) for fund in funds}


def _fund_balance(fund: Fund, sums: dict) -> FundBalance:
    received, allocated = sums.get(K.CONTRIBUTION_RECEIVED, ZERO), sums.get(K.ALLOCATION, ZERO)
    returned = sums.get(K.REPAYMENT, ZERO) + sums.get(K.RECOVERY, ZERO) if fund.revolving else ZERO
    return FundBalance(sums.get(K.CONTRIBUTION_CALLED, ZERO), received, allocated, returned, received + returned - allocated)


def operator_balances(operators) -> dict[int, OperatorBalance]:
    """The balances of several operators in one query."""
    operators = list(operators)
    sums: dict[int, dict[str, Decimal]] = {operator.pk: {} for operator in operators}
    rows = (LedgerEntry.objects.filter(operator__in=operators, kind__in=[K.ALLOCATION, K.COMMITMENT, K.DECOMMITMENT])
            .values_list("operator_id", "kind").annotate(total=Sum("amount")).order_by())
    for operator_id, kind, total in rows:
        sums[operator_id][kind] = total
    return {pk: _operator_balance(values) for pk, values in sums.items()}


def _operator_balance(sums: dict) -> OperatorBalance:
    allocated = sums.get(K.ALLOCATION, ZERO)
    committed = sums.get(K.COMMITMENT, ZERO) - sums.get(K.DECOMMITMENT, ZERO)
    return OperatorBalance(allocated, committed, allocated - committed)


def operator_balance(operator: FundOperator) -> OperatorBalance:
    return _operator_balance(_sums(LedgerEntry.objects.filter(operator=operator)))


def commitment_balance(commitment: Commitment) -> CommitmentBalance:
    sums = _sums(LedgerEntry.objects.filter(commitment=commitment))
    committed = sums.get(K.COMMITMENT, ZERO) - sums.get(K.DECOMMITMENT, ZERO)
    paid, repaid = sums.get(K.DISBURSEMENT, ZERO), sums.get(K.REPAYMENT, ZERO)
    written_off = sums.get(K.WRITE_OFF, ZERO)
    return CommitmentBalance(committed, paid, committed - paid, repaid, sums.get(K.RECOVERY, ZERO), written_off,
                             paid - repaid - written_off, sums.get(K.IN_KIND, ZERO))


# ---------------------------------------------------------------- the one lock order


@dataclass(frozen=True)
class Held:
    fund: Fund
    operator: FundOperator | None = None
    commitment: Commitment | None = None


def hold(*, fund_id: int, operator_id: int | None = None, commitment_id: int | None = None) -> Held:
    """Lock, in the one order every movement follows — the fund, then the operator, then the commitment —
    every row the movement's entry will reference, before reading a balance.

    PostgreSQL checks a new row's foreign keys with a share lock on each row it references: a movement
    that locked only the commitment would wait, on inserting its entry, for the operator another movement
    holds while that one waits for the commitment (a deadlock). Holding all the referenced rows, always in
    this order, first, leaves no such cycle. Callers creating a row that references the fund or the
    operator (a new commitment) hold them first too."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger.hold() runs inside the movement's transaction")
    fund = Fund.objects.select_for_update().get(pk=fund_id)
    operator = FundOperator.objects.select_for_update().get(pk=operator_id) if operator_id else None
    commitment = Commitment.objects.select_for_update().get(pk=commitment_id) if commitment_id else None
    return Held(fund, operator, commitment)


def _hold_commitment(commitment: Commitment) -> Held:
    return hold(fund_id=commitment.fund_id, operator_id=commitment.operator_id, commitment_id=commitment.pk)


def _entry(**fields) -> LedgerEntry:
    entry = LedgerEntry(**fields)
    entry.save()
    return entry


def _refuse(field: str, message: str):
    raise InvalidInput([FieldError(field, message)])


# ---------------------------------------------------------------- use cases


@transaction.atomic
def call_contribution(*, financer: FundFinancer, amount, on: date, by=None, note: str = "") -> LedgerEntry:
    amount = money(amount)
    fund = hold(fund_id=financer.fund_id).fund
    return _entry(fund=fund, kind=K.CONTRIBUTION_CALLED, amount=amount, on=on, financer=financer, recorded_by=by, note=note)


@transaction.atomic
def receive_contribution(*, financer: FundFinancer, amount, on: date, by=None, note: str = "") -> LedgerEntry:
    amount = money(amount)
    fund = hold(fund_id=financer.fund_id).fund
    return _entry(fund=fund, kind=K.CONTRIBUTION_RECEIVED, amount=amount, on=on, financer=financer, recorded_by=by,
                  note=note)


@transaction.atomic
def allocate(*, operator: FundOperator, amount, on: date, by=None, note: str = "") -> LedgerEntry:
    """Give an operator money to commit: at most what the fund received (plus what came back)."""
    amount = money(amount)
    held = hold(fund_id=operator.fund_id, operator_id=operator.pk)
    fund, operator = held.fund, held.operator
    balance = fund_balance(fund)
    if amount > balance.available:
        _refuse("amount", f"Dotation de {format_euros(amount, cents=True)} refusée : le fonds n'a que "
                          f"{format_euros(balance.available, cents=True)} reçus et non dotés.")
    return _entry(fund=fund, kind=K.ALLOCATION, amount=amount, on=on, operator=operator, recorded_by=by, note=note)


@transaction.atomic
def commit(*, commitment: Commitment, amount, by=None, note: str = "") -> LedgerEntry:
    """Record the amount granted to a saved commitment: at most what its operator has left to commit."""
    amount = money(amount)
    held = _hold_commitment(commitment)
    operator, locked = held.operator, held.commitment
    balance = operator_balance(operator)
    if amount > balance.available:
        _refuse("amount", f"Engagement de {format_euros(amount, cents=True)} refusé : l'opérateur n'a plus que "
                          f"{format_euros(balance.available, cents=True)} disponibles à engager.")
    return _entry(fund_id=locked.fund_id, kind=K.COMMITMENT, amount=amount, on=locked.committed_on, operator=operator,
                  commitment=locked, recorded_by=by, note=note)


@transaction.atomic
def decommit(*, commitment: Commitment, amount, on: date, by=None, note: str = "") -> LedgerEntry:
    """Give back what will not be paid: at most what is committed and not yet paid."""
    amount = money(amount)
    held = _hold_commitment(commitment)
    operator, locked = held.operator, held.commitment
    _check_date(locked, on)
    balance = commitment_balance(locked)
    if amount > balance.to_pay:
        _refuse("amount", f"Désengagement de {format_euros(amount, cents=True)} refusé : il reste "
                          f"{format_euros(balance.to_pay, cents=True)} engagés non versés.")
    return _entry(fund_id=locked.fund_id, kind=K.DECOMMITMENT, amount=amount, on=on, operator=operator,
                  commitment=locked, recorded_by=by, note=note)


@transaction.atomic
def disburse(*, commitment: Commitment, amount, on: date, by=None, note: str = "") -> LedgerEntry:
    """Pay a tranche: at most what is committed and not yet paid."""
    amount = money(amount)
    locked = _hold_commitment(commitment).commitment
    _check_date(locked, on)
    balance = commitment_balance(locked)
    if amount > balance.to_pay:
        _refuse("amount", f"Versement de {format_euros(amount, cents=True)} refusé : il reste "
                          f"{format_euros(balance.to_pay, cents=True)} engagés non versés.")
    return _entry(fund_id=locked.fund_id, kind=K.DISBURSEMENT, amount=amount, on=on, operator_id=locked.operator_id,
                  commitment=locked, recorded_by=by, note=note)


@transaction.atomic
def repay(*, commitment: Commitment, amount, on: date, by=None, note: str = "") -> LedgerEntry:
    """A loan repayment (scheduled or early): at most what is still owed."""
    return _loan_return(commitment, K.REPAYMENT, amount, on, by, note)


@transaction.atomic
def write_off(*, commitment: Commitment, amount, on: date, reason: str, by=None) -> LedgerEntry:
    if not reason.strip():
        _refuse("reason", "Le motif du passage en perte est obligatoire.")
    return _loan_return(commitment, K.WRITE_OFF, amount, on, by, reason.strip())


def _loan_return(commitment, kind, amount, on, by, note) -> LedgerEntry:
    amount = money(amount)
    if commitment.kind not in LOAN_KINDS:
        _refuse("commitment", "Seul un prêt se rembourse ou passe en perte.")
    held = _hold_commitment(commitment)
    fund, locked = held.fund, held.commitment
    _check_date(locked, on)
    balance = commitment_balance(locked)
    if amount > balance.outstanding:
        what = "Remboursement" if kind == K.REPAYMENT else "Passage en perte"
        _refuse("amount", f"{what} de {format_euros(amount, cents=True)} refusé : il reste "
                          f"{format_euros(balance.outstanding, cents=True)} à rembourser.")
    return _entry(fund=fund, kind=kind, amount=amount, on=on, operator_id=locked.operator_id, commitment=locked,
                  recorded_by=by, note=note)


@transaction.atomic
def recover(*, commitment: Commitment, amount, on: date, reason: str, by=None) -> LedgerEntry:
    """Money a beneficiary pays back (jobs not created…): at most what was paid and not yet recovered."""
    amount = money(amount)
    if not reason.strip():
        _refuse("reason", "Le motif du reversement est obligatoire.")
    held = _hold_commitment(commitment)
    fund, locked = held.fund, held.commitment
    _check_date(locked, on)
    balance = commitment_balance(locked)
    recoverable = balance.paid - balance.repaid - balance.written_off - balance.recovered
    if amount > recoverable:
        _refuse("amount", f"Reversement de {format_euros(amount, cents=True)} refusé : "
                          f"{format_euros(recoverable, cents=True)} versés peuvent être reversés.")
    return _entry(fund=fund, kind=K.RECOVERY, amount=amount, on=on, operator_id=locked.operator_id, commitment=locked,
                  recorded_by=by, note=reason.strip())


@transaction.atomic
def record_in_kind(*, commitment: Commitment, days, on: date, by=None, note: str = "") -> LedgerEntry:
    """Consulting days given in kind, valued at the day rate of the fund–scheme relation."""
    from .models import FundScheme

    try:
        count = Decimal(str(days))
    except InvalidOperation:
        count = Decimal("-1")
    if not count.is_finite() or count <= 0:
        _refuse("days", "Nombre de jours strictement positif attendu.")
    link = FundScheme.objects.filter(fund_id=commitment.fund_id, scheme_id=commitment.scheme_id).first()
    if link is None or link.day_rate is None:
        _refuse("scheme", "Aucun tarif journalier n'est fixé pour ce dispositif sur ce fonds.")
    locked = _hold_commitment(commitment).commitment
    _check_date(locked, on)
    value = (count * link.day_rate).quantize(Decimal("0.01"))
    label = note or f"{count.normalize():f} jour(s) × {format_euros(link.day_rate, cents=True)}"
    return _entry(fund_id=locked.fund_id, kind=K.IN_KIND, amount=value, on=on, operator_id=locked.operator_id,
                  commitment=locked, recorded_by=by, note=label)


def _check_date(commitment: Commitment, on: date) -> None:
    if on < commitment.committed_on:
        _refuse("on", f"Date antérieure à l'engagement du {format_date(commitment.committed_on)}.")


def received_by_financer(fund: Fund):
    """Contributions received per financer (rows: financer_id, total)."""
    return (LedgerEntry.objects.filter(fund=fund, kind=K.CONTRIBUTION_RECEIVED).values("financer_id")
            .annotate(total=Sum("amount")).order_by())
