"""`levier pathways import`: the issue's import rules at their boundaries, with small files in tmp_path.

Given a CSV file written as a PLIE's previous tool would, when it is imported into a protocol, then the
participants, their exits and the audit trail are what the coordinator expects — or nothing is written
and every error is listed with its line (the header is line 1), its column and a French message."""

import csv
import hashlib
import html
import io
import json
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from levier.accounts.enums import Role
from levier.core.errors import InvalidInput
from levier.pathways import imports
from levier.pathways.enums import PathwayStatus
from levier.pathways.imports import COLUMNS, REQUIRED_COLUMNS, import_pathways
from levier.pathways.models import Pathway, PathwayImport, Person, Protocol
from levier.pathways.participants import EntryInput, match_key, register_participant
from levier.territories.services import commune_by_code
from tests.factories import UnitFactory, user_with_role

pytestmark = pytest.mark.django_db

OLD, NEW = "plie-pays-aix-2013-2017", "plie-pays-aix-2018-2022"
AIX, GARDANNE, GREASQUE, AUBAGNE = "13001", "13041", "13046", "13005"


def row(n: int = 1, **cells) -> dict:
    """One participant's cells; `n` keeps people apart (identifier, name, birth date)."""
    return {"external_id": f"A{n}", "last_name": f"Dupont{n}", "first_name": "Jeanne", "sex": "F",
            "birth_date": (date(1980, 5, 1) + timedelta(days=n - 1)).isoformat(), "commune_insee": AIX, "entry_date": "2014-03-03", **cells}


def write(tmp_path, rows, *, columns=None, delimiter=",", encoding="utf-8", name="participants.csv") -> object:
    """A CSV file of `rows` (dicts); columns default to the ones used, in the import's order."""
    if columns is None:
        used = {key for r in rows for key in r}
        columns = [c for c in COLUMNS if c in used] + sorted(used - set(COLUMNS))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow([r.get(c, "") for c in columns])
    path = tmp_path / name
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def errors_of(protocol, path, **options) -> list[tuple[int, str, str]]:
    with pytest.raises(InvalidInput) as exc:
        import_pathways(protocol=protocol, path=path, **options)
    return [(e.line, e.column, e.message) for e in exc.value.errors]


def nothing_written():
    return (Pathway.objects.count(), Person.objects.count(), PathwayImport.objects.count(),
            LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Pathway)).count()) == (0, 0, 0, 0)


@pytest.fixture
def protocol(pathways_reference):
    return Protocol.objects.get(slug=OLD)


@pytest.fixture
def later(pathways_reference):
    return Protocol.objects.get(slug=NEW)


# ---------------------------------------------------------------- reading the file


@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize(("birth", "entry", "exit"), [("1980-05-17", "2014-03-03", "2014-04-03"),
                                                      ("17/05/1980", "03/03/2014", "03/04/2014")])
def test_either_delimiter_and_either_date_format_give_the_same_participant(tmp_path, protocol, delimiter, birth, entry,
                                                                            exit):
    path = write(tmp_path, [row(birth_date=birth, entry_date=entry, exit_date=exit, exit_type="dropout")],
                 delimiter=delimiter)

    result = import_pathways(protocol=protocol, path=path)

    assert (result.rows, result.created, result.updated) == (1, 1, 0)
    pathway = Pathway.objects.select_related("person", "commune").get()
    assert (pathway.person.last_name, pathway.person.first_name, pathway.person.sex) == ("Dupont1", "Jeanne", "F")
    assert (pathway.person.birth_date, pathway.entry_date) == (date(1980, 5, 17), date(2014, 3, 3))
    assert (pathway.exit_date, pathway.exit_kind, pathway.status) == (date(2014, 4, 3), "dropout", "exited")
    assert pathway.commune.code == AIX and pathway.external_id == "A1" and pathway.protocol == protocol


def test_columns_are_found_by_name_in_any_order(tmp_path, protocol):
    columns = ["entry_date", "qpv", "commune_insee", "SEX", " birth_date ", "first_name", "last_name", "external_id"]
    path = tmp_path / "f.csv"
    path.write_text(",".join(columns) + "\n2014-03-03,1,13001,M,1975-01-02,Karim,Benali,X9\n", encoding="utf-8")

    import_pathways(protocol=protocol, path=path)

    pathway = Pathway.objects.select_related("person").get()
    assert (pathway.external_id, pathway.person.last_name, pathway.person.sex, pathway.qpv) == ("X9", "Benali", "M", True)


def test_windows_1252_file_keeps_its_accents(tmp_path, protocol):
    path = write(tmp_path, [row(last_name="Lefèvre", first_name="Hélène"), row(2, last_name="Cœur", first_name="Noël")],
                 delimiter=";", encoding="cp1252")
    assert "é".encode("cp1252") in path.read_bytes()  # really not UTF-8

    import_pathways(protocol=protocol, path=path)

    assert sorted(Person.objects.values_list("last_name", "first_name")) == [("Cœur", "Noël"), ("Lefèvre", "Hélène")]


def test_windows_1252_file_whose_last_byte_is_an_accent(tmp_path, protocol):
    """The one accented letter ends the file (no newline): still Windows-1252, not a broken UTF-8 file."""
    columns = [c for c in REQUIRED_COLUMNS if c != "first_name"] + ["first_name"]
    path = tmp_path / "f.csv"
    path.write_bytes((",".join(columns) + "\r\nA1,Dupont,F,1980-05-17,13001,2014-03-03,José").encode("cp1252"))

    import_pathways(protocol=protocol, path=path)

    assert Person.objects.get().first_name == "José"


def test_file_neither_utf8_nor_windows_1252_is_refused_with_its_line(tmp_path, protocol):
    """0x81 is undefined in Windows-1252: a clear error naming the line, not a crash; nothing written."""
    path = write(tmp_path, [row(1), row(2, last_name="Lef\u00e8vre"), row(3)], encoding="cp1252")
    path.write_bytes(path.read_bytes().replace(b"Dupont3", b"Dupont\x813"))

    assert errors_of(protocol, path) == [
        (4, "", "Fichier illisible : ni UTF-8 ni Windows-1252 (octet 0x81). Enregistrer le fichier en CSV UTF-8.")]
    assert not Pathway.objects.exists()


def test_utf8_byte_order_mark_is_stripped(tmp_path, protocol):
    path = write(tmp_path, [row(last_name="Lefèvre")], encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbfexternal_id")

    import_pathways(protocol=protocol, path=path)

    pathway = Pathway.objects.select_related("person").get()
    assert (pathway.external_id, pathway.person.last_name) == ("A1", "Lefèvre")


def test_blank_lines_are_skipped_and_lines_keep_their_number(tmp_path, protocol):
    path = tmp_path / "f.csv"
    good, bad = row(), row(2, birth_date="1980-02-30")
    text = ",".join(REQUIRED_COLUMNS) + "\n" + ",".join(good[c] for c in REQUIRED_COLUMNS) + "\n\n" + \
        ",".join(bad[c] for c in REQUIRED_COLUMNS) + "\n\n"
    path.write_text(text, encoding="utf-8")

    assert [(line, column) for line, column, _ in errors_of(protocol, path)] == [(4, "birth_date")]


def test_a_cell_beyond_the_csv_readers_limit_is_an_error_naming_its_line_and_column(tmp_path, protocol):
    """A 5 MB cell: the csv reader stops on it; a French error with its line and column, nothing written."""
    path = write(tmp_path, [row(1), row(2), row(3)])
    path.write_bytes(path.read_bytes().replace(b"Dupont2", b"D" * 5_000_000))

    assert errors_of(protocol, path) == [(3, "last_name", "Cellule de plus de 131\u202f072 caractères : fichier "
                                                          "endommagé ou guillemet non fermé. Rien n'a été importé.")]
    assert nothing_written()


def test_a_cell_longer_than_its_column_is_a_row_error_for_that_column(tmp_path, protocol):
    rows = [row(1, last_name="D" * 151), row(2, external_id="E" * 61), row(3, entry_date="2014-03-03" * 50), row(4)]

    assert errors_of(protocol, write(tmp_path, rows)) == [
        (2, "last_name", "Cellule trop longue : 151 caractères pour 150 au plus."),
        (3, "external_id", "Cellule trop longue : 61 caractères pour 60 au plus."),
        (4, "entry_date", "Cellule trop longue : 500 caractères pour 150 au plus.")]
    assert nothing_written()


def test_a_nul_character_in_a_cell_is_an_error_naming_its_line_and_column(tmp_path, protocol):
    path = write(tmp_path, [row(1), row(2), row(3)])
    path.write_bytes(path.read_bytes().replace(b"Dupont2", b"Dup\x00ont2").replace(b"1980-05-03", b"1980-05-\x0003"))

    assert errors_of(protocol, path) == [
        (3, "last_name", "Caractère nul (octet 0x00) dans la cellule : fichier endommagé ou qui n'est pas un CSV."),
        (4, "birth_date", "Caractère nul (octet 0x00) dans la cellule : fichier endommagé ou qui n'est pas un CSV.")]
    assert nothing_written()


def test_an_unclosed_quote_is_reported_on_the_line_where_its_cell_starts(tmp_path, protocol):
    path = write(tmp_path, [row(n) for n in range(1, 6)])
    path.write_bytes(path.read_bytes().replace(b"Dupont3", b'"Dupont3'))

    assert errors_of(protocol, path) == [(4, "last_name", "Guillemet ouvert dans cette cellule et jamais fermé : la "
                                                          "suite du fichier serait lue comme une seule cellule. "
                                                          "Fermer le guillemet ou l'enlever.")]
    assert nothing_written()


def test_a_quoted_cell_over_several_lines_keeps_the_line_numbers_of_the_records(tmp_path, protocol):
    """A record is numbered by the line where it starts; the next records by theirs."""
    path = write(tmp_path, [row(1, last_name="Du\npont"), row(2, birth_date="1980-02-30")])

    assert [(line, column) for line, column, _ in errors_of(protocol, path)] == [(4, "birth_date")]


def test_the_command_reports_a_broken_file_with_code_2(tmp_path, protocol, capsys):
    path = write(tmp_path, [row(1), row(2)])
    path.write_bytes(path.read_bytes().replace(b"Dupont1", b'"Dupont1').replace(b"Dupont2", b"x" * 200_000))

    with pytest.raises(SystemExit) as exc:
        call_command("pathways", "import", "--protocol", OLD, str(path))

    assert exc.value.code == 2
    assert [(e["line"], e["column"]) for e in json.loads(capsys.readouterr().err)["errors"]] == [(2, "last_name")]
    assert nothing_written()


@pytest.mark.parametrize(("replace", "shown"), [
    ((b"Roux", b"R" * 5_000_000), "ligne 2, last_name : Cellule de plus de 131\u202f072 caractères"),
    ((b"Roux", b"R\x00oux"), "ligne 2, last_name : Caractère nul (octet 0x00) dans la cellule"),
    ((b"Roux", b'"Roux'), "ligne 2, last_name : Guillemet ouvert dans cette cellule et jamais fermé")])
def test_the_import_page_shows_a_broken_file_as_a_form_error(client, plie, replace, shown):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.factories import login

    header = "external_id;last_name;first_name;sex;birth_date;commune_insee;entry_date"
    body = f"{header}\nN1;Roux;Lou;X;1991-01-02;13001;2019-02-01\nN2;Blanc;Léa;F;1992-01-02;13001;2019-02-01\n"
    upload = SimpleUploadedFile("participants.csv", body.encode().replace(*replace), "text/csv")
    protocol, before = plie["protocol"], Pathway.objects.count()
    login(client, plie["coordinator"])

    page = client.post(reverse("pathways:import", args=[protocol.slug]), {"file": upload})

    assert page.status_code == 200
    assert shown in html.unescape(page.content.decode())
    assert Pathway.objects.count() == before


# ---------------------------------------------------------------- header errors


def test_an_unknown_column_is_an_error_and_nothing_is_imported(tmp_path, protocol):
    path = write(tmp_path, [row(email="jeanne@exemple.test")])

    assert errors_of(protocol, path) == [(1, "email", "Colonne inconnue : « email ».")]
    assert nothing_written()


def test_a_missing_required_column_is_named(tmp_path, protocol):
    path = write(tmp_path, [{k: v for k, v in row().items() if k != "birth_date"}])

    assert errors_of(protocol, path) == [(1, "birth_date", "Colonne obligatoire absente.")]


# ---------------------------------------------------------------- cell errors


@pytest.mark.parametrize("column", REQUIRED_COLUMNS)
def test_a_missing_required_value_is_an_error(tmp_path, protocol, column):
    path = write(tmp_path, [row(), row(2, **{column: " "})])

    errors = errors_of(protocol, path)

    assert (3, column, "Valeur obligatoire manquante.") in errors
    assert nothing_written()


@pytest.mark.parametrize(("column", "value", "message"), [
    ("birth_date", "1980-02-30", "Date impossible : « 1980-02-30 » (AAAA-MM-JJ ou JJ/MM/AAAA attendu)."),
    ("entry_date", "2014/03/03", "Date impossible : « 2014/03/03 » (AAAA-MM-JJ ou JJ/MM/AAAA attendu)."),
    ("entry_date", "03-03-2014", "Date impossible"),
    ("exit_date", "31/06/2015", "Date impossible"),
    ("sex", "H", "Sexe attendu : F, M ou X"),
    ("qpv", "2", "0 ou 1 attendu, reçu « 2 »."),
    ("rsa", "oui", "0 ou 1 attendu"),
    ("long_term_unemployed", "true", "0 ou 1 attendu"),
    ("rqth", "-1", "0 ou 1 attendu"),
    ("exit_validated", "O", "0 ou 1 attendu"),
    ("prescriber_type", "anpe", "Type de prescripteur inconnu : « anpe »"),
    ("qualification_level", "VII", "Niveau de qualification inconnu : « VII »"),
    ("qualification_level", "9", "Niveau de qualification inconnu"),
    ("exit_type", "cdi_temps_partiel", "Type de sortie inconnu : « cdi_temps_partiel »"),
    ("commune_insee", "99999", "Code commune inconnu : « 99999 »."),
])
def test_a_bad_date_or_code_names_its_line_and_column(tmp_path, protocol, column, value, message):
    cells = {column: value}
    if column.startswith("exit_") and column != "exit_date":
        cells.setdefault("exit_date", "2015-01-01")
    if column in ("exit_date", "exit_validated"):
        cells.setdefault("exit_type", "cdi")
    path = write(tmp_path, [row(), row(2, **cells)])

    errors = errors_of(protocol, path)

    assert [(line, col) for line, col, _ in errors] == [(3, column)]
    assert errors[0][2].startswith(message)
    assert nothing_written()


def test_every_error_of_the_file_is_listed_in_line_order(tmp_path, protocol):
    path = write(tmp_path, [row(1, sex="?"), row(2), row(3, birth_date="", qpv="x"), row(4, entry_date="2014-13-01")])

    assert [(line, column) for line, column, _ in errors_of(protocol, path)] == [
        (2, "sex"), (4, "birth_date"), (4, "qpv"), (5, "entry_date")]


def test_a_row_with_a_wrong_number_of_cells_is_an_error(tmp_path, protocol):
    path = tmp_path / "f.csv"
    path.write_text(",".join(REQUIRED_COLUMNS) + "\nA1,Dupont,Jeanne,F,1980-05-17,13001\n", encoding="utf-8")

    assert errors_of(protocol, path) == [(2, "", "6 cellules pour 7 colonnes.")]


# ---------------------------------------------------------------- territory at the entry date


def test_gardanne_entered_the_day_before_it_joined_the_territory_is_refused(tmp_path, protocol):
    path = write(tmp_path, [row(commune_insee=GARDANNE, entry_date="31/12/2013")])

    assert errors_of(protocol, path) == [(2, "commune_insee", "La commune Gardanne (13041) n'appartient pas au territoire "
                                                              "Pays d'Aix au 31/12/2013, date d'entrée.")]
    assert nothing_written()


@pytest.mark.parametrize("code", [GARDANNE, GREASQUE])
def test_gardanne_and_greasque_entered_the_day_they_joined_are_accepted(tmp_path, protocol, code):
    path = write(tmp_path, [row(commune_insee=code, entry_date="2014-01-01")])

    assert import_pathways(protocol=protocol, path=path).created == 1
    assert Pathway.objects.get().commune.code == code


def test_a_commune_never_in_the_territory_is_refused(tmp_path, protocol):
    path = write(tmp_path, [row(commune_insee=AUBAGNE)])

    ((line, column, message),) = errors_of(protocol, path)
    assert (line, column) == (2, "commune_insee") and message.startswith("La commune Aubagne (13005) n'appartient pas")


def test_an_entry_after_the_protocol_end_is_refused(tmp_path, protocol):
    path = write(tmp_path, [row(1, entry_date="2017-12-31"), row(2, entry_date="2018-01-01")])

    assert errors_of(protocol, path) == [(3, "entry_date", "Date d'entrée après la fin du protocole (31/12/2017).")]


# ---------------------------------------------------------------- exits


@pytest.mark.parametrize(("cells", "column"), [({"exit_type": "cdi"}, "exit_date"), ({"exit_date": "2015-01-01"}, "exit_type")])
def test_an_exit_type_goes_with_an_exit_date(tmp_path, protocol, cells, column):
    path = write(tmp_path, [row(**cells)])

    assert errors_of(protocol, path) == [(2, column, "Type et date de sortie vont ensemble.")]


def test_a_missing_exit_date_is_reported_even_when_another_exit_cell_is_wrong(tmp_path, protocol):
    path = write(tmp_path, [row(exit_type="cdi", exit_validated="oui")])

    assert [(line, column) for line, column, _ in errors_of(protocol, path)] == [(2, "exit_date"), (2, "exit_validated")]


def test_an_exit_before_the_entry_is_refused_and_on_the_entry_day_accepted(tmp_path, protocol):
    refused = write(tmp_path, [row(exit_type="dropout", exit_date="2014-03-02")], name="refused.csv")
    assert errors_of(protocol, refused) == [(2, "exit_date", "Date de sortie avant la date d'entrée.")]

    accepted = write(tmp_path, [row(exit_type="dropout", exit_date="2014-03-03")], name="accepted.csv")
    assert import_pathways(protocol=protocol, path=accepted).created == 1
    assert Pathway.objects.get().exit_date == date(2014, 3, 3)


def test_a_birth_date_on_or_after_the_entry_date_is_refused(tmp_path, protocol):
    refused = write(tmp_path, [row(1, birth_date="2014-03-03"), row(2, birth_date="05/06/2020")], name="refused.csv")
    assert errors_of(protocol, refused) == [(2, "birth_date", "Date de naissance postérieure à la date d'entrée."),
                                            (3, "birth_date", "Date de naissance postérieure à la date d'entrée.")]
    assert nothing_written()
    assert import_pathways(protocol=protocol, path=write(tmp_path, [row(birth_date="2014-03-02")])).created == 1


@pytest.mark.parametrize(("kind", "validated", "category"), [
    ("cdi", "1", "employment"), ("cdd", "1", "employment"), ("interim", "1", "employment"),
    ("training", "1", "training"), ("business_creation", "1", "business_creation"),
    ("cdi", "0", ""), ("cdd", "", ""),  # empty: unknown, never validated
    ("dropout", "1", ""), ("moved", "", ""), ("death", "", ""), ("retirement", "", ""), ("other", "1", ""),
])
def test_imported_exits_are_recorded_as_the_previous_tool_decided(tmp_path, protocol, kind, validated, category):
    path = write(tmp_path, [row(exit_type=kind, exit_date="12/10/2015", exit_validated=validated)])

    import_pathways(protocol=protocol, path=path)

    pathway = Pathway.objects.get()
    assert (pathway.status, pathway.exit_kind, pathway.exit_source, pathway.exit_date) == (
        "exited", kind, "import", date(2015, 10, 12))
    assert pathway.exit_category == category
    assert pathway.exit_validated_on == (date(2015, 10, 12) if category else None)
    assert pathway.exit_reason.startswith("Sortie reprise de l'outil précédent")


# ---------------------------------------------------------------- optional cells


def test_an_empty_optional_cell_is_unknown_never_zero(tmp_path, protocol):
    path = write(tmp_path, [
        row(1, qpv="", rsa="", long_term_unemployed="", rqth="", prescriber_type="", qualification_level=""),
        row(2, qpv="0", rsa="0", long_term_unemployed="0", rqth="0", prescriber_type="other", qualification_level="VI"),
        row(3, qpv="1", rsa="1", long_term_unemployed="1", rqth="1", prescriber_type="caf", qualification_level="V bis"),
    ])

    import_pathways(protocol=protocol, path=path)

    found = dict(Pathway.objects.values_list("external_id", "qpv"))
    assert found == {"A1": None, "A2": False, "A3": True}
    values = {p.external_id: (p.rsa, p.long_term_unemployed, p.rqth, p.prescriber_type, p.qualification_level)
              for p in Pathway.objects.all()}
    assert values == {"A1": (None, None, "", "", ""), "A2": (False, False, "no", "other", "VI"),
                      "A3": (True, True, "yes", "caf", "Vbis")}


@pytest.mark.parametrize(("cell", "stored"), [
    ("pole_emploi", "pole_emploi"), ("france_travail", "pole_emploi"), ("France Travail", "pole_emploi"),
    ("pole_insertion", "pole_insertion"), ("ccas", "ccas"), ("CAF", "caf"), ("bme", "bme"),
    ("mission_locale", "mission_locale"), ("cap_emploi", "cap_emploi"), ("other", "other"),
    ("Pôle emploi", "pole_emploi"), ("Pôle insertion", "pole_insertion"), ("Mission locale", "mission_locale"),
    ("Cap-Emploi", "cap_emploi"),
])
def test_prescriber_types_and_france_travail(tmp_path, protocol, cell, stored):
    path = write(tmp_path, [row(prescriber_type=cell)])

    import_pathways(protocol=protocol, path=path)

    assert Pathway.objects.get().prescriber_type == stored


@pytest.mark.parametrize(("cell", "level", "nomenclature"), [
    ("I", "I", "1969"), ("II", "II", "1969"), ("III", "III", "1969"), ("IV", "IV", "1969"), ("V", "V", "1969"),
    ("Vbis", "Vbis", "1969"), ("VI", "VI", "1969"), ("1", "1", "2019"), ("8", "8", "2019"),
])
def test_qualification_levels_of_both_nomenclatures(tmp_path, protocol, cell, level, nomenclature):
    path = write(tmp_path, [row(qualification_level=cell)])

    import_pathways(protocol=protocol, path=path)

    pathway = Pathway.objects.get()
    assert (pathway.qualification_level, pathway.qualification_nomenclature) == (level, nomenclature)


# ---------------------------------------------------------------- duplicates


def test_the_same_external_id_twice_in_the_file(tmp_path, protocol):
    path = write(tmp_path, [row(1), row(2), row(3, external_id="A1")])

    assert errors_of(protocol, path) == [(4, "external_id", "Identifiant « A1 » déjà présent à la ligne 2.")]
    assert nothing_written()


def test_a_new_identifier_for_a_participant_already_in_the_protocol_is_refused_naming_them(tmp_path, protocol):
    import_pathways(protocol=protocol, path=write(tmp_path, [row(last_name="Dupont-Martin", first_name="Hélène")],
                                                  name="first.csv"))
    # Same person, written differently (case, accents, hyphen) and with a new identifier.
    path = write(tmp_path, [row(external_id="B7", last_name="DUPONT MARTIN", first_name="helene", birth_date="01/05/1980")],
                 name="second.csv")

    ((line, column, message),) = errors_of(protocol, path)

    assert (line, column) == (2, "external_id")
    assert "DUPONT-MARTIN Hélène" in message and "« A1 »" in message and "03/03/2014" in message
    assert Pathway.objects.count() == 1


@pytest.mark.parametrize("cells", [{"birth_date": "1980-05-02"}, {"commune_insee": "13095"}, {"first_name": "Jeannette"}])
def test_a_different_birth_date_commune_or_name_is_another_person(tmp_path, protocol, cells):
    import_pathways(protocol=protocol, path=write(tmp_path, [row()], name="first.csv"))

    result = import_pathways(protocol=protocol, path=write(tmp_path, [row(external_id="B7", **cells)], name="second.csv"))

    assert result.created == 1 and Person.objects.count() == 2


def test_the_same_person_twice_in_one_file_under_two_identifiers(tmp_path, protocol):
    path = write(tmp_path, [row(1), row(1, external_id="B1")])

    ((line, column, message),) = errors_of(protocol, path)

    assert (line, column) == (3, "external_id") and "à la ligne 2" in message


def test_the_same_person_twice_is_reported_along_with_other_errors(tmp_path, protocol):
    path = write(tmp_path, [row(5, sex="?"), row(1), row(1, external_id="B1")])

    assert [(line, column) for line, column, _ in errors_of(protocol, path)] == [(2, "sex"), (4, "external_id")]


def test_the_same_person_twice_across_chunks(tmp_path, protocol, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 2)
    path = write(tmp_path, [row(1), row(2), row(3), row(1, external_id="B1")])

    ((line, column, message),) = errors_of(protocol, path)

    assert (line, column) == (5, "external_id") and "« A1 »" in message
    assert nothing_written()


def test_a_person_known_in_another_protocol_gets_a_new_pathway_attached_to_them(tmp_path, protocol, later, capsys):
    import_pathways(protocol=protocol, path=write(tmp_path, [row(exit_type="dropout", exit_date="2016-01-01")],
                                                  name="old.csv"))
    path = write(tmp_path, [row(external_id="N1", last_name="DUPONT1", entry_date="2018-02-01")], name="new.csv")

    call_command("pathways", "import", "--protocol", NEW, str(path))

    out = capsys.readouterr().out
    assert "ligne 2 : rattaché à DUPONT1 Jeanne, connu dans PLIE du Pays d'Aix — protocole 2013-2017." in out
    assert Person.objects.count() == 1
    assert sorted(Person.objects.get().pathways.values_list("protocol__slug", "external_id")) == [(OLD, "A1"), (NEW, "N1")]


def test_a_person_known_elsewhere_who_already_has_a_pathway_here_under_another_commune(tmp_path, protocol, later):
    """Moved between protocols: the match in the other protocol must not create a second pathway here."""
    import_pathways(protocol=protocol, path=write(tmp_path, [row(commune_insee="13095")], name="old.csv"))
    import_pathways(protocol=later, path=write(tmp_path, [row(external_id="N1", commune_insee="13095",
                                                              entry_date="2018-02-01")], name="new1.csv"))
    assert Person.objects.count() == 1
    Pathway.objects.filter(protocol=later).update(commune=commune_by_code(AIX))  # since moved to Aix
    path = write(tmp_path, [row(external_id="N2", commune_insee="13095", entry_date="2018-03-01")], name="new2.csv")

    ((line, column, message),) = errors_of(later, path)

    assert (line, column) == (2, "external_id") and "« N1 »" in message
    assert Pathway.objects.filter(protocol=later).count() == 1


# ---------------------------------------------------------------- re-import


def test_reimport_updates_only_non_empty_cells_and_never_deletes(tmp_path, protocol):
    first = write(tmp_path, [
        row(1, qpv="1", rsa="1", prescriber_type="ccas", qualification_level="IV", rqth="1", long_term_unemployed="1"),
        row(2, qpv="0"),
    ], name="first.csv")
    import_pathways(protocol=protocol, path=first)
    before = Pathway.objects.get(external_id="A1").updated_at
    second = write(tmp_path, [
        row(1, last_name="Dupont-Durand", qpv="", rsa="0", prescriber_type="", qualification_level="V", rqth="",
            long_term_unemployed="", exit_type="cdd", exit_date="2015-06-30", exit_validated="1"),
    ], name="second.csv")

    result = import_pathways(protocol=protocol, path=second)

    assert (result.rows, result.created, result.updated) == (1, 0, 1)
    pathway = Pathway.objects.select_related("person").get(external_id="A1")
    assert pathway.person.last_name == "Dupont-Durand"
    assert (pathway.qpv, pathway.rsa, pathway.prescriber_type, pathway.qualification_level) == (True, False, "ccas", "V")
    assert (pathway.rqth, pathway.long_term_unemployed) == ("yes", True)
    assert (pathway.exit_kind, pathway.exit_category, pathway.exit_validated_on) == ("cdd", "employment", date(2015, 6, 30))
    assert pathway.updated_at > before
    assert Pathway.objects.filter(external_id="A2", qpv=False).exists()  # absent from the file, kept as it was
    # Later, a file without the exit cells keeps the exit.
    import_pathways(protocol=protocol, path=write(tmp_path, [row(1, last_name="Dupont-Durand")], name="third.csv"))
    pathway.refresh_from_db()
    assert (pathway.status, pathway.exit_kind, pathway.exit_category) == ("exited", "cdd", "employment")


def test_a_new_entry_date_after_the_recorded_exit_is_refused(tmp_path, protocol):
    import_pathways(protocol=protocol, path=write(tmp_path, [row(exit_type="dropout", exit_date="2015-06-30")],
                                                  name="first.csv"))

    path = write(tmp_path, [row(entry_date="2015-07-01"), row(2, sex="?")], name="second.csv")

    errors = errors_of(protocol, path)

    assert errors[0] == (2, "entry_date", "Date d'entrée après la sortie enregistrée (30/06/2015).")
    assert [(line, column) for line, column, _ in errors] == [(2, "entry_date"), (3, "sex")]
    assert errors_of(protocol, write(tmp_path, [row(entry_date="2015-07-01")], name="alone.csv"))[0][:2] == (2, "entry_date")
    assert Pathway.objects.get().entry_date == date(2014, 3, 3)
    import_pathways(protocol=protocol, path=write(tmp_path, [row(entry_date="2015-06-30")], name="third.csv"))
    assert Pathway.objects.get().entry_date == date(2015, 6, 30)


def test_the_file_long_term_unemployment_wins_over_the_derived_value(tmp_path, protocol):
    unit = UnitFactory()
    Protocol.objects.filter(pk=protocol.pk).update(unit=unit)
    protocol.refresh_from_db()
    coordinator = user_with_role(Role.PLIE_COORDINATOR, unit)
    for external_id, months in (("A1", 24), ("A2", 3)):
        register_participant(protocol=protocol, by=coordinator, entry=EntryInput(**{
            "external_id": external_id, "last_name": f"Durand{external_id}", "first_name": "Paul", "sex": "M",
            "birth_date": date(1970, 1, 1), "commune": commune_by_code(AIX), "entry_date": date(2015, 1, 5),
            "notice_given_on": date(2015, 1, 5), "consent_on": date(2015, 1, 5), "unemployment_months": months}))
    assert dict(Pathway.objects.values_list("external_id", "long_term_unemployed")) == {"A1": True, "A2": False}
    path = write(tmp_path, [
        {**row(1, last_name="DurandA1", first_name="Paul", sex="M", birth_date="1970-01-01", entry_date="2015-01-05"),
         "long_term_unemployed": "0"},
        {**row(2, last_name="DurandA2", first_name="Paul", sex="M", birth_date="1970-01-01", entry_date="2015-01-05"),
         "long_term_unemployed": ""},
    ])

    assert import_pathways(protocol=protocol, path=path).updated == 2

    assert dict(Pathway.objects.values_list("external_id", "long_term_unemployed")) == {"A1": False, "A2": False}


def test_external_ids_are_unique_per_protocol_not_across_protocols(tmp_path, protocol, later):
    import_pathways(protocol=protocol, path=write(tmp_path, [row()], name="old.csv"))

    result = import_pathways(protocol=later, path=write(tmp_path, [row(2, external_id="A1", entry_date="2018-05-01")],
                                                        name="new.csv"))

    assert result.created == 1
    assert sorted(Pathway.objects.values_list("protocol__slug", "person__last_name")) == [(OLD, "Dupont1"), (NEW, "Dupont2")]


# ---------------------------------------------------------------- all or nothing, dry run


def test_one_error_and_nothing_is_imported(tmp_path, protocol):
    rows = [row(n) for n in range(1, 30)] + [row(30, commune_insee=AUBAGNE)]

    errors_of(protocol, write(tmp_path, rows))

    assert nothing_written()


def test_a_dry_run_checks_everything_and_writes_nothing(tmp_path, protocol):
    import_pathways(protocol=protocol, path=write(tmp_path, [row(1)], name="first.csv"))
    counts = (Pathway.objects.count(), Person.objects.count(), PathwayImport.objects.count(), LogEntry.objects.count())
    path = write(tmp_path, [row(1, qpv="1"), row(2), row(3)], name="second.csv")

    result = import_pathways(protocol=protocol, path=path, dry_run=True)

    assert (result.rows, result.created, result.updated, result.dry_run, result.record) == (3, 2, 1, True, None)
    assert (Pathway.objects.count(), Person.objects.count(), PathwayImport.objects.count(), LogEntry.objects.count()) == counts
    assert Pathway.objects.get().qpv is None
    # The same checks as a real import.
    assert errors_of(protocol, write(tmp_path, [row(4, commune_insee=AUBAGNE)], name="bad.csv"), dry_run=True)[0][:2] == (
        2, "commune_insee")


# ---------------------------------------------------------------- audit


def test_an_import_is_audited_as_one_record_and_one_entry_per_pathway(tmp_path, protocol):
    unit = UnitFactory()
    coordinator = user_with_role(Role.PLIE_COORDINATOR, unit)
    first = write(tmp_path, [row(1), row(2)], name="first.csv")
    import_pathways(protocol=protocol, path=first, by=coordinator)
    second = write(tmp_path, [row(1, qpv="1"), row(3)], name="second.csv")

    result = import_pathways(protocol=protocol, path=second, by=coordinator)

    record = result.record
    assert (record.by, record.file_name, record.rows, record.created, record.updated) == (coordinator, "second.csv", 2, 1, 1)
    assert record.file_sha256 == hashlib.sha256(second.read_bytes()).hexdigest()
    assert record.protocol == protocol and PathwayImport.objects.count() == 2
    pathway_type = ContentType.objects.get_for_model(Pathway)
    entries = LogEntry.objects.filter(content_type=pathway_type, additional_data__import=record.pk)
    by_pathway = {e.object_id: e for e in entries}
    updated, created = Pathway.objects.get(external_id="A1"), Pathway.objects.get(external_id="A3")
    assert set(by_pathway) == {updated.pk, created.pk}
    assert by_pathway[created.pk].action == LogEntry.Action.CREATE
    assert by_pathway[updated.pk].action == LogEntry.Action.UPDATE
    assert by_pathway[updated.pk].changes == {"qpv": ["None", "True"]}
    assert {e.actor for e in entries} == {coordinator}
    assert all(e.additional_data["file_sha256"] == record.file_sha256 for e in entries)


def test_audit_entries_are_written_in_bulk_not_one_per_row(tmp_path, protocol):
    def statements(rows):
        with CaptureQueriesContext(connection) as queries:
            import_pathways(protocol=protocol, path=write(tmp_path, rows, name=f"{len(rows)}.csv"))
        return queries.captured_queries

    statements([row(1)])  # the first import fills the process's caches (content types, compositions)
    few, more = statements([row(n) for n in range(2, 42)]), statements([row(n) for n in range(42, 122)])

    assert len(more) == len(few) < 40  # as many statements for 80 rows as for 40
    # SQLite: one executemany ("40 times: INSERT …"); PostgreSQL: one COPY, not seen by Django's query log.
    writes = [q["sql"] for q in few if 'INTO "auditlog_logentry"' in q["sql"]]
    assert writes == ([] if connection.vendor == "postgresql" else [writes[0]])
    assert LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Pathway)).count() == 121


# ---------------------------------------------------------------- the command


def test_the_command_imports_and_says_what_it_did(tmp_path, protocol, capsys):
    path = write(tmp_path, [row(1), row(2)], delimiter=";")

    call_command("pathways", "import", "--protocol", OLD, str(path))

    assert capsys.readouterr().out.strip() == "2 lignes : 2 parcours créés, 0 mis à jour."
    assert Pathway.objects.count() == 2


def test_the_command_dry_run_says_nothing_is_written(tmp_path, protocol, capsys):
    path = write(tmp_path, [row(1), row(2)])

    call_command("pathways", "import", "--protocol", OLD, str(path), "--dry-run")

    assert capsys.readouterr().out.strip() == ("2 lignes : 2 parcours à créer, 0 mis à jour "
                                               "(vérification seule, rien n'est écrit).")
    assert nothing_written()


def test_the_command_exits_with_code_2_and_the_errors_as_json_on_stderr(tmp_path, protocol, capsys):
    path = write(tmp_path, [row(1, commune_insee=GARDANNE, entry_date="2013-12-31"), row(2, sex="")])

    with pytest.raises(SystemExit) as exc:
        call_command("pathways", "import", "--protocol", OLD, str(path))

    assert exc.value.code == 2
    body = json.loads(capsys.readouterr().err)
    assert body == {"errors": [
        {"field": "ligne 2, commune_insee", "line": 2, "column": "commune_insee",
         "message": "La commune Gardanne (13041) n'appartient pas au territoire Pays d'Aix au 31/12/2013, date d'entrée."},
        {"field": "ligne 3, sex", "line": 3, "column": "sex", "message": "Valeur obligatoire manquante."},
    ]}
    assert nothing_written()


@pytest.mark.parametrize(("arguments", "field"), [(["--protocol", "plie-inconnu"], "protocol"),
                                                  (["--protocol", OLD, "--dry-run"], "file")])
def test_the_command_refuses_an_unknown_protocol_or_file(tmp_path, protocol, capsys, arguments, field):
    path = write(tmp_path, [row()])
    target = str(path) if field != "file" else str(tmp_path / "absent.csv")

    with pytest.raises(SystemExit) as exc:
        call_command("pathways", "import", *arguments, target)

    assert exc.value.code == 2
    assert [e["field"] for e in json.loads(capsys.readouterr().err)["errors"]] == [field]


@pytest.mark.parametrize("chunk", [2, 3, 1000])
def test_repeats_are_found_across_chunks_with_the_line_of_their_first_occurrence(pathways_reference, tmp_path,
                                                                                  monkeypatch, chunk):
    """Memory does not grow with the file: earlier chunks are checked in the database, not kept in memory."""
    monkeypatch.setattr(imports, "CHUNK", chunk)
    protocol = Protocol.objects.get(slug=OLD)
    rows = [row(n) for n in range(1, 6)]
    rows.append(row(1, last_name="Autre", birth_date="1970-01-01"))  # line 7 repeats line 2's identifier
    rows.append(row(2, external_id="B2"))  # line 8: the same person as line 3 under another identifier
    rows.append(row(9, birth_date="pas une date"))  # line 9: an error stops the writing...
    rows.append(row(10, external_id="A4"))  # line 10 ...yet a later repeat is still found
    found = errors_of(protocol, write(tmp_path, rows))
    lines = {line for line, _, _ in found}
    assert {7, 8, 9, 10} <= lines
    messages = {line: message for line, _, message in found}
    assert "ligne 2" in messages[7] and "ligne 5" in messages[10]
    assert "Dupont2" in messages[8].replace("DUPONT2", "Dupont2") or "ligne 3" in messages[8]
    assert not Pathway.objects.filter(protocol=protocol).exists()


def test_a_file_imported_again_in_small_chunks_updates_without_false_repeats(pathways_reference, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 2)
    protocol = Protocol.objects.get(slug=OLD)
    path = write(tmp_path, [row(n) for n in range(1, 6)])
    assert import_pathways(protocol=protocol, path=path).created == 5
    again = import_pathways(protocol=protocol, path=path)
    assert (again.created, again.updated) == (0, 5)


# ---------------------------------------------------------------- written in bulk


def test_an_imported_pathway_holds_what_a_new_pathway_holds(tmp_path, protocol):
    before = timezone.now()
    path = write(tmp_path, [row(1, rsa="", qpv="1", exit_type="", exit_date="")])

    import_pathways(protocol=protocol, path=path)

    pathway = Pathway.objects.select_related("person").get(external_id="A1")
    assert pathway.status == PathwayStatus.ACTIVE and pathway.exit_kind == "" and pathway.exit_date is None
    assert pathway.rsa is None and pathway.qpv is True  # an empty cell is unknown, not "no"
    assert pathway.eligibility_criteria == [] and pathway.structure_id is None and pathway.referent_id is None
    assert pathway.eligibility_reason == "Décision prise avant l'import."
    assert before <= pathway.created_at == pathway.updated_at <= timezone.now()
    assert (pathway.person.email, pathway.person.anonymised_on) == ("", None)
    assert pathway.person.match_key == match_key("Dupont1", "Jeanne")
    entry = LogEntry.objects.get(object_id=pathway.pk, content_type=ContentType.objects.get_for_model(Pathway))
    assert entry.object_repr == f"Parcours n° {pathway.pk}" and entry.changes == {"import": [None, "participants.csv"]}
    (log,) = pathway.logs.all()
    assert (log.from_status, log.to_status, log.reason) == ("", PathwayStatus.ACTIVE, "")
    assert log.action == "Entrée reprise par import (fichier « participants.csv »)" and log.at >= before


def test_the_workflow_log_tells_an_imported_exit_and_a_later_one(tmp_path, protocol):
    coordinator = user_with_role(Role.PLIE_COORDINATOR, UnitFactory())
    import_pathways(protocol=protocol, by=coordinator, path=write(tmp_path, [
        row(1, exit_type="cdi", exit_date="2015-01-10", exit_validated="1"), row(2)]))
    import_pathways(protocol=protocol, by=coordinator, path=write(tmp_path, [
        row(1, qpv="1"), row(2, exit_type="dropout", exit_date="2015-06-30")], name="suite.csv"))

    first, second = (Pathway.objects.get(external_id=f"A{n}") for n in (1, 2))
    assert [(log.from_status, log.to_status, log.reason, log.by) for log in first.logs.all()] == [
        ("", PathwayStatus.EXITED, "Sortie reprise de l'outil précédent.", coordinator)]  # no status change after
    assert [(log.from_status, log.to_status, log.action) for log in second.logs.all()] == [
        ("", PathwayStatus.ACTIVE, "Entrée reprise par import (fichier « participants.csv »)"),
        (PathwayStatus.ACTIVE, PathwayStatus.EXITED, "Mise à jour par import (fichier « suite.csv »)")]


def test_the_same_wrong_cell_on_many_lines_is_reported_on_each(tmp_path, protocol):
    path = write(tmp_path, [row(1, birth_date="31/02/1980"), row(2), row(3, birth_date="31/02/1980"),
                            row(4, sex=" f ")])

    with pytest.raises(InvalidInput) as raised:
        import_pathways(protocol=protocol, path=path)

    assert [(e.line, e.column) for e in raised.value.errors] == [(2, "birth_date"), (4, "birth_date")]
    assert Pathway.objects.count() == 0


def test_the_coordinator_confirms_an_imported_exit_left_unvalidated(tmp_path, protocol):
    from levier.accounts.enums import Role
    from levier.pathways import participants as service
    from levier.pathways.models import PathwayLog
    from levier.pathways.report import protocol_report
    from tests.factories import UnitFactory, user_with_role

    unit = UnitFactory(name="Animation du PLIE")
    protocol.unit = unit
    protocol.save()
    coordinator = user_with_role(Role.PLIE_COORDINATOR, unit)
    referent = user_with_role(Role.REFERENT, UnitFactory(name="Lot 1"))
    import_pathways(protocol=protocol, path=write(tmp_path, [
        row(1, exit_type="cdd", exit_date="2015-06-30"), row(2, exit_type="dropout", exit_date="2015-06-30"),
        row(3, exit_type="training", exit_date="2015-04-01", exit_validated="1")]))
    cdd, dropout, training = (Pathway.objects.get(external_id=f"A{n}") for n in (1, 2, 3))
    assert [service.imported_exit_to_confirm(p) for p in (cdd, dropout, training)] == [True, False, False]
    assert list(Pathway.objects.imported_exits_to_confirm()) == [cdd]  # the list's filter says the same
    before = protocol_report(protocol, as_of=date(2018, 6, 30))["positive_exits"]

    with pytest.raises(InvalidInput):
        service.confirm_imported_exit(pathway=cdd, by=referent)
    for other in (dropout, training):  # not a positive kind, or already validated
        with pytest.raises(InvalidInput):
            service.confirm_imported_exit(pathway=other, by=coordinator)

    confirmed = service.confirm_imported_exit(pathway=cdd, by=coordinator, reason="Contrat vérifié.")
    assert (confirmed.exit_category, confirmed.exit_validated_on) == ("employment", date(2015, 6, 30))
    assert "confirmée par le coordinateur. Contrat vérifié." in confirmed.exit_reason
    log = PathwayLog.objects.filter(pathway=cdd).latest("id")
    assert (log.action, log.by) == ("Sortie reprise confirmée par le coordinateur", coordinator)
    after = protocol_report(protocol, as_of=date(2018, 6, 30))["positive_exits"]
    assert (after["cdd"], after["employment"]) == (before["cdd"] + 1, before["employment"] + 1)
    with pytest.raises(InvalidInput):  # once
        service.confirm_imported_exit(pathway=confirmed, by=coordinator)


@pytest.mark.parametrize("slug", [OLD, NEW])
def test_the_import_template_of_each_protocol_is_a_valid_file(tmp_path, pathways_reference, slug):
    from levier.pathways.exports import import_template

    protocol = Protocol.objects.get(slug=slug)
    path = tmp_path / "modele.csv"
    path.write_text(import_template(protocol), encoding="utf-8")
    assert path.read_text(encoding="utf-8-sig").splitlines()[0] == ";".join(COLUMNS)
    result = import_pathways(protocol=protocol, path=path)
    assert (result.rows, result.created) == (2, 2)
    left = Pathway.objects.get(protocol=protocol, external_id="EX-0002")
    assert (left.exit_kind, left.exit_category, left.person.sex) == ("cdi", "employment", "X")


def test_every_column_of_the_file_is_explained_in_french_on_the_import_page():
    from levier.pathways.imports import COLUMN_HELP, COLUMNS

    assert set(COLUMN_HELP) == set(COLUMNS)
    assert all(meaning and form for meaning, form in COLUMN_HELP.values())


def test_an_exit_is_imported_only_for_a_pathway_whose_state_leads_to_an_exit(tmp_path, protocol, later):
    """The previous tool says A2 and A3 left; Levier holds A2 as carried over to the next protocol and A3 as
    still awaiting its eligibility decision: neither may be exited (the pathway's workflow), and each
    refusal names its line and column."""
    from levier.pathways.participants import carry_over, record_other_exit

    import_pathways(protocol=protocol, path=write(tmp_path, [row(1), row(2)], name="first.csv"))
    a1 = Pathway.objects.get(external_id="A1")
    coordinator = user_with_role(Role.PLIE_COORDINATOR, UnitFactory())
    protocol.unit = coordinator.memberships.get().unit
    protocol.save()
    record_other_exit(pathway=a1, by=coordinator, kind="moved", on=date(2014, 6, 1), today=date(2014, 6, 2))
    carry_over(from_protocol=protocol, to_protocol=later, by=coordinator)  # A2 carries over, A1 has left
    person = Person.objects.create(last_name="Dupont3", first_name="Jeanne", sex="F", birth_date=date(1980, 5, 3),
                                   match_key=match_key("Dupont3", "Jeanne"))
    Pathway.objects.create(protocol=protocol, person=person, external_id="A3", entry_date=date(2014, 3, 3),
                           commune=commune_by_code(AIX))  # awaiting the coordinator's decision
    exits = {"exit_type": "cdi", "exit_date": "2014-09-01"}
    path = write(tmp_path, [row(1, **exits), row(2, **exits), row(3, **exits)], name="exits.csv")

    assert errors_of(protocol, path) == [
        (3, "exit_type", "Parcours « A2 » : Passage impossible de « Reporté sur le protocole suivant » à « Sorti »."),
        (4, "exit_type", "Parcours « A3 » : Passage impossible de « En attente de la décision d'éligibilité » à « Sorti »."),
    ]
    assert sorted(Pathway.objects.filter(protocol=protocol).values_list("external_id", "status", "exit_kind")) == [
        ("A1", "exited", "moved"), ("A2", "carried_over", ""), ("A3", "pending", "")]
