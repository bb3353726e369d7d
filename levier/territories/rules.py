"""Pure rules of the territory referential: no ORM, no clock."""

import re
import unicodedata
from datetime import date
from functools import lru_cache

RURAL_POPULATION_THRESHOLD = 2000
INSEE_CODE = re.compile(r"^(?:\d{2}|2A|2B)\d{3}$")
POSTCODE = re.compile(r"^\d{5}$")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}


def is_valid_on(valid_from: date | None, valid_to: date | None, on: date) -> bool:
    """A dated membership holds on `on` when valid_from ≤ on ≤ valid_to (open bounds allowed)."""
    return (valid_from is None or valid_from <= on) and (valid_to is None or on <= valid_to)


@lru_cache(maxsize=16_384)  # imports normalise the same names again and again
def normalize_name(name: str) -> str:
    """'Saint-Paul-lès-Durance' → 'saint paul les durance'; 'St Cannat' → 'saint cannat'.

    Used for lookups by name without accents, hyphens, apostrophes or case.
    """
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


def is_insee_code(code: str) -> bool:
    """INSEE commune codes are 5 characters: 2 digits (or 2A/2B for Corsica) then 3 digits."""
    return bool(INSEE_CODE.match(code or ""))


def is_rural(population: int | None) -> bool | None:
    """Rural commune: fewer than 2 000 inhabitants (INSEE's former urban-unit threshold).

    INSEE's density grid is not available through the package registries; this
    fallback is documented in docs/decisions/0005-territory-referential.md.
    """
    if population is None:
        return None
    return population < RURAL_POPULATION_THRESHOLD
