"""Sign-up with a SIREN, membership requests and who decides them."""

import pytest
from auditlog.models import LogEntry

from levier.accounts.enums import MembershipStatus, Role
from levier.accounts.models import MEMBERSHIP_WORKFLOW, Membership
from levier.accounts.services import decide_membership, sign_up
from levier.core.errors import InvalidInput
from levier.organisations.models import Organisation
from tests.factories import OrganisationFactory, UnitFactory, user_with_role

PASSWORD = "Un-mot-de-passe-solide-2026"


@pytest.mark.parametrize(
    ("from_status", "to_status", "allowed"),
    [("pending", "accepted", True), ("pending", "refused", True), ("accepted", "revoked", True),
     ("refused", "accepted", False), ("accepted", "refused", False), ("revoked", "accepted", False)],
)
def test_declared_transitions(from_status, to_status, allowed):
    assert (MEMBERSHIP_WORKFLOW.refusal(from_status, to_status) is None) is allowed


@pytest.fixture
def company(db):
    return OrganisationFactory(name="Ateliers du Sud")


def signup(company, email="nouvelle@exemple.test"):
    return sign_up(email=email, password=PASSWORD, first_name="Nina", last_name="Nouvelle", siren=company.siren)


@pytest.mark.django_db
class TestSignUp:
    def test_existing_siren_creates_a_pending_request_and_nothing_is_visible(self, company):
        membership = signup(company)
        assert membership.status == MembershipStatus.PENDING
        assert membership.unit.organisation == company
        assert not Organisation.objects.visible_to(membership.user).exists()

    def test_bad_input_lists_every_field_and_saves_nothing(self):
        with pytest.raises(InvalidInput) as exc:
            sign_up(email="pas-une-adresse", password="court", first_name="", last_name="X", siren="123")
        assert {e.field for e in exc.value.errors} == {"email", "password", "first_name", "siren"}  # SIREN invalid
        assert not Membership.objects.exists()

    def test_unknown_siren_needs_the_company_name_then_creates_it(self, db):
        with pytest.raises(InvalidInput) as exc:
            sign_up(email="a@exemple.test", password=PASSWORD, first_name="A", last_name="B", siren="732829320")
        assert exc.value.errors[0].field == "organisation_name"
        membership = sign_up(email="a@exemple.test", password=PASSWORD, first_name="A", last_name="B",
                             siren="732829320", organisation_name="Nouvelle SAS")
        assert membership.unit.organisation.name == "Nouvelle SAS"
        # First member of an organisation new to Levier: nobody else's data is revealed.
        assert membership.status == MembershipStatus.ACCEPTED

    def test_a_siret_typed_in_the_siren_field_names_its_company(self, client):
        """What a user copies from an invoice is often a SIRET: its first nine digits are the company's SIREN."""
        OrganisationFactory(name="Ateliers du Nord", siren="732829320")
        response = client.post("/compte/inscription/", {
            "first_name": "Sam", "last_name": "Siret", "email": "sam@exemple.test", "password": PASSWORD,
            "siren": "732 829 320 00074",
        })
        assert response.status_code == 302
        membership = Membership.objects.get(user__email="sam@exemple.test")
        assert membership.unit.organisation.name == "Ateliers du Nord"

    @pytest.mark.parametrize(("typed", "fragment"), [
        ("73282932000075", "SIRET « 73282932000075 » est invalide"),
        ("7328293200", "ni un SIREN (9 chiffres) ni un SIRET (14 chiffres)"),
        ("732829321", "SIREN « 732829321 » est invalide"),
    ])
    def test_a_wrong_siren_or_siret_is_shown_back_with_its_message(self, client, typed, fragment):
        response = client.post("/compte/inscription/", {
            "first_name": "Sam", "last_name": "Siret", "email": "sam@exemple.test", "password": PASSWORD,
            "siren": typed,
        })
        assert response.status_code == 200
        page = response.content.decode()
        assert fragment in page and f'value="{typed}"' in page
        assert not Membership.objects.exists()

    def test_a_project_holder_without_siren_gets_a_personal_organisation(self, db):
        membership = sign_up(email="p@exemple.test", password=PASSWORD, first_name="Pia", last_name="Porteuse")
        organisation = membership.unit.organisation
        assert organisation.kind == "natural_person" and organisation.name == "Pia Porteuse"
        assert membership.status == MembershipStatus.ACCEPTED
        assert list(Organisation.objects.visible_to(membership.user)) == [organisation]

    def test_an_email_can_sign_up_once(self, company):
        signup(company)
        with pytest.raises(InvalidInput) as exc:
            signup(company)
        assert exc.value.errors[0].field == "email"


@pytest.mark.django_db
class TestDecisions:
    def test_a_member_accepts_and_the_new_member_sees_only_its_organisation(self, company):
        member = user_with_role(Role.COMPANY, company.main_unit())
        other = OrganisationFactory(name="Autre entreprise")
        request = signup(company)
        decided = decide_membership(membership=request, by=member, accept=True)
        assert decided.status == MembershipStatus.ACCEPTED
        assert list(Organisation.objects.visible_to(decided.user)) == [company]
        assert other not in Organisation.objects.visible_to(decided.user)
        assert [log.to_status for log in decided.logs.all()] == ["pending", "accepted"]

    def test_an_operator_decides_only_while_the_organisation_has_no_member(self, company):
        operator = user_with_role(Role.OPERATOR_INSTRUCTOR, UnitFactory())
        first = signup(company, "premier@exemple.test")
        decide_membership(membership=first, by=operator, accept=True)
        second = signup(company, "second@exemple.test")
        with pytest.raises(InvalidInput):
            decide_membership(membership=second, by=operator, accept=True)
        second.refresh_from_db()
        assert second.status == MembershipStatus.PENDING

    def test_a_member_of_another_organisation_cannot_decide(self, company):
        outsider = user_with_role(Role.COMPANY, OrganisationFactory().main_unit())
        with pytest.raises(InvalidInput):
            decide_membership(membership=signup(company), by=outsider, accept=True)

    def test_refusal_needs_a_reason_and_a_decision_is_final(self, company):
        member = user_with_role(Role.COMPANY, company.main_unit())
        request = signup(company)
        with pytest.raises(InvalidInput) as exc:
            decide_membership(membership=request, by=member, accept=False)
        assert exc.value.errors[0].field == "reason"
        decide_membership(membership=request, by=member, accept=False, reason="Inconnu de l'entreprise")
        with pytest.raises(InvalidInput):
            decide_membership(membership=request, by=member, accept=True)

    def test_read_only_roles_decide_nothing(self, company):
        auditor = user_with_role(Role.AUDITOR, UnitFactory())
        assert not Membership.objects.decidable_by(auditor).exists()

    def test_the_decision_is_in_the_audit_trail_with_its_author(self, company):
        member = user_with_role(Role.COMPANY, company.main_unit())
        request = signup(company)
        decide_membership(membership=request, by=member, accept=True)
        entry = LogEntry.objects.get_for_object(request).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
        assert entry.actor == member
        assert entry.changes_dict["status"] == ["pending", "accepted"]
