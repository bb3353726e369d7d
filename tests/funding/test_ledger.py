"""The ledger: immutable entries, balances derived from entries, invariants under row locks."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from levier.core.errors import InvalidInput
from levier.funding import ledger
from levier.funding.models import Commitment, ImmutableEntry, LedgerEntry
from levier.funding.services import Grant, arrears, grant
from tests.factories import OrganisationFactory

from .conftest import make_fund, make_operator

D = Decimal


def funded(financer, operator, received="100000.00", allocated="100000.00"):
    ledger.receive_contribution(financer=financer, amount=received, on=date(2024, 1, 10))
    if allocated:
        ledger.allocate(operator=operator, amount=allocated, on=date(2024, 1, 15))


def a_grant(operator, amount="3000.00", *, kind="subsidy", reference=None, beneficiary=None, **extra):
    return Grant(operator=operator, kind=kind, amount=D(amount), committed_on=date(2024, 3, 1),
                 reference=reference or f"ENG-{Commitment.objects.count() + 1}",
                 beneficiary=beneficiary or OrganisationFactory(), **extra)


def test_nothing_allocated_beyond_what_was_received(financer, operator):
    ledger.receive_contribution(financer=financer, amount="50000.00", on=date(2024, 1, 10))
    with pytest.raises(InvalidInput) as exc:
        ledger.allocate(operator=operator, amount="50000.01", on=date(2024, 1, 15))
    assert "50\u202f000,00" in exc.value.errors[0].message
    ledger.allocate(operator=operator, amount="50000.00", on=date(2024, 1, 15))
    assert ledger.fund_balance(operator.fund).available == 0


def test_nothing_committed_beyond_what_was_allocated_and_nothing_saved(financer, operator):
    funded(financer, operator, allocated="5000.00")
    grant(a_grant(operator, "4000.00"))
    with pytest.raises(InvalidInput) as exc:
        grant(a_grant(operator, "1000.01", reference="ENG-X"))
    assert exc.value.errors[0].field == "amount"
    assert not Commitment.objects.filter(reference="ENG-X").exists()  # the commitment row went with the refusal
    assert ledger.operator_balance(operator).available == D("1000.00")


def test_tranches_never_exceed_the_commitment_and_dates_follow_it(financer, operator):
    funded(financer, operator)
    commitment = grant(a_grant(operator, "10000.00"))
    ledger.disburse(commitment=commitment, amount="6000.00", on=date(2024, 4, 1))
    with pytest.raises(InvalidInput):
        ledger.disburse(commitment=commitment, amount="4000.01", on=date(2024, 5, 1))
    with pytest.raises(InvalidInput) as exc:
        ledger.disburse(commitment=commitment, amount="100.00", on=date(2024, 2, 1))
    assert exc.value.errors[0].field == "on"
    ledger.disburse(commitment=commitment, amount="4000.00", on=date(2024, 5, 1))
    assert ledger.commitment_balance(commitment).to_pay == 0


@pytest.mark.parametrize("amount", ["10.001", "-5", "0", "abc", "NaN"])
def test_bad_amounts_are_refused(financer, amount):
    with pytest.raises(InvalidInput) as exc:
        ledger.receive_contribution(financer=financer, amount=amount, on=date(2024, 1, 10))
    assert exc.value.errors[0].field == "amount"
    assert not LedgerEntry.objects.exists()


def test_entries_are_immutable(financer):
    entry = ledger.receive_contribution(financer=financer, amount="10.00", on=date(2024, 1, 10))
    entry.amount = D("20.00")
    with pytest.raises(ImmutableEntry):
        entry.save()
    with pytest.raises(ImmutableEntry):
        entry.delete()


def test_decommitment_frees_the_operator_and_loans_return_to_a_revolving_fund(financer, operator, reference_rate):
    funded(financer, operator, allocated="60000.00")
    loan = grant(a_grant(operator, "45000.00", kind="loan", de_minimis="general", rating="satisfactory", collateral="normal"))
    assert loan.instalments.count() == 60
    assert sum(i.principal for i in loan.instalments.all()) == D("45000.00")
    assert D("0") < loan.gross_grant_equivalent < D("45000")
    ledger.disburse(commitment=loan, amount="45000.00", on=date(2024, 3, 5))
    ledger.repay(commitment=loan, amount="750.00", on=date(2024, 4, 1))
    with pytest.raises(InvalidInput):
        ledger.repay(commitment=loan, amount="44250.01", on=date(2024, 5, 1))
    assert arrears(loan, date(2024, 5, 1)) == D("750.00")  # two instalments due, one repaid
    assert ledger.fund_balance(operator.fund).available == D("40750.00")  # 40 000 not allocated + 750 back
    other = grant(a_grant(operator, "15000.00"))
    ledger.decommit(commitment=other, amount="15000.00", on=date(2024, 6, 1))
    assert ledger.operator_balance(operator).available == D("15000.00")
    with pytest.raises(InvalidInput):
        ledger.write_off(commitment=loan, amount="100.00", on=date(2024, 6, 1), reason="  ")
    ledger.write_off(commitment=loan, amount="44250.00", on=date(2024, 6, 1), reason="liquidation judiciaire")
    assert ledger.commitment_balance(loan).outstanding == 0


def test_repayments_stay_out_of_a_non_revolving_fund(db, reference_rate):
    from levier.funding.models import FundFinancer

    fund = make_fund("fonds-non-renouvelable", revolving=False)
    financer = FundFinancer.objects.create(fund=fund, organisation=OrganisationFactory(), kind="state")
    operator = make_operator(fund)
    funded(financer, operator, received="10000.00", allocated="10000.00")
    loan = grant(a_grant(operator, "10000.00", kind="honour_loan", beneficiary=None, person_name="Jeanne Martin",
                         rating="weak", collateral="low"))
    ledger.disburse(commitment=loan, amount="10000.00", on=date(2024, 3, 2))
    ledger.repay(commitment=loan, amount="1000.00", on=date(2024, 4, 1))
    assert ledger.fund_balance(fund).available == 0


def test_de_minimis_overrun_is_refused_with_the_figures(financer, operator):
    funded(financer, operator, received="500000.00", allocated="500000.00")
    company = OrganisationFactory()
    grant(a_grant(operator, "200000.00", beneficiary=company, de_minimis="general"))
    with pytest.raises(InvalidInput) as exc:
        grant(a_grant(operator, "100000.01", beneficiary=company, de_minimis="general"))
    assert "300\u202f000,01" in exc.value.errors[0].message and exc.value.errors[0].field == "amount"
    linked = OrganisationFactory()
    with pytest.raises(InvalidInput):  # a linked company the applicant declared counts too
        grant(a_grant(operator, "100000.01", beneficiary=linked, de_minimis="general", linked=(company,)))
    grant(a_grant(operator, "100000.01", beneficiary=linked, de_minimis=""))  # not de minimis: no ceiling
    grant(a_grant(operator, "100000.00", beneficiary=company, de_minimis="general"))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_commitments_against_100000_allocated():
    from levier.funding.models import FundFinancer

    fund = make_fund("fonds-concurrence")
    financer = FundFinancer.objects.create(fund=fund, organisation=OrganisationFactory(), kind="state")
    operator = make_operator(fund)
    funded(financer, operator)
    companies = [OrganisationFactory() for _ in range(50)]
    barrier = threading.Barrier(50)
    outcomes = []

    def commit(n):
        try:
            barrier.wait()
            grant(a_grant(operator, "3000.00", reference=f"CONC-{n}", beneficiary=companies[n]))
            outcomes.append("ok")
        except InvalidInput as exc:
            outcomes.append(exc.errors[0].message)
        finally:
            connection.close()

    threads = [threading.Thread(target=commit, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 33
    refusals = [o for o in outcomes if o != "ok"]
    assert len(refusals) == 17 and all(r.startswith("Engagement de 3") for r in refusals)
    balance = ledger.operator_balance(operator)
    assert balance.available == D("1000.00")
    assert Commitment.objects.filter(fund=fund).count() == 33
    assert balance.committed == sum(e.amount for e in LedgerEntry.objects.filter(operator=operator, kind="commitment"))


def test_default_recovery_is_the_subsidy_per_job_times_missing_jobs_capped_at_what_was_paid(financer, operator):
    from levier.funding.instruction import recovery_due

    funded(financer, operator)
    subsidy = grant(a_grant(operator, "15000.00", jobs_planned=3))
    ledger.disburse(commitment=subsidy, amount="8000.00", on=date(2024, 4, 1))
    assert recovery_due(subsidy, per_job=D("5000"), missing_jobs=1) == D("5000")
    assert recovery_due(subsidy, per_job=D("5000"), missing_jobs=2) == D("8000.00")  # capped at what was paid


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_de_minimis_grants_to_one_undertaking_never_pass_the_ceiling():
    """Five funds, fifty grants of 10 000 € at the same moment to a parent and its subsidiary: the
    operators' locks do not serialise them, the single undertaking's lock does — 30 pass, 300 000 €."""
    from levier.funding.models import FundFinancer
    from levier.organisations.models import ControlLink

    parent, subsidiary = OrganisationFactory(), OrganisationFactory()
    ControlLink.objects.create(controller=parent, controlled=subsidiary, basis="a")
    operators = []
    for n in range(5):
        fund = make_fund(f"fonds-minimis-{n}")
        financer = FundFinancer.objects.create(fund=fund, organisation=OrganisationFactory(), kind="state")
        operator = make_operator(fund)
        ledger.receive_contribution(financer=financer, amount="200000.00", on=date(2024, 1, 10))
        ledger.allocate(operator=operator, amount="200000.00", on=date(2024, 1, 15))
        operators.append(operator)
    barrier = threading.Barrier(50)
    outcomes = []

    def commit(n):
        try:
            barrier.wait()
            grant(a_grant(operators[n % 5], "10000.00", reference=f"DM-{n}", beneficiary=(parent, subsidiary)[n % 2],
                          de_minimis="general"))
            outcomes.append("ok")
        except InvalidInput as exc:
            outcomes.append(exc.errors[0].message)
        finally:
            connection.close()

    threads = [threading.Thread(target=commit, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 30
    assert all(o.startswith("Plafond de minimis dépassé") for o in outcomes if o != "ok")
    total = sum(c.gross_grant_equivalent for c in Commitment.objects.filter(beneficiary__in=[parent, subsidiary]))
    assert total == D("300000.00")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_mixed_concurrent_movements_on_one_commitment_never_deadlock(reference_rate):
    """Twenty tranches and twenty de-commitments of 1 000 € at once on a loan with 20 000 € left to pay,
    with repayments, new commitments and allocations of the same operator in between: every movement
    passes or is refused for its amount (no "deadlock detected"), and the balances still add up."""
    from django.db.utils import OperationalError

    from levier.funding.models import FundFinancer

    fund = make_fund("fonds-mouvements")
    financer = FundFinancer.objects.create(fund=fund, organisation=OrganisationFactory(), kind="state")
    operator = make_operator(fund)
    funded(financer, operator, received="200000.00", allocated="100000.00")
    loan = grant(a_grant(operator, "30000.00", kind="loan", reference="PRET-MIXTE", rating="good", collateral="normal"))
    ledger.disburse(commitment=loan, amount="10000.00", on=date(2024, 3, 1))
    companies = [OrganisationFactory() for _ in range(3)]
    movements = (
        [lambda: ledger.disburse(commitment=loan, amount="1000.00", on=date(2024, 4, 1))] * 20
        + [lambda: ledger.decommit(commitment=loan, amount="1000.00", on=date(2024, 4, 1))] * 20
        + [lambda: ledger.repay(commitment=loan, amount="100.00", on=date(2024, 5, 1))] * 4
        + [lambda n=n: grant(a_grant(operator, "1000.00", reference=f"MIX-{n}", beneficiary=companies[n]))
           for n in range(3)]
        + [lambda: ledger.allocate(operator=operator, amount="1000.00", on=date(2024, 4, 1))] * 3
    )
    barrier = threading.Barrier(len(movements))
    outcomes = []

    def run(movement):
        try:
            barrier.wait()
            movement()
            outcomes.append("ok")
        except InvalidInput:
            outcomes.append("refused")
        except OperationalError as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(m,)) for m in movements]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [o for o in outcomes if o not in ("ok", "refused")] == []
    balance = ledger.commitment_balance(loan)
    assert balance.paid + balance.to_pay == balance.committed  # nothing paid beyond what stays committed
    assert balance.committed >= 0 and balance.paid <= D("30000.00")
    tranches = LedgerEntry.objects.filter(commitment=loan, kind="disbursement").count() - 1
    decommitments = LedgerEntry.objects.filter(commitment=loan, kind="decommitment").count()
    assert tranches + decommitments == 20  # 20 000 € were left to pay: each 1 000 went one way or the other
    assert ledger.operator_balance(operator).available >= 0
