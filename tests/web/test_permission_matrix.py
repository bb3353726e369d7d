"""Every URL × every role, with records owned by another unit: nothing leaks.

The test fails when a URL of the project is missing from MATRIX. Forbidden
means 302 to the login page (anonymous), 403 or 404 — never 200 with foreign
data. List pages are also checked for foreign records in their content.
"""

from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from levier.accounts.enums import Role
from levier.aids.enums import SchemeStatus
from levier.aids.models import Application, ApplicationDocument, Scheme, SchemeVersion
from levier.territories.models import Territory
from tests.factories import MembershipFactory, OrganisationFactory, UnitFactory, UserFactory, login, user_with_role

ANONYMOUS = "anonymous"
ALL_ROLES = [ANONYMOUS, *Role.values]
AUTHENTICATED = frozenset(Role.values)
STAFF = frozenset(Role.values) - {Role.COMPANY, Role.COMMITTEE_MEMBER}
WRITING_STAFF = STAFF - {Role.AUDITOR, Role.FSE_CONTROLLER}
EVERYONE = frozenset(ALL_ROLES)
ADMIN = frozenset({Role.ADMINISTRATOR})
FUND_READERS = frozenset({Role.ADMINISTRATOR, Role.STEERING, Role.OPERATOR_INSTRUCTOR, Role.AUDITOR})
PLIE_TEAM = frozenset({Role.ADMINISTRATOR, Role.PLIE_COORDINATOR, Role.REFERENT})
PLIE_RECORDS = PLIE_TEAM | {Role.FSE_CONTROLLER, Role.AUDITOR}
PLIE_READERS = PLIE_RECORDS | {Role.STEERING}


@dataclass(frozen=True)
class Entry:
    allowed: frozenset
    kwargs: object = None  # callable(world) -> dict of URL kwargs
    method: str = "get"
    data: dict = field(default_factory=dict)
    ok: tuple = (200,)
    # Text that must not appear in the response for roles outside `sees_foreign`.
    foreign_text: object = None  # callable(world) -> str
    sees_foreign: frozenset = frozenset()


def org_pk(key):
    return lambda w: {"pk": w[key].pk}


MATRIX = {
    "web:home": Entry(EVERYONE),
    "web:legal_notice": Entry(EVERYONE),
    "web:personal_data": Entry(EVERYONE),
    "web:accessibility": Entry(EVERYONE),
    "web:dashboard": Entry(AUTHENTICATED, foreign_text=lambda w: w["foreign_company"].name, sees_foreign=frozenset()),
    "healthz": Entry(EVERYONE),
    "accounts:login": Entry(EVERYONE),
    "accounts:logout": Entry(AUTHENTICATED | {ANONYMOUS}, method="post", ok=(302,)),
    "accounts:signup": Entry(EVERYONE),
    "accounts:second_factor": Entry(AUTHENTICATED),
    "accounts:account": Entry(AUTHENTICATED),
    "accounts:regenerate_token": Entry(AUTHENTICATED, method="post", ok=(302,)),
    "accounts:membership_requests": Entry(
        AUTHENTICATED, foreign_text=lambda w: w["foreign_request"].user.email, sees_foreign=frozenset({Role.ADMINISTRATOR})
    ),
    "accounts:decide_membership": Entry(
        frozenset({Role.ADMINISTRATOR}), kwargs=lambda w: {"pk": w["foreign_request"].pk}, method="post",
        data={"decision": "refuse", "reason": "test"}, ok=(302,),
    ),
    "organisations:list": Entry(
        AUTHENTICATED, foreign_text=lambda w: w["foreign_person"].name, sees_foreign=frozenset({Role.ADMINISTRATOR})
    ),
    "organisations:create": Entry(WRITING_STAFF),
    "organisations:detail": Entry(STAFF, kwargs=org_pk("foreign_company")),
    "organisations:history": Entry(STAFF, kwargs=org_pk("foreign_company")),
    "organisations:establishment_create": Entry(WRITING_STAFF, kwargs=org_pk("foreign_company")),
    "organisations:control_link_create": Entry(WRITING_STAFF, kwargs=org_pk("foreign_company"), method="post",
                                               data={"siren": "552100554", "direction": "controls", "basis": "a"},
                                               ok=(302,)),
    "organisations:fiscal_year_end": Entry(WRITING_STAFF, kwargs=org_pk("foreign_company"), method="post",
                                           data={"fiscal_year_end_day": "30", "fiscal_year_end_month": "6"}, ok=(302,)),
    "territories:search": Entry(AUTHENTICATED),
    "territories:detail": Entry(AUTHENTICATED, kwargs=lambda w: {"kind": "commune", "code": "13001"}),
    "reports:territories": Entry(frozenset({Role.ADMINISTRATOR, Role.STEERING, Role.AUDITOR})),
    "api:territory-search": Entry(EVERYONE, data={"q": "pertuis"}),
    "api:territory-detail": Entry(EVERYONE, kwargs=lambda w: {"kind": "commune", "code": "84089"}),
    "api:territory-composition": Entry(
        EVERYONE, kwargs=lambda w: {"kind": "project", "code": "pays-aix"}, data={"date": "2020-01-01"}
    ),
    "api:postcode": Entry(EVERYONE, kwargs=lambda w: {"postcode": "13001"}),
    "api:qpv-list": Entry(EVERYONE),
    "api:smic": Entry(EVERYONE, data={"date": "2024-12-01"}),
    "api:me": Entry(AUTHENTICATED),
    "api:organisation-list": Entry(
        AUTHENTICATED, foreign_text=lambda w: w["foreign_person"].name, sees_foreign=frozenset({Role.ADMINISTRATOR})
    ),
    "api:organisation-detail": Entry(STAFF, kwargs=org_pk("foreign_company")),
    "api:organisation-add-establishment": Entry(
        WRITING_STAFF, kwargs=org_pk("foreign_company"), method="post", data={"name": "Annexe"}, ok=(201,)
    ),
    "api:membership-request-list": Entry(
        AUTHENTICATED, foreign_text=lambda w: w["foreign_request"].user.email, sees_foreign=frozenset({Role.ADMINISTRATOR})
    ),
    "api:membership-request-decide": Entry(
        frozenset({Role.ADMINISTRATOR}), kwargs=lambda w: {"pk": w["foreign_request"].pk}, method="post",
        data={"accept": False, "reason": "test"},
    ),
    "aids:search": Entry(EVERYONE, data={"q": "pret emploi"}),
    "aids:simulator": Entry(EVERYONE),
    "aids:detail": Entry(EVERYONE, kwargs=lambda w: {"slug": w["published_scheme"].slug}),
    "aids:applications": Entry(AUTHENTICATED, foreign_text=lambda w: w["foreign_company"].name,
                               sees_foreign=frozenset({Role.ADMINISTRATOR})),
    "aids:application": Entry(frozenset({Role.ADMINISTRATOR}), kwargs=lambda w: {"pk": w["foreign_application"].pk}),
    "aids:application_document": Entry(
        frozenset({Role.ADMINISTRATOR}),
        kwargs=lambda w: {"pk": w["foreign_application"].pk, "document_pk": w["foreign_document"].pk},
    ),
    "aids:application_de_minimis": Entry(frozenset({Role.ADMINISTRATOR}),
                                         kwargs=lambda w: {"pk": w["foreign_application"].pk}),
    "aids:application_upload": Entry(frozenset(), kwargs=lambda w: {"pk": w["foreign_application"].pk}, method="post"),
    "aids:application_submit": Entry(frozenset(), kwargs=lambda w: {"pk": w["foreign_application"].pk}, method="post"),
    "aids:application_start": Entry(
        AUTHENTICATED, kwargs=lambda w: {"slug": w["published_scheme"].slug}, method="post", ok=(302,)
    ),
    "aids:manage_list": Entry(
        frozenset({Role.ADMINISTRATOR, Role.OPERATOR_INSTRUCTOR, Role.CATALOGUE_EDITOR}),
        foreign_text=lambda w: w["draft_scheme"].name, sees_foreign=frozenset({Role.ADMINISTRATOR}),
    ),
    "aids:manage_create": Entry(frozenset({Role.ADMINISTRATOR, Role.OPERATOR_INSTRUCTOR})),
    "aids:manage": Entry(frozenset({Role.ADMINISTRATOR}), kwargs=lambda w: {"slug": w["draft_scheme"].slug}),
    "aids:manage_transition": Entry(
        frozenset({Role.ADMINISTRATOR}), kwargs=lambda w: {"slug": w["draft_scheme"].slug, "action": "relecture"},
        method="post", ok=(302,),
    ),
    "api:aids-simulate": Entry(
        EVERYONE, method="post", data={"beneficiary": {"kind": "company", "commune": "94041", "headcount": 10}},
    ),
    "api:aids-scheme-search": Entry(EVERYONE, data={"q": "pret"}),
    "api:aids-scheme-detail": Entry(EVERYONE, kwargs=lambda w: {"slug": w["published_scheme"].slug}),
    "funding:funds": Entry(FUND_READERS, foreign_text=lambda w: w["foreign_fund"].name, sees_foreign=ADMIN),
    "funding:fund": Entry(ADMIN, kwargs=lambda w: {"slug": w["foreign_fund"].slug}),
    "funding:conventions": Entry(AUTHENTICATED, foreign_text=lambda w: w["foreign_convention"].reference, sees_foreign=ADMIN),
    "funding:convention": Entry(ADMIN, kwargs=lambda w: {"pk": w["foreign_convention"].pk}),
    "funding:convention_create": Entry(frozenset({Role.ADMINISTRATOR, Role.STEERING})),
    "funding:convention_action": Entry(ADMIN, kwargs=lambda w: {"pk": w["foreign_convention"].pk, "action": "sign"},
                                       method="post", data={"signed_on": "2025-03-01", "ends_on": "2027-03-01"},
                                       ok=(302,)),
    "funding:commitment": Entry(ADMIN, kwargs=lambda w: {"pk": w["foreign_commitment"].pk}),
    "funding:declare_jobs": Entry(ADMIN, kwargs=lambda w: {"pk": w["foreign_commitment"].pk}, method="post",
                                  data={"reported_on": "2027-01-01", "cdi_headcount": "12"}, ok=(302,)),
    "funding:verify_jobs": Entry(ADMIN, kwargs=lambda w: {"pk": w["foreign_commitment"].pk,
                                                        "report_pk": w["foreign_report"].pk},
                                 method="post", data={"verified_jobs": "2"}, ok=(302,)),
    "funding:repay": Entry(ADMIN, kwargs=lambda w: {"pk": w["foreign_commitment"].pk}, method="post",
                           data={"amount": "10.00", "on": "2026-03-01"}, ok=(302,)),
    "funding:write_off": Entry(ADMIN, kwargs=lambda w: {"pk": w["foreign_commitment"].pk}, method="post",
                               data={"amount": "10.00", "on": "2026-03-01", "reason": "test"}, ok=(302,)),
    "funding:paper_application": Entry(frozenset({Role.ADMINISTRATOR, Role.OPERATOR_INSTRUCTOR})),
    "funding:copil": Entry(FUND_READERS, foreign_text=lambda w: w["foreign_company"].name, sees_foreign=ADMIN),
    "funding:instructions": Entry(FUND_READERS | {Role.COMMITTEE_MEMBER},
                                  foreign_text=lambda w: w["foreign_company"].name, sees_foreign=ADMIN),
    "funding:instruction": Entry(ADMIN, kwargs=lambda w: {"pk": w["foreign_instruction"].pk}),
    "funding:instruction_document": Entry(
        ADMIN, kwargs=lambda w: {"pk": w["foreign_instruction"].pk, "document_pk": w["foreign_document"].pk},
    ),
    "funding:conflict": Entry(frozenset(), kwargs=lambda w: {"pk": w["foreign_instruction"].pk}, method="post"),
    "funding:transition": Entry(ADMIN, kwargs=lambda w: {"pk": w["foreign_instruction"].pk, "action": "start"},
                                method="post", ok=(302,)),
    "api:funding-convention-list": Entry(AUTHENTICATED, foreign_text=lambda w: w["foreign_convention"].reference,
                                         sees_foreign=ADMIN),
    "api:funding-convention-detail": Entry(ADMIN, kwargs=lambda w: {"pk": w["foreign_convention"].pk}),
    "api:funding-fund-list": Entry(AUTHENTICATED, foreign_text=lambda w: w["foreign_fund"].name, sees_foreign=ADMIN),
    "api:funding-fund-detail": Entry(ADMIN, kwargs=lambda w: {"slug": w["foreign_fund"].slug}),
    "api:funding-commitment-list": Entry(AUTHENTICATED, foreign_text=lambda w: w["foreign_commitment"].reference,
                                         sees_foreign=ADMIN),
    "api:funding-commitment-detail": Entry(ADMIN, kwargs=lambda w: {"pk": w["foreign_commitment"].pk}),
    "api:funding-entry-list": Entry(AUTHENTICATED, foreign_text=lambda w: w["foreign_commitment"].reference,
                                    sees_foreign=ADMIN),
    "api:funding-entry-detail": Entry(ADMIN, kwargs=lambda w: {"pk": w["foreign_commitment"].entries.first().pk}),
    "api:funding-application-list": Entry(AUTHENTICATED, foreign_text=lambda w: w["foreign_company"].name,
                                          sees_foreign=ADMIN),
    "api:funding-application-detail": Entry(ADMIN, kwargs=lambda w: {"pk": w["foreign_instruction"].pk}),
    "api:funding-application-transitions": Entry(ADMIN, kwargs=lambda w: {"pk": w["foreign_instruction"].pk},
                                                 method="post", data={"action": "start"}),
    "api:funding-obligation": Entry(EVERYONE, method="post", data={
        "procedure": "pse", "headcount": 1200, "jobs_eliminated": 10, "notified_on": "2024-03-15", "as_of": "2024-04-01",
        "monthly_smic": "1766.92"}),
    "api:funding-loan": Entry(EVERYONE, method="post", data={
        "principal": "1200", "months": 12, "first_due_on": "2024-02-01", "base_rate_percent": "3", "margin_bp": 100}),
    "api:funding-de-minimis": Entry(EVERYONE, method="post", data={
        "grant_date": "2024-06-01", "amount": "1000", "regulation": "general"}),
    "api:pathways-exit-classification": Entry(
        EVERYONE, method="post", data={"kind": "cdi", "start_date": "2024-01-15", "as_of": "2024-08-01", "hours_per_month": 80},
    ),
    "api:pathways-participant-list": Entry(
        AUTHENTICATED, ok=(200, 403), foreign_text=lambda w: w["foreign_pathway"].person.last_name, sees_foreign=ADMIN),
    "api:pathways-participant-detail": Entry(ADMIN, kwargs=lambda w: {"pk": w["foreign_pathway"].pk}),
    "api:pathways-protocol-report": Entry(ADMIN, kwargs=lambda w: {"slug": w["foreign_protocol"].slug}),
    "api:pathways-protocol-fse-indicators": Entry(ADMIN, kwargs=lambda w: {"slug": w["foreign_protocol"].slug}),
    "pathways:fse": Entry(ADMIN, kwargs=lambda w: {"slug": w["foreign_protocol"].slug}),
    "pathways:questionnaire": Entry(ADMIN, kwargs=lambda w: {"pk": w["foreign_pathway"].pk, "moment": "entry"}),
    "pathways:protocols": Entry(PLIE_READERS, foreign_text=lambda w: w["foreign_protocol"].name, sees_foreign=ADMIN),
    "pathways:caseload": Entry(PLIE_TEAM, foreign_text=lambda w: w["foreign_pathway"].person.last_name, sees_foreign=ADMIN),
    "pathways:participants": Entry(PLIE_RECORDS, foreign_text=lambda w: w["foreign_pathway"].person.last_name,
                                   sees_foreign=ADMIN),
    "pathways:participant_create": Entry(PLIE_TEAM),
    "pathways:participant": Entry(ADMIN, kwargs=lambda w: {"pk": w["foreign_pathway"].pk}),
    "pathways:step_create": Entry(ADMIN, kwargs=lambda w: {"pk": w["foreign_pathway"].pk}),
    "pathways:step_update": Entry(ADMIN, kwargs=lambda w: {"pk": w["foreign_pathway"].pk,
                                                           "step_pk": w["foreign_pathway"].steps.first().pk}),
    "pathways:contact_create": Entry(ADMIN, kwargs=lambda w: {"pk": w["foreign_pathway"].pk}, method="post",
                                     data={"kind": "note", "on": "2024-03-01", "note": "test"}, ok=(302,)),
    "pathways:access_export": Entry(ADMIN, kwargs=lambda w: {"pk": w["foreign_pathway"].pk}),
    "pathways:participant_action": Entry(ADMIN, kwargs=lambda w: {"pk": w["foreign_pathway"].pk, "action": "inscription"},
                                         method="post", data={"on": "2024-01-02"}, ok=(302,)),
    "pathways:dashboard": Entry(ADMIN, kwargs=lambda w: {"slug": w["foreign_protocol"].slug}),
    "pathways:export": Entry(ADMIN, kwargs=lambda w: {"slug": w["foreign_protocol"].slug}),
    "pathways:import": Entry(ADMIN, kwargs=lambda w: {"slug": w["foreign_protocol"].slug}),
    "pathways:parameters": Entry(ADMIN, kwargs=lambda w: {"slug": w["foreign_protocol"].slug}),
    "api-schema": Entry(EVERYONE),
    "api-docs": Entry(EVERYONE),
}
# Second resources that must stay hidden even from staff: a natural person recorded by another unit.
HIDDEN_FROM_STAFF = {
    "organisations:detail": org_pk("foreign_person"),
    "organisations:history": org_pk("foreign_person"),
    "api:organisation-detail": org_pk("foreign_person"),
    "aids:detail": lambda w: {"slug": w["draft_scheme"].slug},
    "api:aids-scheme-detail": lambda w: {"slug": w["draft_scheme"].slug},
}


def project_url_names() -> set[str]:
    """Every named URL of the project, Django's admin excepted (superusers only, tested below)."""
    names = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                nested = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, nested)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns)
    return names


def test_every_url_is_in_the_matrix():
    missing = project_url_names() - set(MATRIX)
    assert not missing, f"URL absentes de la matrice des permissions : {sorted(missing)}"


@pytest.fixture
def world(db):
    return build_world()


def build_world() -> dict:
    """Records of another unit for every page kind, and one user per role in a home unit."""
    pays_aix = Territory.objects.get(kind="project", code="pays-aix")
    home_org = OrganisationFactory(name="Organisation du personnel")
    home_unit = UnitFactory(organisation=home_org, name="Service maison")
    home_unit.territories.set([pays_aix])
    other_unit = UnitFactory(name="Service étranger")
    own_company = OrganisationFactory(name="Entreprise maison")
    foreign_company = OrganisationFactory(name="Entreprise étrangère Zéphyr")
    MembershipFactory(unit=foreign_company.main_unit(), role=Role.COMPANY)  # it has a member already
    foreign_request = MembershipFactory(
        unit=foreign_company.main_unit(), role=Role.COMPANY, pending=True, user=UserFactory(email="demandeur.etranger@exemple.test")
    )
    foreign_person = OrganisationFactory(natural_person=True, name="Jeanne Secrète-Créatrice", owner_unit=other_unit)
    published_scheme = Scheme.objects.create(
        slug="aide-publiee", name="Aide publiée", summary="Publique", operator=other_unit.organisation,
        owner_unit=other_unit, status=SchemeStatus.PUBLISHED, beneficiary_kinds=["company"], aid_kinds=["subsidy"],
    )
    published_scheme.perimeter.set([Territory.objects.get(kind="departement", code="94")])
    SchemeVersion.objects.create(scheme=published_scheme, number=1, rules={"components": []}, published=True)
    draft_scheme = Scheme.objects.create(
        slug="brouillon-etranger", name="Brouillon étranger", summary="Brouillon", operator=other_unit.organisation,
        owner_unit=other_unit, status=SchemeStatus.DRAFT, beneficiary_kinds=["company"], aid_kinds=["subsidy"],
    )
    foreign_application = Application.objects.create(
        scheme=published_scheme, organisation=foreign_company, created_by=foreign_request.user, answers={}
    )
    foreign_document = ApplicationDocument.objects.create(
        application=foreign_application, document_key="presentation", original_name="secret.pdf",
        file=SimpleUploadedFile("secret.pdf", b"%PDF-1.4 secret"), content_type="application/pdf", size=15, sha256="0" * 64,
    )
    funding = _funding_world(other_unit, foreign_company, foreign_application)
    funding.update(_pathways_world(other_unit))
    users = {}
    for role in Role.values:
        unit = own_company.main_unit() if role == Role.COMPANY else home_unit
        scope = [home_unit] if role in (Role.AUDITOR, Role.FSE_CONTROLLER) else []
        users[role] = user_with_role(role, unit, scope_units=scope)
    return {
        "users": users, "foreign_company": foreign_company, "foreign_person": foreign_person,
        "foreign_request": foreign_request, "home_unit": home_unit,
        "published_scheme": published_scheme, "draft_scheme": draft_scheme,
        "foreign_application": foreign_application, "foreign_document": foreign_document, **funding,
    }


def _pathways_world(other_unit):
    """A PLIE protocol of another unit, on another territory, with a participant and a step."""
    from datetime import date

    from levier.pathways.enums import PathwayStatus
    from levier.pathways.models import Pathway, Person, Protocol, Step, Structure

    protocol = Protocol.objects.create(
        slug="plie-etranger", name="PLIE étranger Ostrogoth", territory=Territory.objects.get(kind="departement", code="62"),
        starts_on=date(2021, 1, 1), ends_on=date(2027, 12, 31), retention="test", retention_years=5, unit=other_unit)
    structure = Structure.objects.create(protocol=protocol, unit=other_unit, name="Structure étrangère", starts_on=date(2021, 1, 1))
    person = Person.objects.create(last_name="Confidentielle-Étrangère", first_name="Zoé", sex="F",
                                   birth_date=date(1980, 5, 5), match_key="x")
    pathway = Pathway.objects.create(
        protocol=protocol, person=person, structure=structure, entry_date=date(2024, 1, 2), status=PathwayStatus.ACTIVE,
        commune=Territory.objects.get(kind="commune", code="62041"), jobseeker_registered_on=date(2023, 6, 1))
    Step.objects.create(pathway=pathway, kind="diagnostic", start_date=date(2024, 1, 10))
    return {"foreign_protocol": protocol, "foreign_pathway": pathway}


def _funding_world(other_unit, foreign_company, foreign_application):
    """A fund, a convention, a commitment and an instruction of another unit, in the Val-de-Marne."""
    from datetime import date
    from decimal import Decimal

    from levier.funding import ledger
    from levier.funding.instruction import open_instruction
    from levier.funding.models import Convention, Fund, FundFinancer, FundOperator, FundScheme
    from levier.funding.services import Grant, grant

    val_de_marne = Territory.objects.get(kind="departement", code="94")
    fund = Fund.objects.create(slug="fonds-etranger", name="Fonds étranger Borée", manager=other_unit.organisation,
                               owner_unit=other_unit)
    fund.perimeter.set([val_de_marne])
    operator = FundOperator.objects.create(fund=fund, operator=other_unit.organisation, unit=other_unit)
    FundScheme.objects.create(fund=fund, scheme=foreign_application.scheme)
    financer = FundFinancer.objects.create(fund=fund, organisation=OrganisationFactory(), kind="state")
    ledger.receive_contribution(financer=financer, amount="10000.00", on=date(2026, 1, 1))
    ledger.allocate(operator=operator, amount="10000.00", on=date(2026, 1, 1))
    commitment = grant(Grant(operator=operator, kind="subsidy", amount=Decimal("5000"), committed_on=date(2026, 2, 1),
                             reference="ENG-ETRANGER", beneficiary=foreign_company, reference_cdi_headcount=10))
    convention = Convention.objects.create(
        reference="CR-ETRANGERE-001", company=foreign_company, owner_unit=other_unit, kind="obligation",
        classification_reason="test", procedure="pse", notified_on=date(2025, 1, 1), jobs_eliminated=10, bassin=val_de_marne,
        rate=Decimal("2"), monthly_smic=Decimal("1801.80"), amount_owed=Decimal("36036.00"))
    from levier.aids.models import SchemeVersion as Version

    from django.db import transaction

    from levier.core import workflow

    with transaction.atomic():  # submitted as the applicant would, without the pieces the matrix does not need
        foreign_application.number, foreign_application.submitted_at = "LEV-2026-999999", "2026-11-22T10:00Z"
        foreign_application.version = Version.objects.filter(scheme=foreign_application.scheme).first()
        workflow.move(foreign_application, "submitted", by=None, action="Dépôt",
                      fields=["number", "submitted_at", "version"])
    foreign_application.refresh_from_db()
    instruction = open_instruction(foreign_application)
    from levier.funding.models import JobReport

    report = JobReport.objects.create(commitment=commitment, reported_on=date(2026, 6, 1), cdi_headcount=12, jobs_created=2)
    return {"foreign_fund": fund, "foreign_commitment": commitment, "foreign_convention": convention, "foreign_report": report,
            "foreign_instruction": instruction}


def _call(client, entry: Entry, url: str):
    if entry.method == "post":
        if url.startswith("/api/"):
            return client.post(url, entry.data, content_type="application/json")
        return client.post(url, entry.data)
    return client.get(url, entry.data)


def _client_for(client, world, role):
    if role != ANONYMOUS:
        login(client, world["users"][role])
    return client


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_url_role(client, world, name, role):
    entry = MATRIX[name]
    url = reverse(name, kwargs=entry.kwargs(world) if entry.kwargs else None)
    _client_for(client, world, role)
    response = _call(client, entry, url)
    response.close()  # streamed responses (file downloads) release their file
    if role in entry.allowed:
        assert response.status_code in entry.ok, f"{role} devrait accéder à {url} ({response.status_code})"
        if entry.foreign_text and role not in entry.sees_foreign and response.status_code == 200:
            body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
            assert entry.foreign_text(world) not in body, f"{role} voit une donnée étrangère sur {url}"
    else:
        if response.status_code == 302:
            assert role == ANONYMOUS and "/connexion/" in response["Location"], f"{role} redirigé sur {url}"
        else:
            assert response.status_code in (401, 403, 404, 405), f"{role} ne devrait pas accéder à {url} ({response.status_code})"


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMINISTRATOR])
@pytest.mark.parametrize("name", sorted(HIDDEN_FROM_STAFF))
def test_natural_person_of_another_unit_is_hidden(client, world, name, role):
    login(client, world["users"][role])
    response = client.get(reverse(name, kwargs=HIDDEN_FROM_STAFF[name](world)))
    assert response.status_code == 404


def test_administrator_sees_natural_person_of_another_unit(client, world):
    login(client, world["users"][Role.ADMINISTRATOR])
    response = client.get(reverse("organisations:detail", kwargs={"pk": world["foreign_person"].pk}))
    assert response.status_code == 200
    assert world["foreign_person"].name in response.content.decode()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_django_admin_is_for_superusers_only(client, world, role):
    _client_for(client, world, role)
    response = client.get(reverse("admin:index"))
    if role == Role.ADMINISTRATOR:
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("role", [Role.REFERENT, Role.PLIE_COORDINATOR, Role.FSE_CONTROLLER, Role.ADMINISTRATOR])
def test_roles_seeing_personal_data_need_the_second_factor(client, world, role):
    login(client, world["users"][role], verified=False)
    response = client.get(reverse("organisations:list"))
    assert response.status_code == 302
    assert reverse("accounts:second_factor") in response["Location"]
    api = client.get(reverse("api:me"))
    assert api.status_code == 403
