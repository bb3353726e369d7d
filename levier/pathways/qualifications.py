"""Qualification levels: the old French nomenclature (I to VI, V bis — the seed protocols') and the
2019 one (1 to 8), stored as given and mapped to ISCED and to the report keys of either nomenclature."""

from dataclasses import dataclass

OLD, NEW = "1969", "2019"
OLD_LEVELS = ("I", "II", "III", "IV", "V", "Vbis", "VI")
NEW_LEVELS = tuple(str(n) for n in range(1, 9))
# ISCED 2011 levels as (lowest, highest), per ../shared/domain/fse-indicators.md.
OLD_TO_ISCED = {"VI": (0, 2), "Vbis": (0, 2), "V": (3, 3), "IV": (3, 3), "III": (5, 5), "II": (6, 6), "I": (7, 8)}
NEW_TO_ISCED = {"1": (0, 1), "2": (2, 2), "3": (3, 3), "4": (3, 3), "5": (5, 5), "6": (6, 6), "7": (7, 7), "8": (8, 8)}
LEVELS = {OLD: OLD_LEVELS, NEW: NEW_LEVELS}
# A report counts levels in its protocol's nomenclature; a level of the other one is counted under the key
# given here. Old reports (issue 5): 1–2 → Vbis_VI, 3 → V, 4 → IV, 5 → III, 6 → II, 7–8 → I. 2019 reports:
# the old levels with one counterpart take it (V → 3, IV → 4, III → 5, II → 6); V bis and VI (below 3)
# and I (7 or 8) are counted under the grouped keys 1_2 and 7_8.
REPORT_KEY_OF = {
    OLD: {"1": "Vbis_VI", "2": "Vbis_VI", "3": "V", "4": "IV", "5": "III", "6": "II", "7": "I", "8": "I"},
    NEW: {"VI": "1_2", "Vbis": "1_2", "V": "3", "IV": "4", "III": "5", "II": "6", "I": "7_8"},
}
# The grouped keys of a report, each also holding the levels it names.
REPORT_GROUPS = {OLD: {"Vbis_VI": ("Vbis", "VI")}, NEW: {"1_2": ("1", "2"), "7_8": ("7", "8")}}
ALIASES = {"V BIS": "Vbis", "VBIS": "Vbis", "V_BIS": "Vbis", "V-BIS": "Vbis"}


@dataclass(frozen=True)
class Qualification:
    level: str  # as stored: "IV", "Vbis", "3"…
    nomenclature: str  # "1969" (old) or "2019"

    @property
    def isced(self) -> tuple[int, int]:
        return (OLD_TO_ISCED if self.nomenclature == OLD else NEW_TO_ISCED)[self.level]

    @property
    def isced_group(self) -> str:
        """The FSE indicators' groups: "0-2", "3-4" or "5-8"."""
        low, high = self.isced
        return "0-2" if high <= 2 else ("3-4" if high <= 4 else "5-8")

    def report_key(self, nomenclature: str) -> str:
        """The key this level is counted under in a report in `nomenclature` (REPORT_KEY_OF)."""
        return self.level if self.nomenclature == nomenclature else REPORT_KEY_OF[nomenclature][self.level]


def parse_level(text: str) -> Qualification:
    """"IV", "V bis", "vbis", "6"… → a Qualification; ValueError with a French message otherwise."""
    value = (text or "").strip()
    key = ALIASES.get(value.upper().replace("  ", " "), value.upper() if value.upper() in OLD_LEVELS else value)
    if key in OLD_LEVELS:
        return Qualification(key, OLD)
    if key in NEW_LEVELS:
        return Qualification(key, NEW)
    raise ValueError(f"Niveau de qualification inconnu : « {text} » (I à VI, V bis, ou 1 à 8).")
