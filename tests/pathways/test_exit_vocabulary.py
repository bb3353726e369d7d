"""The exit vocabulary is spelled once (levier.pathways.enums): every kind is classified, the import file and its
page name each kind a user may write, and the rules classify exactly the positive kinds."""

from levier.pathways import imports, rules
from levier.pathways.enums import (CATEGORY_OF_KIND, EMPLOYMENT_EXIT_KINDS, FILE_EXIT_KINDS, OTHER_EXIT_KINDS,
                                   POSITIVE_EXIT_KINDS, ExitKind)


def test_every_exit_kind_is_positive_other_or_a_committee_decision():
    assert set(POSITIVE_EXIT_KINDS) | set(OTHER_EXIT_KINDS) | {ExitKind.COMMITTEE} == set(ExitKind.values)
    assert not set(POSITIVE_EXIT_KINDS) & set(OTHER_EXIT_KINDS)


def test_each_positive_kind_has_its_category_and_the_rules_classify_those_kinds_only():
    assert set(CATEGORY_OF_KIND) == set(POSITIVE_EXIT_KINDS) == set(rules.KINDS)
    assert ExitKind.TRAINING not in EMPLOYMENT_EXIT_KINDS and ExitKind.BUSINESS_CREATION in EMPLOYMENT_EXIT_KINDS


def test_the_import_accepts_and_explains_every_kind_but_a_committee_decision():
    assert set(imports.EXIT_TYPES) == set(FILE_EXIT_KINDS) == set(ExitKind.values) - {ExitKind.COMMITTEE}
    explained = dict(imports.COLUMN_HELP["exit_type"][1])
    assert set(explained) == set(FILE_EXIT_KINDS)
    assert explained["dropout"] == "Abandon"
