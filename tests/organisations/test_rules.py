from decimal import Decimal

import pytest

from levier.organisations.enums import SizeCategory
from levier.organisations.rules import naf_section, rna_error, siren_error, siret_error, size_category

M = Decimal("1000000")


@pytest.mark.parametrize("value", ["200054807", "356000000", "732 829 320"])
def test_valid_sirens_pass(value):
    assert siren_error(value) is None


@pytest.mark.parametrize(("value", "fragment"), [("200054808", "clé de contrôle"), ("12345", "9 chiffres"), ("", "9 chiffres")])
def test_invalid_sirens_are_explained(value, fragment):
    assert fragment in siren_error(value)


def test_the_seed_siret_of_the_metropole_is_valid():
    assert siret_error("20005480700017") is None
    assert "clé de contrôle" in siret_error("20005480700018")
    assert "14 chiffres" in siret_error("2000548070001")


def test_rna_numbers():
    assert rna_error("W133012345") is None
    assert rna_error("133012345") is not None


@pytest.mark.parametrize(("code", "section"), [("25.62A", "C"), ("10.71C", "C"), ("33.20A", "C"), ("62.01Z", "J"),
                                               ("01.11Z", "A"), ("88.99B", "Q"), ("bad", None)])
def test_naf_section(code, section):
    assert naf_section(code) == section


class TestSizeCategory:
    """Décret 2008-1354: headcount below the bound AND (turnover OR balance sheet) within bounds."""

    @pytest.mark.parametrize(
        ("headcount", "turnover", "balance", "category"),
        [
            (9, 2 * M, None, SizeCategory.MICRO),
            (9, Decimal("2000000.01"), 2 * M, SizeCategory.MICRO),  # balance sheet saves it
            (10, 1 * M, 1 * M, SizeCategory.PME),
            (249, 50 * M, None, SizeCategory.PME),
            (249, Decimal("50000000.01"), 43 * M, SizeCategory.PME),
            (249, Decimal("50000000.01"), Decimal("43000000.01"), SizeCategory.ETI),
            (250, 10 * M, 10 * M, SizeCategory.ETI),
            (4999, 1500 * M, None, SizeCategory.ETI),
            (5000, 1 * M, 1 * M, SizeCategory.GE),
            (100, 2000 * M, 2001 * M, SizeCategory.GE),
        ],
    )
    def test_thresholds(self, headcount, turnover, balance, category):
        result = size_category(headcount, turnover, balance)
        assert result.category == category
        assert not result.estimated

    def test_headcount_alone_gives_an_estimate(self):
        result = size_category(42, None, None)
        assert result.category == SizeCategory.PME
        assert result.estimated
        assert result.label == "PME — estimée (effectif seul)"
        assert result.is_sme is True

    def test_turnover_above_50m_without_balance_sheet_is_undecided(self):
        result = size_category(100, Decimal("60000000"), None)
        assert result.category is None
        assert result.possible == (SizeCategory.PME, SizeCategory.ETI)
        assert result.is_sme is None
        assert "total de bilan" in result.explanation

    def test_unknown_headcount_is_undecided(self):
        assert size_category(None, M, M).category is None

    def test_money_must_be_decimal(self):
        with pytest.raises(TypeError):
            size_category(10, 1000000.0, None)
