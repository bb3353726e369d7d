"""Applications, submission side: documents checked by content, de minimis, frozen version, receipt."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from levier.accounts.enums import Role
from levier.aids import applications as service
from levier.aids.models import Application, Scheme, SchemeVersion
from levier.core.errors import InvalidInput
from tests.factories import OrganisationFactory, UnitFactory, user_with_role

pytestmark = pytest.mark.usefixtures("catalogue")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
ANSWERS = {"beneficiary": {"kind": "company", "commune": "94041", "headcount": 40, "naf": "25.62B"},
           "project": {"net_cdi_jobs_24m": 4}}


@pytest.fixture
def applicant():
    return user_with_role(Role.COMPANY, OrganisationFactory(name="Mécanique d'Ivry").main_unit())


@pytest.fixture
def draft(applicant):
    return service.start_application(scheme=Scheme.objects.get(slug="alixio"), by=applicant, answers=ANSWERS)


def upload(draft, user, key, content, name="piece.pdf"):
    return service.add_document(application=draft, by=user, document_key=key, uploaded=SimpleUploadedFile(name, content))


def test_only_an_accepted_company_member_starts_an_application():
    operator = user_with_role(Role.OPERATOR_INSTRUCTOR, UnitFactory())
    with pytest.raises(InvalidInput) as exc:
        service.start_application(scheme=Scheme.objects.get(slug="alixio"), by=operator)
    assert exc.value.errors[0].field == "organisation"


def test_a_closed_scheme_takes_no_application(applicant):
    with pytest.raises(InvalidInput):
        service.start_application(scheme=Scheme.objects.get(slug="katalyse"), by=applicant)


@pytest.mark.parametrize(("content", "name", "accepted"), [
    (PDF, "a.pdf", True), (PNG, "a.png", True), (b"\xff\xd8\xff\xe0" + b"0" * 20, "a.jpg", True),
    (b"MZ\x90\x00 not a pdf", "trap.pdf", False), (b"<html></html>", "a.png", False),
])
def test_documents_are_checked_by_content_not_by_name(draft, applicant, content, name, accepted):
    if accepted:
        assert upload(draft, applicant, "kbis", content, name).content_type in ("application/pdf", "image/png", "image/jpeg")
    else:
        with pytest.raises(InvalidInput) as exc:
            upload(draft, applicant, "kbis", content, name)
        assert exc.value.errors[0].field == "documents.kbis"
        assert "Extrait Kbis" in exc.value.errors[0].message


def test_a_piece_is_stored_and_served_with_the_extension_of_its_content(draft, applicant, client):
    """A PDF named "lettre.html" (HTML after its PDF header) never reaches the disk or the browser as HTML."""
    from tests.factories import login

    piece = upload(draft, applicant, "kbis", PDF + b"<script>alert(1)</script>", "lettre.html")
    assert piece.file.name.endswith(".pdf") and "lettre" not in piece.file.name
    assert piece.original_name == "lettre.html" and piece.download_name == "lettre.pdf"
    login(client, applicant)
    response = client.get(f"/aides/demandes/{draft.pk}/pieces/{piece.pk}/")
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="lettre.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    response.close()


def test_files_over_10_mib_are_refused_naming_the_document(draft, applicant):
    big = PDF + b"0" * (10 * 1024 * 1024)
    with pytest.raises(InvalidInput) as exc:
        upload(draft, applicant, "presentation", big)
    assert "10 Mio" in exc.value.errors[0].message and "Présentation" in exc.value.errors[0].message


def test_at_most_20_files(draft, applicant):
    for _ in range(20):
        upload(draft, applicant, "presentation", PDF)
    with pytest.raises(InvalidInput) as exc:
        upload(draft, applicant, "presentation", PDF)
    assert "20 fichiers" in exc.value.errors[0].message


def test_submission_lists_every_missing_piece_and_de_minimis(draft, applicant):
    with pytest.raises(InvalidInput) as exc:
        service.submit_application(application=draft, by=applicant, today=date(2026, 11, 22))
    assert {e.field for e in exc.value.errors} == {"documents.presentation", "documents.kbis", "de_minimis"}
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.number is None


def test_submission_freezes_the_version_in_effect_and_gives_a_receipt(draft, applicant):
    upload(draft, applicant, "presentation", PDF)
    upload(draft, applicant, "kbis", PNG, "kbis.png")
    service.declare_de_minimis(application=draft, by=applicant, aids=[], links=[], on=date(2026, 11, 20))
    submitted = service.submit_application(application=draft, by=applicant, today=date(2026, 11, 22))
    assert submitted.number == f"LEV-2026-{submitted.pk:06d}"
    assert submitted.version.number == 1
    assert submitted.evaluation["total_loans"] == "60000.00"
    # A later version does not change what was submitted.
    SchemeVersion.objects.create(scheme=submitted.scheme, number=2, effective_from=date(2026, 12, 1), published=True,
                                 rules={"components": []})
    submitted.refresh_from_db()
    assert submitted.version.number == 1
    with pytest.raises(InvalidInput):  # the applicant's declaration closes with the submission
        service.declare_de_minimis(application=submitted, by=applicant, aids=[], links=[], on=date(2026, 11, 23))
    with pytest.raises(InvalidInput):
        service.save_draft(application=submitted, by=applicant, answers=submitted.answers)


def test_applicants_see_only_their_own_applications(draft, applicant):
    other = user_with_role(Role.COMPANY, OrganisationFactory().main_unit())
    assert list(service.ApplicationQueries.visible_to(applicant)) == [draft]
    assert not service.ApplicationQueries.visible_to(other).exists()


def test_the_operator_sees_submitted_applications_to_its_schemes_only(draft, applicant):
    alixio_unit = Scheme.objects.get(slug="alixio").owner_unit
    operator = user_with_role(Role.OPERATOR_INSTRUCTOR, alixio_unit)
    other_operator = user_with_role(Role.OPERATOR_INSTRUCTOR, UnitFactory())
    assert not service.ApplicationQueries.visible_to(operator).exists()  # drafts stay private
    upload(draft, applicant, "presentation", PDF)
    upload(draft, applicant, "kbis", PNG, "kbis.png")
    service.declare_de_minimis(application=draft, by=applicant, aids=[], links=[], on=date(2026, 11, 20))
    service.submit_application(application=draft, by=applicant, today=date(2026, 11, 22))
    assert service.ApplicationQueries.visible_to(operator).count() == 1
    assert not service.ApplicationQueries.visible_to(other_operator).exists()


def test_asking_again_for_the_same_scheme_reopens_the_draft_with_what_was_entered(draft, applicant, client):
    edited = {**ANSWERS, "project": {"net_cdi_jobs_24m": 7}}
    service.save_draft(application=draft, by=applicant, answers=edited)
    again = service.start_application(scheme=Scheme.objects.get(slug="alixio"), by=applicant, answers=ANSWERS)
    assert again.pk == draft.pk and again.answers == edited
    client.force_login(applicant)
    response = client.post("/aides/alixio/demande/", follow=True)
    assert "Vous aviez déjà un brouillon pour ce dispositif" in response.content.decode()
    assert Application.objects.filter(organisation=draft.organisation, scheme=draft.scheme).count() == 1
