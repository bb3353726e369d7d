"""The national referential as loaded by `levier territories load-reference`."""

import gzip
import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from levier.core.errors import InvalidInput
from levier.territories import edition, services
from levier.territories.enums import TerritoryKind
from levier.territories.models import Territory, TerritoryLink
from levier.territories.qpv_import import import_qpv_csv

pytestmark = pytest.mark.django_db


def commune(code):
    return Territory.objects.get(kind__in=["commune", "arrondissement"], code=code)


def test_edition_counts_match_the_published_count():
    assert Territory.objects.filter(kind=TerritoryKind.COMMUNE).count() == 34875
    assert Territory.objects.filter(kind=TerritoryKind.ARRONDISSEMENT).count() == 45
    assert Territory.objects.filter(kind=TerritoryKind.DEPARTEMENT).count() == 101


def test_load_reference_prints_counts_and_is_idempotent():
    before = TerritoryLink.objects.count()
    out = StringIO()
    call_command("territories", "load-reference", stdout=out)
    text = out.getvalue()
    assert "34\u202f875 communes actuelles" in text
    assert "45 arrondissements municipaux" in text
    assert TerritoryLink.objects.count() == before
    assert "0 appartenances ouvertes, 0 closes" in text


@pytest.mark.parametrize(("code", "name", "departement"), [("13001", "Aix-en-Provence", "13"), ("84089", "Pertuis", "84"),
                                                          ("2A004", "Ajaccio", "2A")])
def test_communes_resolve_by_insee_code(code, name, departement):
    territory = services.commune_by_code(code)
    assert territory.name == name
    assert services.departement_of(territory, date(2026, 1, 1)).code == departement


def test_unknown_insee_code_is_refused_with_the_field_named():
    with pytest.raises(InvalidInput) as exc:
        services.commune_by_code("99999")
    assert exc.value.errors[0].field == "code_insee"
    assert "inconnu" in exc.value.errors[0].message


def test_postcode_13001_resolves_to_marseille_first_arrondissement():
    assert [t.code for t in services.communes_by_postcode("13001")] == ["13201"]
    assert "13001" in [t.code for t in services.communes_by_postcode("13100")]  # shared postcode


def test_a_perimeter_containing_marseille_contains_its_16_arrondissements():
    marseille = commune("13055")
    composition = services.composition(marseille, date(2026, 1, 1))
    codes = set(Territory.objects.filter(id__in=composition.commune_ids).values_list("code", flat=True))
    assert {f"132{n:02d}" for n in range(1, 17)} <= codes
    assert services.contains(marseille, commune("13216"), date(2026, 1, 1))
    metropole = Territory.objects.get(kind="epci", code="200054807")
    assert services.contains(metropole, commune("13203"), date(2026, 1, 1))


def test_epci_types_come_from_the_edition_including_lyon_metropolis():
    types = set(Territory.objects.filter(kind="epci").exclude(code__startswith="H-").values_list("epci_type", flat=True))
    assert {"CA", "CC", "CU", "METRO", "MET69"} <= types
    assert Territory.objects.get(kind="epci", code="200046977").epci_type == "MET69"


def test_grand_orly_seine_bievre_is_an_ept():
    gosb = Territory.objects.get(kind="ept", name="Grand-Orly Seine Bièvre")
    assert len(services.composition(gosb, date(2026, 1, 1)).commune_ids) == 24


class TestPaysAix:
    def pays_aix(self):
        return Territory.objects.get(kind=TerritoryKind.PROJECT, code="pays-aix")

    def test_36_communes_over_two_departements_since_2014(self):
        composition = services.composition(self.pays_aix(), date(2018, 1, 1))
        assert len(composition.commune_ids) == 36
        assert composition.verified
        assert commune("84089").id in composition.commune_ids

    @pytest.mark.parametrize(("on", "count"), [(date(2013, 12, 31), 34), (date(2014, 1, 1), 36)])
    def test_gardanne_and_greasque_joined_in_january_2014(self, on, count):
        assert len(services.composition(self.pays_aix(), on).commune_ids) == count
        assert services.contains(self.pays_aix(), commune("13041"), on) is (count == 36)

    def test_five_bassins_de_vie(self):
        bassins = Territory.objects.filter(kind=TerritoryKind.BASSIN, code__startswith="pays-aix-")
        assert bassins.count() == 5
        centre = bassins.get(code="pays-aix-centre")
        assert services.contains(centre, commune("13001"), date(2020, 1, 1))
        assert not services.contains(centre, commune("84089"), date(2020, 1, 1))


def test_compositions_before_the_first_edition_are_marked_unverified():
    metropole = Territory.objects.get(kind="epci", code="200054807")
    assert services.composition(metropole, date(2026, 1, 1)).verified
    assert not services.composition(metropole, date(2015, 6, 1)).verified


def test_vanished_epci_of_seed_004_is_dated_and_has_a_successor():
    cap = Territory.objects.get(kind="epci", code="H-CAP-CALAISIS")
    assert cap.valid_to == date(2016, 12, 31)
    assert cap.successor.name == "CA Grand Calais Terres et Mers"
    assert services.contains(cap, commune("62193"), date(2016, 6, 1))
    assert not services.contains(cap, commune("62193"), date(2017, 1, 1))
    assert not services.composition(cap, date(2016, 6, 1)).verified


def test_search_ignores_accents_and_finds_by_postcode():
    assert services.search("eguilles")[0].code == "13032"
    assert services.search("PERTUIS")[0].code == "84089"
    assert "13201" in [t.code for t in services.search("13001")]


def _edition_copy(tmp_path: Path, mutate) -> Path:
    with gzip.open(edition.EDITION_FILE, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    mutate(data)
    target = tmp_path / "edition.json.gz"
    edition.write_edition(data, target)
    return target


def test_a_new_edition_dates_the_change_of_epci(tmp_path):
    """A commune that changes EPCI in a new edition leaves the old one the day before."""

    old_epci = services.epci_of(commune("84089"), date(2026, 6, 1))  # Métropole d'Aix-Marseille-Provence
    new_epci = services.epci_of(commune("84026"), date(2026, 6, 1))  # Cadenet's EPCI

    def move_pertuis(data):
        data["meta"]["edition"] = "2027"
        data["meta"]["effective_date"] = "2027-01-01"
        for row in data["epci"]:
            if row[0] == old_epci.code:
                row[3].remove("84089")
            if row[0] == new_epci.code:
                row[3].append("84089")

    summary = services.load_reference(edition_path=_edition_copy(tmp_path, move_pertuis))
    assert summary.links_opened == 1 and summary.links_closed == 1
    assert not services.contains(new_epci, commune("84089"), date(2026, 12, 31))
    assert services.contains(new_epci, commune("84089"), date(2027, 1, 1))
    assert services.contains(old_epci, commune("84089"), date(2026, 12, 31))
    assert not services.contains(old_epci, commune("84089"), date(2027, 1, 1))


def test_a_malformed_reference_file_is_refused_whole(tmp_path):
    def break_rows(data):
        data["communes"][0][0] = "ABCDE"
        data["communes"][1][2] = "00"

    before = Territory.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.load_reference(edition_path=_edition_copy(tmp_path, break_rows))
    fields = [e.field for e in exc.value.errors]
    assert "communes[0].code" in fields and "communes[1].departement" in fields
    assert Territory.objects.count() == before


def test_an_unreadable_reference_file_is_refused(tmp_path):
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(b"not gzip")
    with pytest.raises(InvalidInput) as exc:
        services.load_reference(edition_path=broken)
    assert exc.value.errors[0].field == "fichier"


class TestQpvImport:
    def test_official_csv_is_imported_with_multi_commune_qpv(self):
        content = "code_qp;lib_qp;insee_com\nQN01301M;Quartier Nord;13203,13214\nQN08401M;Centre ancien;84089\n"
        assert import_qpv_csv(content=content.encode(), generation=2024, source="test") == 2
        from levier.territories.models import Qpv

        qpv = Qpv.objects.get(code="QN01301M")
        assert qpv.verified and qpv.generation == 2024
        assert set(qpv.communes.values_list("code", flat=True)) == {"13203", "13214"}

    def test_every_row_error_is_listed_and_nothing_is_saved(self):
        from levier.territories.models import Qpv

        before = Qpv.objects.count()
        content = "code_qp;lib_qp;insee_com\nQN1;Un;99999\n;Deux;13001\nQN3;Trois;13001\n"
        with pytest.raises(InvalidInput) as exc:
            import_qpv_csv(content=content.encode(), generation=2024, source="test")
        fields = [e.field for e in exc.value.errors]
        assert fields == ["ligne 2.communes", "ligne 3.code"]
        assert Qpv.objects.count() == before

    def test_missing_columns_are_named(self):
        with pytest.raises(InvalidInput) as exc:
            import_qpv_csv(content=b"a;b\n1;2\n", generation=2024, source="test")
        assert {e.field for e in exc.value.errors} == {"colonnes.code", "colonnes.nom", "colonnes.communes"}


def test_build_data_command_rebuilds_the_file_from_the_npm_package(tmp_path):
    """The rebuild reads the package layout (package/data/*.json) and writes a loadable edition."""
    package = tmp_path / "package"
    (package / "data").mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"name": "@etalab/decoupage-administratif", "version": "9.9.9"}))
    files = {
        "regions": [{"code": "93", "nom": "Provence-Alpes-Côte d'Azur", "zone": "metro"}],
        "departements": [{"code": "13", "nom": "Bouches-du-Rhône", "region": "93", "zone": "metro"}],
        "communes": [
            {"code": "13001", "nom": "Aix-en-Provence", "type": "commune-actuelle", "zone": "metro", "departement": "13",
             "population": 1, "codesPostaux": ["13100"]},
            {"code": "98735", "nom": "Papeete", "type": "commune-actuelle", "zone": "com", "departement": "987"},
        ],
        "epci": [{"code": "200054807", "nom": "Métropole", "type": "METRO", "membres": [{"code": "13001"}]}],
        "ept": [],
    }
    for name, rows in files.items():
        (package / "data" / f"{name}.json").write_text(json.dumps(rows))
    output = tmp_path / "out.json.gz"
    out = StringIO()
    call_command("territories", "build-data", "--from", str(package), "--edition", "2099", "--effective-date",
                 "2099-01-01", "--output", str(output), stdout=out)
    built = edition.read_edition(output)
    assert [c[0] for c in built.communes] == ["13001"]  # overseas collectivities left out
    assert built.meta["source"].startswith("@etalab/decoupage-administratif@9.9.9")


def test_a_project_territory_of_any_communes_over_several_departements(tmp_path):
    path = tmp_path / "projet.json"
    path.write_text(json.dumps({"project_territories": [{
        "code": "durance-luberon", "name": "Durance-Luberon", "source": "test",
        "bassins": [{"code": "durance-luberon-nord", "name": "Nord", "communes": [
            "84089", {"code": "04112", "valid_from": "2020-01-01", "valid_to": "2022-12-31"}]}],
    }]}))
    out = StringIO()
    call_command("territories", "load-project", str(path), stdout=out)
    project = Territory.objects.get(kind="project", code="durance-luberon")
    assert services.contains(project, commune("04112"), date(2021, 6, 1))
    assert not services.contains(project, commune("04112"), date(2023, 1, 1))
    assert len(services.composition(project, date(2021, 6, 1)).commune_ids) == 2


def test_a_project_with_an_unknown_commune_is_refused_whole(tmp_path):
    path = tmp_path / "projet.json"
    path.write_text(json.dumps({"project_territories": [{
        "code": "faux", "name": "Faux", "source": "test",
        "bassins": [{"code": "faux-a", "name": "A", "communes": ["84089", "99999"]}],
    }]}))
    with pytest.raises(InvalidInput) as exc:
        services.load_project_territories(path=path)
    assert exc.value.errors[0].field.endswith("communes[1]")
    assert not Territory.objects.filter(code="faux").exists()


def test_cached_places_follow_a_new_project_territory(tmp_path):
    ivry = commune("94041")
    ids, keys = services.place_and_ancestors(ivry, date(2026, 11, 22))
    assert ("departement", "94") in keys and ivry.id in ids
    path = tmp_path / "projet.json"
    path.write_text(json.dumps({"project_territories": [{
        "code": "seine-amont", "name": "Seine-Amont", "source": "test",
        "bassins": [{"code": "seine-amont-a", "name": "A", "communes": ["94041"]}],
    }]}))
    services.load_project_territories(path=path)
    _, keys = services.place_and_ancestors(ivry, date(2026, 11, 22))
    assert ("project", "seine-amont") in keys and ("bassin", "seine-amont-a") in keys
