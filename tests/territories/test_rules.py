from datetime import date

import pytest

from levier.territories.rules import is_insee_code, is_rural, is_valid_on, normalize_name


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "on", "expected"),
    [
        (None, None, date(2013, 6, 1), True),
        (date(2014, 1, 1), None, date(2013, 12, 31), False),
        (date(2014, 1, 1), None, date(2014, 1, 1), True),
        (None, date(2016, 12, 31), date(2016, 12, 31), True),
        (None, date(2016, 12, 31), date(2017, 1, 1), False),
        (date(2014, 1, 1), date(2014, 1, 1), date(2014, 1, 1), True),
    ],
)
def test_membership_holds_between_its_bounds_inclusive(valid_from, valid_to, on, expected):
    assert is_valid_on(valid_from, valid_to, on) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Saint-Paul-lès-Durance", "saint paul les durance"),
        ("Éguilles", "eguilles"),
        ("La Roque-d'Anthéron", "la roque d antheron"),
        ("St Cannat", "saint cannat"),
        ("Ste-Maxime", "sainte maxime"),
        ("  AIX-EN-PROVENCE ", "aix en provence"),
    ],
)
def test_names_are_compared_without_accents_case_or_punctuation(name, expected):
    assert normalize_name(name) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [("13001", True), ("2A004", True), ("2B033", True), ("97411", True), ("2C004", False), ("1300", False),
     ("130011", False), ("", False), ("AB001", False)],
)
def test_insee_codes_have_five_characters_with_corsica(code, expected):
    assert is_insee_code(code) is expected


@pytest.mark.parametrize(("population", "expected"), [(1999, True), (2000, False), (0, True), (None, None)])
def test_rural_means_fewer_than_2000_inhabitants(population, expected):
    assert is_rural(population) is expected
