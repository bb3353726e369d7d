"""The facts a rule may read, with their type and French label.

Facts describe the applicant (`beneficiary.*`) and its project (`project.*`).
Territory membership is precomputed by the service as the set of territories
containing the establishment's commune (or the residence) at the `as_of` date,
so that the rules stay pure.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

DECIMAL, INTEGER, TEXT, BOOLEAN = "decimal", "integer", "text", "boolean"

FACTS: dict[str, tuple[str, str]] = {
    "beneficiary.kind": (TEXT, "type de bénéficiaire"),
    "beneficiary.headcount": (DECIMAL, "effectif"),
    "beneficiary.turnover_eur": (DECIMAL, "chiffre d'affaires"),
    "beneficiary.balance_sheet_eur": (DECIMAL, "total de bilan"),
    "beneficiary.naf": (TEXT, "code NAF"),
    "beneficiary.qpv": (BOOLEAN, "établissement en QPV"),
    "beneficiary.residence_qpv": (BOOLEAN, "résidence en QPV"),
    "project.net_cdi_jobs_24m": (INTEGER, "emplois nets en CDI créés sous 24 mois"),
    "project.investment_eur": (DECIMAL, "investissement prévu"),
    "project.consulting_cost_eur": (DECIMAL, "coût de conseil prévu"),
}
NUMERIC = {DECIMAL, INTEGER}


def label(fact: str) -> str:
    return FACTS[fact][1]


@dataclass(frozen=True)
class Facts:
    as_of: date
    values: dict[str, object] = field(default_factory=dict)
    # (kind, code) of every territory containing the establishment's commune, resp. the residence.
    places: frozenset[tuple[str, str]] = frozenset()
    residence_places: frozenset[tuple[str, str]] = frozenset()
    has_place: bool = False
    has_residence: bool = False

    def get(self, fact: str):
        return self.values.get(fact)

    def number(self, fact: str) -> Decimal | None:
        value = self.values.get(fact)
        return None if value is None else Decimal(value)
