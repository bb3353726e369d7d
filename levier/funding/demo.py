"""Demo records of the funds: the Bouches-du-Rhône Copil of 12 April 2023 (seed 000),
rebuilt as records — conventions, contributions, allocations, commitments, tranches and job
declarations — whose totals are the figures the prefecture published (data/copil-bdr-2023.json
quotes the sentence and says how it is read)."""

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from stdnum.fr import siren as siren_checker

from levier.aids.models import Scheme
from levier.organisations.models import Organisation, Unit
from levier.organisations.services import create_organisation
from levier.territories.models import Territory
from levier.territories.services import composition

from . import conventions, ledger, rules, services
from .models import Commitment, Fund, FundFinancer, FundOperator, FundScheme, JobReport
from .reference import load_base_rates

FIXTURE = Path(__file__).parent / "data" / "copil-bdr-2023.json"
NAF_CODES = ["25.62A", "62.01Z", "56.10A", "47.11B", "43.21A", "10.71C", "70.22Z", "33.16Z", "86.90D", "49.41A"]
HEADCOUNTS = [3, 8, 12, 25, 40, 60, 110, 15, 5, 30]


def _siren(seed: int) -> str:
    base = f"{90300000 + seed:08d}"
    return next(base + d for d in "0123456789" if siren_checker.is_valid(base + d))


def _day(text: str) -> date:
    return date.fromisoformat(text)


@transaction.atomic
def load_copil_demo(*, path: Path = FIXTURE, by=None) -> dict:
    """Idempotent: does nothing when the demo funds already hold commitments."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if Commitment.objects.filter(reference__startswith="DEMO-").exists():
        return {"funds": 0, "commitments": 0}
    load_base_rates()
    start, end = _day(data["period"]["from"]), _day(data["period"]["to"])
    bouches_du_rhone = Territory.objects.get(kind="departement", code="13")
    communes = list(Territory.objects.filter(id__in=composition(bouches_du_rhone, end).commune_ids, kind="commune")
                    .order_by("code"))
    ddets = Unit.objects.get(reference_key="ddets-13-revitalisation")
    seed, count = 0, 0
    for f_index, spec in enumerate(data["funds"]):
        fund = _fund(spec, ddets, data["source"])
        operator = FundOperator.objects.get(fund=fund)
        scheme_id = fund_scheme_id(fund)
        for financer_spec in spec["financers"]:
            financer = _financer(fund, financer_spec, ddets, by)
            ledger.receive_contribution(financer=financer, amount=financer_spec["received"], on=start, by=by,
                                        note="Contribution de démonstration")
        ledger.allocate(operator=operator, amount=ledger.fund_balance(fund).available, on=start, by=by)
        n = spec["companies"]
        weights = {k: Decimal(1 + (k * 7) % 5) for k in range(n)}
        amounts = rules.pro_rata(Decimal(spec["committed"]), weights)
        jobs = rules.pro_rata(Decimal(spec["jobs"]), weights, unit=Decimal(1))
        days = (end - start).days
        for k in range(n):
            seed += 1
            commune = communes[(seed * 37) % len(communes)]
            company = create_organisation(
                name=f"Entreprise fictive {seed:03d} ({commune.name})", kind="company", siren=_siren(seed),
                naf_code=NAF_CODES[seed % len(NAF_CODES)], headcount=Decimal(HEADCOUNTS[seed % len(HEADCOUNTS)]))
            committed_on = start + timedelta(days=(k * days) // n)
            commitment = services.grant(services.Grant(
                operator=operator, kind=spec["kind"], amount=amounts[k], committed_on=committed_on,
                reference=f"DEMO-{f_index + 1}-{k + 1:03d}", beneficiary=company, scheme_id=scheme_id,
                legal_basis=spec["legal_basis"], de_minimis=spec["de_minimis"], jobs_planned=int(jobs[k]) + (k % 2),
                jobs_due_on=rules.add_months(committed_on, 24), reference_cdi_headcount=HEADCOUNTS[seed % len(HEADCOUNTS)],
                other_financing=(amounts[k] * Decimal("1.5")).quantize(Decimal("0.01")), commune_id=commune.id,
                in_qpv=seed % 7 == 0, loan_months=12 * spec.get("loan_years", 5), rating=spec.get("rating", ""),
                collateral=spec.get("collateral", "")), by=by)
            paid_on = committed_on + timedelta(days=30)
            if paid_on <= end:
                ledger.disburse(commitment=commitment, amount=amounts[k], on=paid_on, by=by, note="Versement unique")
            if k % 10 == 0 and scheme_id and paid_on <= end:
                ledger.record_in_kind(commitment=commitment, days=2, on=paid_on, by=by,
                                      note="2 jours de conseil de l'opérateur")
            reported_on = min(rules.add_months(committed_on, 18), end)
            JobReport.objects.create(
                commitment=commitment, reported_on=reported_on, cdi_headcount=HEADCOUNTS[seed % len(HEADCOUNTS)] + int(jobs[k]),
                jobs_created=int(jobs[k]), qpv_resident_jobs=int(jobs[k]) // 4,
                verified_jobs=int(jobs[k]) if k % 3 else None, verified_on=reported_on if k % 3 else None)
            count += 1
    return {"funds": len(data["funds"]), "commitments": count}


def fund_scheme_id(fund: Fund) -> int | None:
    link = fund.scheme_links.first()
    return link.scheme_id if link else None


def _fund(spec: dict, ddets: Unit, source: str) -> Fund:
    manager = Organisation.objects.get(reference_key=spec["manager"])
    fund, _ = Fund.objects.update_or_create(slug=spec["slug"], defaults={
        "name": spec["name"], "manager": manager, "owner_unit": ddets, "priorities": spec["priorities"],
        "provenance": source})
    fund.perimeter.set([Territory.objects.get(kind=kind, code=code) for kind, code in spec["perimeter"]])
    scheme = Scheme.objects.filter(slug=spec["scheme"]).first()
    if scheme is not None:
        FundScheme.objects.get_or_create(fund=fund, scheme=scheme, defaults={"day_rate": Decimal("800.00")})
    FundOperator.objects.get_or_create(fund=fund, operator=manager,
                                       defaults={"unit": Unit.objects.get(reference_key=spec["operator_unit"])})
    return fund


def _financer(fund: Fund, spec: dict, ddets: Unit, by) -> FundFinancer:
    convention = None
    if "organisation" in spec:
        organisation = Organisation.objects.get(reference_key=spec["organisation"])
    else:
        organisation = (Organisation.objects.filter(siren=spec["siren"]).first()
                        or create_organisation(name=spec["company"], kind="company", siren=spec["siren"]))
    if "convention" in spec:
        c = spec["convention"]
        notified_on = _day(c["notified_on"])
        convention, _ = conventions.create_convention(by=by, today=notified_on, spec=conventions.ConventionInput(
            reference=c["reference"], company=organisation, owner_unit=ddets, procedure=c["procedure"],
            headcount=c["headcount"], group_headcount=c.get("group_headcount"), notified_on=notified_on,
            validated_on=_day(c["validated_on"]), jobs_eliminated=c["jobs_eliminated"],
            jobs_reclassified=c["jobs_reclassified"], rate=Decimal(c["rate"]),
            bassin=Territory.objects.get(kind="departement", code="13")))
        decided_on = rules.add_months(convention.validated_on, 1)
        conventions.decide_subjection(convention=convention, by=by, decided_on=decided_on, subject=True,
                                      reasons=c["subjection_reasons"])
        signed_on = rules.add_months(convention.notified_on, 5)
        ends_on = rules.add_months(signed_on, 36)
        conventions.sign_convention(convention=convention, by=by, signed_on=signed_on, ends_on=ends_on)
        if by is not None:  # yearly follow-up committees (D1233-42), the last one on the final review
            for held_on, minutes in ((rules.add_months(signed_on, 12), "Bilan provisoire de la première année."),
                                     (rules.add_months(signed_on, 24), "Bilan provisoire de la deuxième année."),
                                     (ends_on, "Bilan définitif : contribution versée au fonds mutualisé.")):
                conventions.record_committee(convention=convention, by=by, held_on=held_on, minutes=minutes)
    return FundFinancer.objects.create(fund=fund, organisation=organisation, kind=spec["kind"], convention=convention,
                                       pledged=Decimal(spec["received"]))


def load_instruction_demo(*, email_domain: str) -> None:
    """A file of the demo company to the Airbus Développement fund, submitted and on the agenda of a
    December committee whose outside member is the demo's committee user (idempotent)."""
    from django.core.files.base import ContentFile
    from django.test.utils import override_settings

    from levier.accounts.models import User
    from levier.aids import applications
    from levier.aids.models import Application

    from . import instruction as flow
    from .models import Committee

    scheme = Scheme.objects.filter(slug="fonds-airbus-developpement").first()
    company_user = User.objects.filter(email=f"entreprise@{email_domain}").first()
    if scheme is None or company_user is None or Application.objects.filter(scheme=scheme, created_by=company_user).exists():
        return
    fund = Fund.objects.get(slug="fonds-airbus-developpement")
    committee, _ = Committee.objects.get_or_create(fund=fund, title="Comité d'engagement de décembre 2026",
                                                   defaults={"held_on": date(2026, 12, 15)})
    member = User.objects.filter(email=f"comite@{email_domain}").first()
    if member is not None:
        committee.members.add(member)
    draft = applications.start_application(scheme=scheme, by=company_user, answers={
        "beneficiary": {"kind": "company", "commune": "13001", "headcount": 42, "naf": "25.62A"},
        "project": {"net_cdi_jobs_24m": 6, "investment_eur": "250000"}})
    for document in scheme.required_documents:
        applications.add_document(application=draft, by=company_user, document_key=document["key"],
                                  uploaded=ContentFile(b"%PDF-1.4\n%demo\n", name=f"{document['key']}.pdf"))
    applications.declare_de_minimis(application=draft, by=company_user, aids=[], links=[], on=date(2026, 11, 20))
    submitted = applications.submit_application(application=draft, by=company_user, today=date(2026, 11, 20))
    instructor = User.objects.filter(email=f"instructeur@{email_domain}").first()
    instruction = getattr(submitted, "instruction", None)
    if instructor is None or instruction is None:
        return
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):  # no demo mail
        instruction = flow.fire(instruction, "start", by=instructor)
        instruction = flow.fire(instruction, "declare_eligible", by=instructor,
                                checklist={key: True for key in instruction.checklist})
        flow.fire(instruction, "put_on_agenda", by=instructor, committee=committee)
