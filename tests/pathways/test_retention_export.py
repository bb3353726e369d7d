"""Retention of participants' data and the participants export (issue 5).

Given participants of the seed protocols, when the retention period of their protocols has ended, then
they are anonymised while the figures stay; when a user exports a protocol's participants, then names
appear only for its coordinator, the export is audited, and a named export re-imports as it was."""

import csv
import io
import json
from datetime import date

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from levier.accounts.enums import Role
from levier.core.errors import InvalidInput
from levier.pathways import participants as service
from levier.pathways.exports import export_csv
from levier.pathways.imports import COLUMNS, import_pathways
from levier.pathways.models import Contact, Pathway, Person, Protocol, Structure
from levier.pathways.report import protocol_report
from levier.pathways.retention import anonymise_expired
from levier.territories.services import commune_by_code
from tests.factories import UnitFactory, user_with_role

pytestmark = pytest.mark.django_db

OLD, NEW = "plie-pays-aix-2013-2017", "plie-pays-aix-2018-2022"


@pytest.fixture
def protocols(pathways_reference):
    unit = UnitFactory(name="Équipe d'animation du PLIE")
    Protocol.objects.update(unit=unit)
    return Protocol.objects.get(slug=OLD), Protocol.objects.get(slug=NEW)


@pytest.fixture
def coordinator(protocols):
    return user_with_role(Role.PLIE_COORDINATOR, protocols[0].unit)


def entry(**fields) -> dict:
    return {"last_name": "Dupont", "first_name": "Jeanne", "sex": "F", "birth_date": date(1980, 5, 17),
            "commune": commune_by_code("13001"), "entry_date": date(2015, 1, 5), "notice_given_on": date(2015, 1, 5),
            "consent_on": date(2015, 1, 5), "email": "jeanne.dupont@exemple.test", "phone": "06 12 34 56 78",
            "address": "3 rue des Cordeliers, Aix-en-Provence", "external_id": "A1", **fields}


def csv_file(tmp_path, rows, name="f.csv"):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), delimiter=",")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / name
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def row(n: int, **cells) -> dict:
    return {"external_id": f"A{n}", "last_name": f"Martin{n}", "first_name": "Louis", "sex": "M",
            "birth_date": f"1975-03-{n:02d}", "commune_insee": "13001", "entry_date": "2016-02-01", **cells}


# ---------------------------------------------------------------- retention


def test_the_retention_period_ends_on_31_december_n_years_after_the_last_payment(protocols):
    old, later = protocols

    assert (old.retention_ends_on(), later.retention_ends_on()) == (date(2019, 12, 31), date(2024, 12, 31))
    old.last_payment_on = date(2019, 5, 2)
    assert old.retention_ends_on() == date(2021, 12, 31)


def test_participants_are_anonymised_the_day_after_the_retention_period_and_figures_stay(protocols, coordinator):
    old, _ = protocols
    pathway = service.register_participant(protocol=old, by=coordinator, entry=service.EntryInput(**entry())).pathway
    service.decide_eligibility(pathway=pathway, by=coordinator, eligible=True, criteria=["senior"], on=date(2015, 1, 6))
    service.override_registration(pathway=pathway, by=coordinator, reason="Jeanne Dupont attend son titre de séjour.")
    service.record_contact(pathway=pathway, by=coordinator, kind="note", on=date(2015, 2, 1), note="Mme Dupont, 3 enfants.")
    service.record_committee_exit(pathway=pathway, by=coordinator, on=date(2016, 2, 1), category="employment",
                                  reason="CDI de Mme Dupont chez Boulangerie Martin.")
    figures = protocol_report(old, as_of=date(2018, 6, 30))

    assert anonymise_expired(as_of=date(2019, 12, 31)) == 0
    assert Person.objects.get().last_name == "Dupont"

    assert anonymise_expired(as_of=date(2020, 1, 1)) == 1

    person = Person.objects.get()
    assert (person.last_name, person.first_name, person.email, person.phone, person.address) == ("ANONYME", "", "", "", "")
    assert (person.birth_date, person.anonymised_on, person.sex) == (date(1980, 1, 1), date(2020, 1, 1), "F")
    pathway = Pathway.objects.get()
    assert (pathway.external_id, pathway.registration_override, pathway.exit_reason) == (None, "", "")
    assert (pathway.exit_category, pathway.exit_validated_on) == ("employment", date(2016, 2, 1))
    assert Contact.objects.get().note == ""
    assert set(pathway.logs.values_list("reason", flat=True)) == {""}
    assert protocol_report(old, as_of=date(2018, 6, 30)) == figures
    assert anonymise_expired(as_of=date(2020, 1, 1)) == 0  # done once


def test_the_audit_trail_no_longer_shows_the_names_once_anonymised(protocols, coordinator):
    old, _ = protocols
    pathway = service.register_participant(protocol=old, by=coordinator, entry=service.EntryInput(**entry())).pathway
    service.record_contact(pathway=pathway, by=coordinator, kind="note", on=date(2015, 2, 1), note="Mme Dupont, 3 enfants.")
    service.decide_eligibility(pathway=pathway, by=coordinator, eligible=True, criteria=["senior"], on=date(2015, 1, 6))
    service.override_registration(pathway=pathway, by=coordinator, reason="Inscription en cours.")
    pathway.refresh_from_db()
    step = service.add_step(pathway=pathway, by=coordinator, step=service.StepInput(**{
        "kind": "health", "start_date": date(2015, 3, 2), "outcome": "Mme Dupont suivie pour une dépression.",
        "organisation_name": "Cabinet du Dr Lefort"}))

    anonymise_expired(as_of=date(2020, 1, 1))

    step.refresh_from_db()
    assert (step.kind, step.start_date, step.outcome, step.organisation_name) == ("health", date(2015, 3, 2), "", "")

    person_type = ContentType.objects.get_for_model(Person)
    entries = LogEntry.objects.filter(content_type=person_type, object_id=pathway.person_id)
    assert entries.exists()
    shown = json.dumps([[e.object_repr, e.changes, e.changes_text, e.serialized_data] for e in LogEntry.objects.all()],
                       ensure_ascii=False)
    for personal in ("Dupont", "DUPONT", "jeanne.dupont@exemple.test", "06 12 34 56 78", "Cordeliers", "1980-05-17",
                     "dépression", "Lefort"):
        assert personal not in shown


def test_a_person_still_followed_in_a_later_protocol_is_kept(protocols, coordinator, tmp_path):
    old, later = protocols
    import_pathways(protocol=old, path=csv_file(tmp_path, [row(1), row(2, exit_type="dropout", exit_date="2017-01-02")],
                                                name="old.csv"))
    service.carry_over(from_protocol=old, to_protocol=later, by=coordinator)

    assert anonymise_expired(as_of=date(2020, 1, 1), dry_run=True) == 1
    assert not Person.objects.filter(anonymised_on__isnull=False).exists()  # a dry run writes nothing

    assert anonymise_expired(as_of=date(2020, 1, 1)) == 1
    assert dict(Person.objects.values_list("first_name", "last_name")) == {"Louis": "Martin1", "": "ANONYME"}
    assert anonymise_expired(as_of=date(2024, 12, 31)) == 0
    assert anonymise_expired(as_of=date(2025, 1, 1)) == 1
    assert set(Person.objects.values_list("last_name", flat=True)) == {"ANONYME"}


def test_the_anonymise_command(protocols, tmp_path, capsys):
    old, _ = protocols
    import_pathways(protocol=old, path=csv_file(tmp_path, [row(1), row(2)]))

    call_command("pathways", "anonymise", "--as-of", "2020-01-01", "--dry-run")
    assert capsys.readouterr().out.strip() == "2 personnes à anonymiser."
    call_command("pathways", "anonymise", "--as-of", "2020-01-01")
    assert capsys.readouterr().out.strip() == "2 personnes anonymisées."
    with pytest.raises(SystemExit) as exc:
        call_command("pathways", "anonymise", "--as-of", "01/01/2020")
    assert exc.value.code == 2
    assert json.loads(capsys.readouterr().err)["errors"][0]["field"] == "as_of"


# ---------------------------------------------------------------- export


def exported(protocol, user, *, names: bool) -> list[list[str]]:
    text = "".join(export_csv(protocol=protocol, user=user, names=names))
    assert text.startswith("\ufeff")  # Excel opens it as UTF-8
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


@pytest.fixture
def imported(protocols, tmp_path):
    old, _ = protocols
    import_pathways(protocol=old, path=csv_file(tmp_path, [
        row(1, qpv="1", prescriber_type="caf", rsa="1", long_term_unemployed="0", rqth="", qualification_level="V bis",
            exit_type="cdi", exit_date="2016-09-30", exit_validated="1"),
        row(2, last_name="Müller", exit_type="cdd", exit_date="2016-10-31", exit_validated="0"),
        row(3, exit_type="dropout", exit_date="2016-11-30"),
    ], name="first.csv"))
    return old


def test_the_export_is_pseudonymised_by_default(imported):
    pk = Pathway.objects.get(external_id="A1").pk

    lines = exported(imported, None, names=False)

    assert lines[0] == list(COLUMNS)
    assert lines[1] == [f"P-{pk:07d}", "", "", "M", "1975", "13001", "2016-02-01", "1", "caf", "1", "0", "", "Vbis",
                        "2016-09-30", "cdi", "1"]
    assert [line[-3:] for line in lines[2:]] == [["2016-10-31", "cdd", "0"], ["2016-11-30", "dropout", ""]]
    assert all(line[1] == line[2] == "" for line in lines[1:])


def test_the_coordinator_exports_names(imported, coordinator):
    lines = exported(imported, coordinator, names=True)

    assert lines[2][:7] == ["A2", "Müller", "Louis", "M", "1975-03-02", "13001", "2016-02-01"]


@pytest.mark.parametrize("role", [Role.REFERENT, Role.FSE_CONTROLLER, Role.AUDITOR, None])
def test_no_one_else_exports_names(imported, role):
    user = None
    if role is not None:
        user = user_with_role(role, UnitFactory(), scope_units=[imported.unit] if role != Role.REFERENT else ())
        if role == Role.REFERENT:
            Structure.objects.create(protocol=imported, unit=user.memberships.get().unit, name="Lot 1",
                                     starts_on=imported.starts_on)

    refusal = ("Export des participants réservé" if role == Role.FSE_CONTROLLER
               else "Export nominatif réservé au coordinateur du PLIE.")
    with pytest.raises(InvalidInput, match=refusal):
        exported(imported, user, names=True)

    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


@pytest.mark.parametrize("role", [Role.FSE_CONTROLLER, Role.STEERING])
def test_the_fse_controller_and_steering_export_nothing_even_pseudonymised(imported, role):
    user = user_with_role(role, imported.unit, scope_units=[imported.unit])

    with pytest.raises(InvalidInput) as exc:
        exported(imported, user, names=False)

    assert exc.value.errors[0].field == "user"
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_a_referent_exports_its_structure_only_with_rsa_and_rqth_of_its_own_caseload(imported):
    mine, colleague = user_with_role(Role.REFERENT, UnitFactory()), None
    unit = mine.memberships.get().unit
    colleague = user_with_role(Role.REFERENT, unit)
    lot = Structure.objects.create(protocol=imported, unit=unit, name="Lot 1", starts_on=imported.starts_on)
    Pathway.objects.filter(external_id="A1").update(structure=lot, referent=mine, rsa=True, rqth="yes")
    Pathway.objects.filter(external_id="A2").update(structure=lot, referent=colleague, rsa=True, rqth="yes")
    ids = dict(Pathway.objects.values_list("external_id", "pk"))

    lines = exported(imported, mine, names=False)[1:]

    assert [line[0] for line in lines] == [f"P-{ids['A1']:07d}", f"P-{ids['A2']:07d}"]  # not A3, of no structure
    assert [(line[9], line[11]) for line in lines] == [("1", "1"), ("", "")]  # rsa, rqth: its own caseload only


def test_an_auditor_exports_pseudonyms_without_rsa_nor_rqth(imported):
    Pathway.objects.update(rsa=True, rqth="yes")
    auditor = user_with_role(Role.AUDITOR, UnitFactory(), scope_units=[imported.unit])

    lines = exported(imported, auditor, names=False)[1:]

    assert len(lines) == 3
    assert {(line[1], line[2], line[9], line[11]) for line in lines} == {("", "", "", "")}


def test_an_export_is_audited(imported, coordinator):
    exported(imported, coordinator, names=True)
    exported(imported, None, names=False)

    entries = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, content_type=ContentType.objects.get_for_model(Protocol),
                                      object_id=imported.pk).order_by("id")
    assert [(e.actor, e.additional_data) for e in entries] == [
        (coordinator, {"export": "nominatif"}), (None, {"export": "pseudonymisé"})]


def test_a_named_export_reimports_as_it_was(imported, coordinator, tmp_path):
    fields = ["person__last_name", "person__birth_date", "commune_id", "entry_date", "qpv", "rsa", "long_term_unemployed",
              "rqth", "prescriber_type", "qualification_level", "exit_kind", "exit_date", "exit_category",
              "exit_validated_on", "status"]
    before = list(Pathway.objects.order_by("external_id").values_list(*fields))
    path = tmp_path / "export.csv"
    path.write_text("".join(export_csv(protocol=imported, user=coordinator, names=True)), encoding="utf-8")

    result = import_pathways(protocol=imported, path=path)

    assert (result.created, result.updated) == (0, 3)
    assert list(Pathway.objects.order_by("external_id").values_list(*fields)) == before


def test_the_export_command_writes_a_file(imported, coordinator, tmp_path, capsys):
    target = tmp_path / "out.csv"

    call_command("pathways", "export", "--protocol", OLD, "--output", str(target))

    assert target.read_text(encoding="utf-8-sig").splitlines()[0] == ";".join(COLUMNS)
    with pytest.raises(SystemExit) as exc:
        call_command("pathways", "export", "--protocol", OLD, "--names")
    assert exc.value.code == 2
    assert json.loads(capsys.readouterr().err)["errors"][0]["field"] == "names"


@pytest.mark.parametrize("typed", ["=HYPERLINK(\"http://exemple.test\";\"x\")", "+33 6", "-1+1", "@SOMME(A1)",
                                   "\t=1+1", "\r=1+1"])
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_exported_as_text(imported, coordinator, typed):
    from levier.pathways.models import Pathway

    person = Pathway.objects.filter(protocol=imported).select_related("person").first().person
    person.last_name = typed
    person.save()
    rows = exported(imported, coordinator, names=True)
    column = rows[0].index("last_name")
    assert "'" + typed in [row[column] for row in rows[1:]]
    assert typed not in [row[column] for row in rows[1:]]
