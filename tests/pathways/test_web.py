"""PLIE pages: who sees which participant, names and sensitive data; the coordinator's decisions."""

import html
from datetime import date

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from levier.pathways.models import Pathway
from levier.accounts.enums import Role
from tests.factories import login, user_with_role

pytestmark = pytest.mark.django_db


def test_a_referent_never_sees_another_structures_participants(client, plie):
    mine, other = plie["pathways"]
    login(client, plie["referents"][0])
    listing = client.get(reverse("pathways:participants")).content.decode()
    assert "LAMBERT Aline" in listing and "NGUYEN" not in listing
    assert client.get(reverse("pathways:participant", args=[other.pk])).status_code == 404
    assert client.get(reverse("pathways:step_create", args=[other.pk])).status_code == 404
    assert client.get(reverse("api:pathways-participant-detail", args=[other.pk])).status_code == 404


def test_sensitive_data_only_for_the_referent_and_the_coordinator(client, plie):
    mine = plie["pathways"][0]
    colleague = user_with_role(Role.REFERENT, plie["structures"][0].unit)  # same structure, not her referent
    for user, sees in ((plie["referents"][0], True), (plie["coordinator"], True), (colleague, False)):
        client.logout()
        login(client, user)
        page = client.get(reverse("pathways:participant", args=[mine.pk])).content.decode()
        assert "LAMBERT Aline" in page
        assert ("Difficultés" in page) is sees, user
        api = client.get(reverse("api:pathways-participant-detail", args=[mine.pk])).json()
        assert (api["rsa"] is True) is sees and api["last_name"] == "Lambert"


def test_an_auditor_sees_no_names(client, plie):
    login(client, plie["auditor"])
    listing = client.get(reverse("pathways:participants")).content.decode()
    pathway = plie["pathways"][0]
    assert pathway.pseudonym in listing and "Lambert" not in listing.upper().title()
    page = client.get(reverse("pathways:participant", args=[pathway.pk])).content.decode()
    assert "Lambert" not in page and "LAMBERT" not in page and "masqué" in page
    api = client.get(reverse("api:pathways-participant-list")).json()
    assert {row["last_name"] for row in api["results"]} == {None}
    export = b"".join(client.get(reverse("pathways:export", args=[pathway.protocol.slug])).streaming_content).decode()
    assert "Lambert" not in export and pathway.pseudonym in export
    assert client.get(reverse("pathways:export", args=[pathway.protocol.slug]) + "?noms=1").status_code == 403


def test_the_fse_controller_reads_named_files_every_read_logged_and_cannot_export(client, plie):
    pathway = plie["pathways"][1]
    login(client, plie["controller"])
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=plie["controller"]).count()
    listing = client.get(reverse("pathways:participants")).content.decode()
    assert pathway.pseudonym in listing and "NGUYEN" not in listing  # a list is not a file read: pseudonyms
    page = client.get(reverse("pathways:participant", args=[pathway.pk])).content.decode()
    assert "NGUYEN Bao" in page
    reads = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=plie["controller"], object_pk=str(pathway.pk))
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=plie["controller"]).count() > before
    assert reads.exists()
    assert client.get(reverse("pathways:export", args=[pathway.protocol.slug])).status_code == 403
    assert client.post(reverse("pathways:contact_create", args=[pathway.pk]),
                       {"kind": "note", "on": "2021-03-01", "note": "x"}).status_code == 403


def test_referent_creates_a_participant_outside_the_territory_refused_with_the_reason(client, plie):
    login(client, plie["referents"][0])
    form = {"protocol": plie["protocol"].pk, "last_name": "Martin", "first_name": "Léo", "sex": "M",
            "birth_date": "1990-01-01", "commune_code": "13055", "entry_date": "2021-05-03",
            "notice_given_on": "2021-05-03", "consent_on": "2021-05-03"}
    response = client.post(reverse("pathways:participant_create"), form)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "La commune Marseille (13055) n'appartient pas au territoire Pays d'Aix au 03/05/2021" in page
    form["commune_code"] = "13117"
    response = client.post(reverse("pathways:participant_create"), form)
    assert response.status_code == 302
    created = Pathway.objects.get(person__last_name="Martin")
    assert created.referent == plie["referents"][0] and created.structure == plie["structures"][0]
    assert created.status == "pending"


def test_the_prescriber_is_recorded_with_its_organisation(client, plie):
    from levier.organisations.models import Organisation

    agency = Organisation.objects.create(name="France Travail Aix-en-Provence", kind="public_body", roles=["prescriber"])
    Organisation.objects.create(name="Boulangerie Martin", kind="company", roles=["employer"])
    login(client, plie["referents"][0])
    page = client.get(reverse("pathways:participant_create")).content.decode()
    assert "France Travail Aix-en-Provence" in page and "Boulangerie Martin" not in page  # prescribers only
    form = {"protocol": plie["protocol"].pk, "last_name": "Roux", "first_name": "Inès", "sex": "F",
            "birth_date": "1988-04-02", "commune_code": "13117", "entry_date": "2021-05-03",
            "notice_given_on": "2021-05-03", "consent_on": "2021-05-03", "prescriber_type": "pole_emploi",
            "prescriber": agency.pk}
    assert client.post(reverse("pathways:participant_create"), form).status_code == 302
    created = Pathway.objects.get(person__last_name="Roux")
    assert (created.prescriber_type, created.prescriber) == ("pole_emploi", agency)
    page = html.unescape(client.get(reverse("pathways:participant", args=[created.pk])).content.decode())
    assert "France Travail (Pôle emploi) — France Travail Aix-en-Provence" in page


def test_the_coordinator_sees_the_caseload_alerts(client, plie, time_machine):
    time_machine.move_to(date(2022, 11, 1))
    login(client, plie["coordinator"])
    page = client.get(reverse("pathways:caseload")).content.decode()
    assert "Parcours de plus de 18 mois" in page and "Aucun contact depuis" in page
    assert "Lot 1" in page and "Lot 2" in page


def test_the_participant_list_runs_a_constant_number_of_queries(client, plie, django_assert_max_num_queries):
    login(client, plie["coordinator"])
    with django_assert_max_num_queries(20):
        client.get(reverse("pathways:participants"))


def test_the_api_gives_the_dashboard_and_fse_figures_of_the_cli(client, plie):
    from levier.pathways.fse import indicators
    from levier.pathways.report import protocol_report

    login(client, plie["coordinator"])
    slug = plie["protocol"].slug
    report = client.get(reverse("api:pathways-protocol-report", args=[slug]), {"as_of": "2021-12-31"}).json()
    assert report == protocol_report(plie["protocol"], as_of=date(2021, 12, 31)) and report["participants"] == 2
    fse = client.get(reverse("api:pathways-protocol-fse-indicators", args=[slug]), {"as_of": "2021-12-31"}).json()
    assert fse == indicators(plie["protocol"], as_of=date(2021, 12, 31))
    bad = client.get(reverse("api:pathways-protocol-report", args=[slug]), {"as_of": "2021-02-30"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "as_of"


# ---------------------------------------------------------------- import page


def _csv(*lines: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    header = "external_id;last_name;first_name;sex;birth_date;commune_insee;entry_date;rsa"
    return SimpleUploadedFile("participants.csv", "\n".join((header, *lines)).encode("cp1252"), "text/csv")


def test_the_coordinator_checks_then_imports_a_file(client, plie):
    from levier.pathways.models import PathwayImport

    protocol, before = plie["protocol"], Pathway.objects.count()
    url = reverse("pathways:import", args=[protocol.slug])
    rows = ("W1;Émile;Zoé;F;12/03/1985;13001;2019-02-01;1", "W2;Durand;Léo;M;1990-07-14;13001;2019-03-01;")
    login(client, plie["coordinator"])

    checked = client.post(url, {"file": _csv(*rows), "dry_run": "on"})
    assert "Fichier valide : 2 lignes, 2 parcours à créer, 0 à mettre à jour." in checked.content.decode()
    assert Pathway.objects.count() == before

    imported = client.post(url, {"held": checked.context["held"].token})  # the checked file, not uploaded again
    assert imported.status_code == 302 and imported["Location"] == reverse("pathways:dashboard", args=[protocol.slug])
    assert Pathway.objects.count() == before + 2
    zoe = Pathway.objects.get(protocol=protocol, external_id="W1")
    assert (zoe.person.last_name, zoe.person.birth_date, zoe.rsa) == ("Émile", date(1985, 3, 12), True)
    assert Pathway.objects.get(protocol=protocol, external_id="W2").rsa is None  # empty cell: unknown
    record = PathwayImport.objects.get(protocol=protocol)
    assert (record.by, record.created, record.updated, record.file_name) == (plie["coordinator"], 2, 0, "participants.csv")
    file = html.unescape(client.get(reverse("pathways:participant", args=[zoe.pk])).content.decode())
    assert "Entrée reprise par import (fichier « participants.csv ») par Coline Coordinatrice" in file
    assert "à renseigner avant la première étape" in file  # an active pathway still needs the registration
    listed = html.unescape(client.get(url).content.decode())  # the import page lists what was imported
    assert "Imports précédents" in listed and "participants.csv" in listed and record.file_sha256[:12] in listed


def test_a_file_with_errors_lists_them_and_imports_nothing(client, plie):
    protocol, before = plie["protocol"], Pathway.objects.count()
    login(client, plie["coordinator"])

    page = client.post(reverse("pathways:import", args=[protocol.slug]), {"file": _csv(
        "E1;Martin;Ana;F;31/02/1985;13001;2019-02-01;1", "E2;Petit;Jo;Q;1990-07-14;75056;2019-03-01;oui")}).content.decode()

    page = html.unescape(page)
    assert "4 erreurs : rien n'a été importé." in page
    assert "ligne 2, birth_date : Date impossible : « 31/02/1985 »" in page
    assert "ligne 3, sex : Sexe attendu : F, M ou X, reçu « Q »." in page
    assert "ligne 3, rsa : 0 ou 1 attendu, reçu « oui »." in page
    assert "ligne 3, commune_insee :" in page
    assert Pathway.objects.count() == before


def test_only_the_coordinator_imports(client, plie):
    login(client, plie["referents"][0])
    assert client.get(reverse("pathways:import", args=[plie["protocol"].slug])).status_code == 403


def test_a_file_imported_at_once_without_a_check(client, plie):
    protocol, before = plie["protocol"], Pathway.objects.count()
    login(client, plie["coordinator"])
    imported = client.post(reverse("pathways:import", args=[protocol.slug]), {"file": _csv("N1;Roux;Lou;X;1991-01-02;13001;2019-02-01;0")})
    assert imported.status_code == 302 and Pathway.objects.count() == before + 1


def test_the_held_file_serves_once_its_session_and_its_protocol_only(client, plie):
    from levier.pathways import held_imports

    protocol, before = plie["protocol"], Pathway.objects.count()
    url = reverse("pathways:import", args=[protocol.slug])
    login(client, plie["coordinator"])
    held = client.post(url, {"file": _csv("H1;Roux;Lou;F;1991-01-02;13001;2019-02-01;0"), "dry_run": "on"}).context["held"]
    assert held.path.is_file() and oct(held.path.stat().st_mode & 0o777) == "0o600"

    wrong = client.post(url, {"held": "not-the-token"}, follow=True)
    assert "Le fichier vérifié n'est plus disponible" in html.unescape(wrong.content.decode())
    assert Pathway.objects.count() == before

    held.path.write_text("changed after the check")  # a file changed on disk is not imported
    changed = client.post(url, {"held": held.token}, follow=True)
    assert "n'est plus disponible" in html.unescape(changed.content.decode()) and not held.path.exists()
    assert Pathway.objects.count() == before

    held = client.post(url, {"file": _csv("H1;Roux;Lou;F;1991-01-02;13001;2019-02-01;0"), "dry_run": "on"}).context["held"]
    assert client.post(url, {"held": held.token}).status_code == 302
    assert Pathway.objects.count() == before + 1 and not held.path.parent.exists()  # deleted once imported
    again = client.post(url, {"held": held.token}, follow=True)  # a second post imports nothing more
    assert "n'est plus disponible" in html.unescape(again.content.decode()) and Pathway.objects.count() == before + 1


def test_a_held_file_that_no_longer_fits_lists_its_errors(client, plie):
    protocol = plie["protocol"]
    url = reverse("pathways:import", args=[protocol.slug])
    login(client, plie["coordinator"])
    row = "T1;Roux;Lou;F;1991-01-02;13001;2019-02-01;0"
    held = client.post(url, {"file": _csv(row), "dry_run": "on"}).context["held"]
    client.post(url, {"file": _csv(row.replace("T1", "T2"))})  # the same person imported meanwhile under another id
    page = html.unescape(client.post(url, {"held": held.token}).content.decode())
    assert "1 erreur : rien n'a été importé." in page and "Même nom, date de naissance et commune" in page
    assert not Pathway.objects.filter(protocol=protocol, external_id="T1").exists()


def test_abandoned_held_files_are_purged_after_a_day(plie, tmp_path, settings):
    import os
    import time

    from levier.pathways import held_imports

    settings.LEVIER_HELD_IMPORTS_DIR = tmp_path
    (tmp_path / "old").mkdir()
    (tmp_path / "recent").mkdir()
    os.utime(tmp_path / "old", (time.time() - 25 * 3600,) * 2)
    assert held_imports.purge_expired() == 1
    assert [p.name for p in tmp_path.iterdir()] == ["recent"]


def test_a_held_file_is_deleted_at_logout(client, plie):
    url = reverse("pathways:import", args=[plie["protocol"].slug])
    login(client, plie["coordinator"])
    held = client.post(url, {"file": _csv("L1;Roux;Lou;F;1991-01-02;13001;2019-02-01;0"), "dry_run": "on"}).context["held"]
    assert held.path.is_file()
    client.post(reverse("accounts:logout"))
    assert not held.path.parent.exists()


def test_the_coordinator_confirms_an_imported_exit_from_the_participants_file(client, plie):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("pathways:import", args=[plie["protocol"].slug])
    login(client, plie["coordinator"])
    header = "external_id;last_name;first_name;sex;birth_date;commune_insee;entry_date;exit_type;exit_date"
    client.post(url, {"file": SimpleUploadedFile("sorties.csv", f"{header}\nX1;Roux;Lou;F;1991-01-02;13001;2019-02-01;cdi;"
                                                                 "2019-09-30".encode(), "text/csv")})
    pathway = Pathway.objects.get(protocol=plie["protocol"], external_id="X1")
    page = html.unescape(client.get(reverse("pathways:participant", args=[pathway.pk])).content.decode())
    assert "Confirmer la sortie reprise (CDI le 30/09/2019)" in page
    assert "non renseignée" in page and "à renseigner avant la première étape" not in page  # gone: no step to come
    done = client.post(reverse("pathways:participant_action", args=[pathway.pk, "confirmer-sortie-reprise"]), follow=True)
    assert "Sortie reprise confirmée : elle compte dans sa catégorie." in html.unescape(done.content.decode())
    pathway.refresh_from_db()
    assert (pathway.exit_category, pathway.exit_validated_on) == ("employment", date(2019, 9, 30))
    assert "Confirmer la sortie reprise" not in html.unescape(done.content.decode())


def test_the_import_template_imports_as_it_is(client, plie, tmp_path):
    from levier.pathways.imports import import_pathways

    login(client, plie["coordinator"])
    response = client.get(reverse("pathways:import", args=[plie["protocol"].slug]), {"modele": "1"})
    assert response["Content-Disposition"] == 'attachment; filename="modele-import-plie-pays-aix-2018-2022.csv"'
    template = tmp_path / "modele.csv"
    template.write_bytes(response.content)
    result = import_pathways(protocol=plie["protocol"], path=template, dry_run=True)  # a valid file as given
    assert (result.rows, result.created) == (2, 2)
    client.logout()
    login(client, plie["referents"][0])
    assert client.get(reverse("pathways:import", args=[plie["protocol"].slug]), {"modele": "1"}).status_code == 403


def test_the_participants_list_finds_the_imported_exits_to_confirm(client, plie):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, plie["coordinator"])
    header = "external_id;last_name;first_name;sex;birth_date;commune_insee;entry_date;exit_type;exit_date;exit_validated"
    rows = ["C1;Roux;Lou;F;1991-01-02;13001;2019-02-01;cdi;2019-09-30;", "C2;Blanc;Ana;F;1992-01-02;13001;2019-02-01;cdi;2019-09-30;1",
            "C3;Noir;Léa;F;1993-01-02;13001;2019-02-01;dropout;2019-09-30;"]
    client.post(reverse("pathways:import", args=[plie["protocol"].slug]),
                {"file": SimpleUploadedFile("s.csv", "\n".join([header, *rows]).encode(), "text/csv")})
    listing = html.unescape(client.get(reverse("pathways:participants"), {"etat": "sortie-reprise-a-confirmer"}).content.decode())
    assert "ROUX Lou" in listing and "BLANC" not in listing and "NOIR" not in listing and "LAMBERT" not in listing
    assert '<option value="sortie-reprise-a-confirmer" selected>Sortie reprise à confirmer</option>' in listing
    caseload = html.unescape(client.get(reverse("pathways:caseload")).content.decode())
    assert "1 sortie reprise par import, non validée par l'outil précédent" in caseload
    client.logout()
    login(client, plie["referents"][0])
    assert "reprise par import" not in html.unescape(client.get(reverse("pathways:caseload")).content.decode())


def test_the_api_list_carries_no_sensitive_data_and_gives_the_fse_controller_pseudonyms_only(client, plie):
    """A list is not a file read: sensitive data and the controller's named reads go through the file, logged."""
    login(client, plie["coordinator"])
    rows = client.get(reverse("api:pathways-participant-list")).json()["results"]
    assert {row["last_name"] for row in rows} == {"Lambert", "Nguyen"}
    assert {(row["rsa"], row["health_difficulty"]) for row in rows} == {(None, None)}
    client.logout()
    login(client, plie["controller"])
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    rows = client.get(reverse("api:pathways-participant-list")).json()["results"]
    assert {(row["last_name"], row["external_id"]) for row in rows} == {(None, None)}
    assert {row["pseudonym"] for row in rows} == {p.pseudonym for p in plie["pathways"]}
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == before


def test_an_api_read_with_a_token_is_logged_with_its_reader_and_the_person(plie):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    pathway, controller = plie["pathways"][1], plie["controller"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=controller).key}")

    body = client.get(reverse("api:pathways-participant-detail", args=[pathway.pk])).json()

    assert body["last_name"] == "Nguyen" and body["rsa"] is True
    reads = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=controller)
    assert {(e.content_type.model, e.object_pk) for e in reads} == {("pathway", str(pathway.pk)),
                                                                     ("person", str(pathway.person_id))}


def test_steering_of_the_departement_sees_the_dashboard_of_a_protocol_on_the_pays_d_aix(client, plie):
    from levier.territories.models import Territory
    from tests.factories import UnitFactory

    unit = UnitFactory(name="DDETS des Bouches-du-Rhône")
    unit.territories.set([Territory.objects.get(kind="departement", code="13")])
    login(client, user_with_role(Role.STEERING, unit))
    assert client.get(reverse("pathways:dashboard", args=[plie["protocol"].slug])).status_code == 200
    assert client.get(reverse("pathways:export", args=[plie["protocol"].slug])).status_code == 403
    assert client.get(reverse("pathways:participant", args=[plie["pathways"][0].pk])).status_code in (403, 404)

    other = UnitFactory(name="DDETS du Var")
    other.territories.set([Territory.objects.get(kind="departement", code="83")])
    client.logout()
    login(client, user_with_role(Role.STEERING, other))
    assert client.get(reverse("pathways:dashboard", args=[plie["protocol"].slug])).status_code == 404


def test_the_dashboard_workbook_holds_numbers_not_text(client, plie):
    """Counts and rates in the XLSX are numbers a spreadsheet adds up, shown with a French format."""
    import io

    from openpyxl import load_workbook

    from levier.pathways.models import Objective

    protocol = plie["protocol"]
    login(client, plie["coordinator"])
    response = client.get(reverse("pathways:dashboard", args=[protocol.slug]), {"format": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    counts = workbook["Objectifs en nombre"]
    rows = list(counts.iter_rows(min_row=2, values_only=True))
    participants = next(row for row in rows if row[0] == protocol.objectives.get(key="participants").label)
    assert isinstance(participants[1], int) and participants[2] == 2  # the two participants of the fixture
    assert counts.cell(row=2, column=2).number_format == "#,##0"
    if any(Objective.is_rate_key(o.key) for o in protocol.objectives.all()):
        rates = workbook["Objectifs en taux"]
        target = rates.cell(row=2, column=2)
        assert not isinstance(target.value, str) and target.number_format == "0.0%"
    public = workbook["Publics accompagnés"]
    assert all(isinstance(row[1], int) for row in public.iter_rows(min_row=2, values_only=True))
