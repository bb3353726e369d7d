import pytest

from levier.pathways.qualifications import parse_level


@pytest.mark.parametrize(("text", "stored", "nomenclature", "report", "group"), [
    ("IV", "IV", "1969", "IV", "3-4"), ("V bis", "Vbis", "1969", "Vbis", "0-2"), ("vbis", "Vbis", "1969", "Vbis", "0-2"),
    ("VI", "VI", "1969", "VI", "0-2"), ("I", "I", "1969", "I", "5-8"), ("1", "1", "2019", "Vbis_VI", "0-2"),
    ("2", "2", "2019", "Vbis_VI", "0-2"), ("3", "3", "2019", "V", "3-4"), ("4", "4", "2019", "IV", "3-4"),
    ("5", "5", "2019", "III", "5-8"), ("6", "6", "2019", "II", "5-8"), ("7", "7", "2019", "I", "5-8"), ("8", "8", "2019", "I", "5-8"),
])
def test_levels_are_kept_as_given_and_mapped(text, stored, nomenclature, report, group):
    level = parse_level(text)
    assert (level.level, level.nomenclature, level.report_key("1969"), level.isced_group) == (stored, nomenclature, report, group)


@pytest.mark.parametrize("text", ["", "9", "VII", "bac"])
def test_unknown_levels_are_refused_in_french(text):
    with pytest.raises(ValueError, match="Niveau de qualification inconnu"):
        parse_level(text)
