"""The demo's fictitious records and its users, one per role.

Real organisations come from `levier organisations load-reference`; the
companies below are invented for the demo ("fictive" in their name), with
identifiers whose check key is valid.
"""

from levier.accounts.enums import Role
from levier.organisations.enums import IaeKind, OrganisationKind, OrganisationRole

R = OrganisationRole

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
]

# email prefix, first name, last name, role, unit reference key, scope unit keys
USERS = [
    ("administrateur", "Claire", "Admin", Role.ADMINISTRATOR, "ddets-13-revitalisation", []),
    ("pilotage", "Paul", "Pilote", Role.STEERING, "ddets-13-revitalisation", []),
    ("instructeur", "Inès", "Instructrice", Role.OPERATOR_INSTRUCTOR, "airbus-developpement-fonds", []),
    ("editeur", "Émile", "Éditeur", Role.CATALOGUE_EDITOR, "metropole-amp-eco", []),
    ("coordinateur", "Corinne", "Coordinatrice", Role.PLIE_COORDINATOR, "plie-pays-aix", []),
    ("referent", "Rémi", "Référent", Role.REFERENT, "plie-pays-aix", []),
    ("relations-entreprises", "Rachida", "Relations", Role.EMPLOYER_RELATIONS, "plie-pays-aix", []),
    ("facilitateur", "Fabien", "Facilitateur", Role.CLAUSE_FACILITATOR, "plie-pays-aix", []),
    ("auditeur", "Aude", "Auditrice", Role.AUDITOR, "ddets-13-audit", ["airbus-developpement-fonds", "ampa"]),
    ("controleur-fse", "Fanny", "Contrôleuse", Role.FSE_CONTROLLER, "metropole-amp-fse-control", ["plie-pays-aix"]),
    ("entreprise", "Étienne", "Entrepreneur", Role.COMPANY, "demo-apm", []),
    ("comite", "Colette", "Banquière", Role.COMMITTEE_MEMBER, "ddets-13-revitalisation", []),
]
EMAIL_DOMAIN = "demo.levier.example"
