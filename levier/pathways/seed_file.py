"""Generator of a participants file matching seed 002's 2013-2017 results (PLIE du Pays d'Aix).

Seed 002 publishes aggregates only; this builds record-level rows (invented names, deterministic) whose
import into `plie-pays-aix-2013-2017` gives exactly its table: 6 491 participants, 3 156 women and 3 335
men, 4 804 RSA, 76 % long-term unemployed, 12 % QPV residents, levels IV 1 168 / V 2 012 / V bis and VI
2 142, prescribers Pôle insertion 389, Pôle emploi 1 882, CCAS 454, BME 1 233 and CAF 23 %, 1 878
positive exits of which 1 314 RSA, 613 CDI and 833 CDD. What the seed does not give (the other levels
and prescribers, interim, business creation and training exits, exits without a job) is invented and
stays within its totals. `levier pathways seed-file OUT.csv` writes it.
"""

import csv
import random
from datetime import date, timedelta
from pathlib import Path

from levier.core.dates import add_months

PARTICIPANTS = 6491
WOMEN = 3156
RSA = 4804
LONG_TERM = 4933  # 76,0 % of 6 491
QPV = 779  # 12,0 %
LEVELS = {"IV": 1168, "V": 2012, "Vbis": 1100, "VI": 1042, "III": 520, "II": 310, "I": 120}  # unknown: the rest (219)
PRESCRIBERS = {"pole_insertion": 389, "pole_emploi": 1882, "ccas": 454, "bme": 1233, "caf": 1493,  # CAF 23,0 %
               "mission_locale": 310, "cap_emploi": 190}  # other: the rest (540)
POSITIVE = {"cdi": 613, "cdd": 833, "interim": 262, "business_creation": 58, "training": 112}  # 1 878
POSITIVE_RSA = 1314
NOT_VALIDATED = {"cdd": 90, "interim": 40}  # exits of a positive kind that were never validated
OTHER_EXITS = {"dropout": 1180, "moved": 290, "other": 410, "retirement": 45, "death": 9}

COMMUNES = ["13001", "13095", "13111", "13109", "13117", "13071", "13019", "13015", "13107", "13062", "13048", "13080",
            "13059", "84089", "13074", "13093", "13099", "13113", "13084", "13050", "13082", "13091", "13032", "13114",
            "13118", "13012", "13025", "13040", "13072", "13087", "13079", "13090", "13110", "13060"]
JOINED_2014 = ["13041", "13046"]  # Gardanne and Gréasque, members from 01/01/2014
QPV_COMMUNES = ["13001", "13117", "84089", "13041"]  # Aix, Vitrolles, Pertuis, Gardanne (seed 002)
START, END = date(2013, 1, 1), date(2017, 12, 31)

LAST_NAMES = ["Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
              "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard",
              "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefèvre", "Faure", "André",
              "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier",
              "Garcia", "Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier",
              "Masson", "Marchand", "Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour",
              "Meunier", "Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier",
              "Arnaud", "Martinez", "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal",
              "Caron", "Picard", "Roger", "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier",
              "Philippe", "Bourgeois", "Pierre", "Benoît", "Rey", "Leclerc", "Payet", "Rolland", "Leclercq", "Guillaume",
              "Lecomte", "Lopez", "Jean", "Dupuy", "Guillot", "Hubert", "Berger", "Carpentier", "Sanchez", "Dupuis",
              "Moulin", "Louis", "Deschamps", "Huet", "Vasseur", "Perez", "Boucher", "Fleury", "Royer", "Klein"]
WOMEN_NAMES = ["Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Sandrine", "Christine", "Véronique", "Sophie",
               "Céline", "Nadia", "Fatima", "Samia", "Karima", "Aurélie", "Julie", "Laetitia", "Stéphanie", "Émilie",
               "Audrey", "Mélanie", "Vanessa", "Linda", "Malika", "Yasmina", "Chantal", "Patricia", "Corinne"]
MEN_NAMES = ["Jean", "Philippe", "Michel", "Alain", "Patrick", "Nicolas", "Christophe", "Pierre", "Laurent", "Frédéric",
             "Mohamed", "Karim", "Rachid", "Sébastien", "Julien", "David", "Stéphane", "Éric", "Thierry", "Olivier",
             "Mehdi", "Youssef", "Kevin", "Anthony", "Jérôme", "Franck", "Bruno", "Didier"]

HEADER = ["external_id", "last_name", "first_name", "sex", "birth_date", "commune_insee", "entry_date", "qpv",
          "prescriber_type", "rsa", "long_term_unemployed", "rqth", "qualification_level", "exit_date", "exit_type",
          "exit_validated"]


def _spread(rng: random.Random, counts: dict, total: int, rest) -> list:
    values = [key for key, n in counts.items() for _ in range(n)]
    values += [rest] * (total - len(values))
    rng.shuffle(values)
    return values


def _day(rng: random.Random, low: date, high: date) -> date:
    return low + timedelta(days=rng.randint(0, (high - low).days))


def seed_rows(seed: int = 2002) -> list[dict]:
    """The 6 491 rows, deterministic for a given seed."""
    rng = random.Random(seed)
    n = PARTICIPANTS
    exits = ([(k, 1) for k, c in POSITIVE.items() for _ in range(c)] + [(k, 0) for k, c in NOT_VALIDATED.items()
                                                                        for _ in range(c)]
             + [(k, "") for k, c in OTHER_EXITS.items() for _ in range(c)])
    exits += [(None, None)] * (n - len(exits))
    rng.shuffle(exits)
    positive_rows = [i for i, (_, validated) in enumerate(exits) if validated == 1]
    rsa = [False] * n
    for i in rng.sample(positive_rows, POSITIVE_RSA):
        rsa[i] = True
    others = [i for i in range(n) if exits[i][1] != 1]
    for i in rng.sample(others, RSA - POSITIVE_RSA):
        rsa[i] = True
    sexes = _spread(rng, {"F": WOMEN}, n, "M")
    long_term = _spread(rng, {"1": LONG_TERM}, n, "0")
    qpv = _spread(rng, {"1": QPV}, n, "0")
    levels = _spread(rng, LEVELS, n, "")
    prescribers = _spread(rng, PRESCRIBERS, n, "other")
    seen, rows = set(), []
    for i in range(n):
        kind, validated = exits[i]
        # A validated exit needs room for its six months inside the period.
        entry = _day(rng, START, date(2017, 3, 31) if validated == 1 else (date(2017, 11, 30) if kind else END))
        communes = COMMUNES + (JOINED_2014 if entry >= date(2014, 1, 1) else [])
        commune = rng.choice([c for c in QPV_COMMUNES if c in communes]) if qpv[i] == "1" else rng.choice(communes)
        while True:
            last = rng.choice(LAST_NAMES)
            first = rng.choice(WOMEN_NAMES if sexes[i] == "F" else MEN_NAMES)
            birth = _day(rng, date(1955, 1, 1), date(1996, 12, 31))
            if (last, first, birth, commune) not in seen:
                seen.add((last, first, birth, commune))
                break
        exit_date = ""
        if kind is not None:
            low = add_months(entry, 6) if validated == 1 else entry + timedelta(days=1)
            exit_date = _day(rng, low, min(END, add_months(entry, 30))).isoformat()
        rows.append({
            "external_id": f"AIX-{i + 1:05d}", "last_name": last, "first_name": first, "sex": sexes[i],
            "birth_date": birth.isoformat() if i % 3 else birth.strftime("%d/%m/%Y"), "commune_insee": commune,
            "entry_date": entry.isoformat(), "qpv": qpv[i], "prescriber_type": prescribers[i], "rsa": "1" if rsa[i] else "0",
            "long_term_unemployed": long_term[i], "rqth": "1" if rng.random() < 0.08 else "0",
            "qualification_level": levels[i], "exit_date": exit_date, "exit_type": kind or "",
            "exit_validated": "" if validated in (None, "") else str(validated),
        })
    return rows


def write_seed_file(path: Path, *, seed: int = 2002, delimiter: str = ";") -> int:
    rows = seed_rows(seed)
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)
