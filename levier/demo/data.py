"""The demo's fictitious records and its users, one per role.

Real organisations come from `levier organisations load-reference`; the
companies below are invented for the demo ("fictive" in their name), with
identifiers whose check key is valid.
"""

from levier.accounts.enums import Role
from levier.organisations.enums import IaeKind, OrganisationKind, OrganisationRole

R = OrganisationRole

# PLIE du Pays d'Aix, 2018-2022 (seed 002): the accompaniment contract in one lot per bassin de vie,
# held here by invented associations (lot, bassin code); `levier pathways load-demo` builds the structures.
PLIE_LOT_HOLDERS = [
    {"key": "demo-plie-lot-1", "lot": 1, "bassin": "pays-aix-centre",
     "name": "Parcours Emploi Aix Centre (association fictive)", "kind": OrganisationKind.ASSOCIATION},
    {"key": "demo-plie-lot-2", "lot": 2, "bassin": "pays-aix-sud",
     "name": "Tremplin Emploi Sud Pays d'Aix (association fictive)", "kind": OrganisationKind.ASSOCIATION},
    {"key": "demo-plie-lot-3", "lot": 3, "bassin": "pays-aix-val-de-durance",
     "name": "Passerelle Emploi Val de Durance (association fictive)", "kind": OrganisationKind.ASSOCIATION},
    {"key": "demo-plie-lot-4", "lot": 4, "bassin": "pays-aix-cotes-trevaresse",
     "name": "Cap Emploi Côtes et Trévaresse (association fictive)", "kind": OrganisationKind.ASSOCIATION},
    {"key": "demo-plie-lot-5", "lot": 5, "bassin": "pays-aix-haute-vallee-arc",
     "name": "Relais Emploi Haute Vallée de l'Arc (association fictive)", "kind": OrganisationKind.ASSOCIATION},
]

FICTITIOUS_ORGANISATIONS = [
    {"key": "demo-aci-pays-aix", "name": "Chantier d'insertion du Pays d'Aix (fictif)", "kind": OrganisationKind.ASSOCIATION,
     "roles": [R.IAE_STRUCTURE, R.EMPLOYER], "iae_kinds": [IaeKind.ACI]},
    {"key": "demo-apm", "name": "Ateliers provençaux de mécanique (entreprise fictive)", "kind": OrganisationKind.COMPANY,
     "siren": "901000018", "naf_code": "25.62A", "headcount": "42", "turnover": "6400000", "balance_sheet": "3900000",
     "roles": [R.BENEFICIARY, R.EMPLOYER],
     "establishments": [{"siret": "90100001800019", "commune": "13001", "name": "Atelier d'Aix-en-Provence", "is_head_office": True}]},
    {"key": "demo-durance-bois", "name": "Durance Bois Construction (entreprise fictive)", "kind": OrganisationKind.COMPANY,
     "siren": "901000026", "naf_code": "16.23Z", "headcount": "18", "roles": [R.BENEFICIARY],
     "establishments": [{"siret": "90100002600012", "commune": "84089", "name": "Scierie de Pertuis", "is_head_office": True}]},
    *PLIE_LOT_HOLDERS,
]

# email prefix, first name, last name, role, unit reference key, scope unit keys
USERS = [
    ("administrateur", "Claire", "Admin", Role.ADMINISTRATOR, "ddets-13-revitalisation", []),
    ("pilotage", "Paul", "Pilote", Role.STEERING, "ddets-13-revitalisation", []),
    ("instructeur", "Inès", "Instructrice", Role.OPERATOR_INSTRUCTOR, "airbus-developpement-fonds", []),
    ("editeur", "Émile", "Éditeur", Role.CATALOGUE_EDITOR, "metropole-amp-eco", []),
    ("coordinateur", "Corinne", "Coordinatrice", Role.PLIE_COORDINATOR, "plie-pays-aix", []),
    ("referent", "Rémi", "Référent", Role.REFERENT, "demo-plie-lot-1", []),
    ("relations-entreprises", "Rachida", "Relations", Role.EMPLOYER_RELATIONS, "plie-pays-aix", []),
    ("facilitateur", "Fabien", "Facilitateur", Role.CLAUSE_FACILITATOR, "plie-pays-aix", []),
    ("auditeur", "Aude", "Auditrice", Role.AUDITOR, "ddets-13-audit", ["airbus-developpement-fonds", "ampa"]),
    ("controleur-fse", "Fanny", "Contrôleuse", Role.FSE_CONTROLLER, "metropole-amp-fse-control", ["plie-pays-aix"]),
    ("entreprise", "Étienne", "Entrepreneur", Role.COMPANY, "demo-apm", []),
    ("comite", "Colette", "Banquière", Role.COMMITTEE_MEMBER, "ddets-13-revitalisation", []),
]
EMAIL_DOMAIN = "demo.levier.example"

# The other PLIE referents (seed 002: "7 sur 2020"), with `referent` above: email prefix, first name,
# last name, lot holder key. Created by `levier pathways load-demo`, same password rule.
PLIE_REFERENTS = [
    ("referent-centre", "Louise", "Aubanel", "demo-plie-lot-1"),
    ("referent-sud", "Karim", "Benali", "demo-plie-lot-2"),
    ("referent-sud-2", "Sandrine", "Castellan", "demo-plie-lot-2"),
    ("referent-durance", "Thomas", "Reynaud", "demo-plie-lot-3"),
    ("referent-trevaresse", "Nadia", "Ferrand", "demo-plie-lot-4"),
    ("referent-arc", "Julien", "Imbert", "demo-plie-lot-5"),
]
