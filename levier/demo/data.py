"""The demo's organisations and users, built from the seeds.

Real organisations named by the seeds carry a SIREN or SIRET only when the
seeds or the official referential give it (Métropole: 200054807 and
20005480700017, seed 002; Ville de Marseille: 211300553, Etalab referential);
otherwise it is left empty. Companies marked "(fictive)" are invented for the
demo, with identifiers whose check key is valid.
"""

from levier.accounts.enums import Role
from levier.organisations.enums import IaeKind, OrganisationKind, OrganisationRole

R = OrganisationRole

ORGANISATIONS = [
    {"key": "ddets13", "name": "DDETS des Bouches-du-Rhône", "kind": OrganisationKind.STATE_SERVICE,
     "roles": [R.FINANCER], "units": [
         {"key": "ddets-revitalisation", "name": "Service revitalisation et fonds mutualisés", "territories": [("departement", "13")]},
         {"key": "ddets-audit", "name": "Mission d'audit et de contrôle interne", "territories": [("departement", "13")]},
     ]},
    {"key": "metropole", "name": "Métropole d'Aix-Marseille-Provence", "kind": OrganisationKind.PUBLIC_BODY,
     "siren": "200054807", "roles": [R.FINANCER, R.CONTRACTING_AUTHORITY, R.OPERATOR],
     "establishments": [{"siret": "20005480700017", "commune": "13055", "name": "Siège de la Métropole", "is_head_office": True}],
     "units": [
         {"key": "plie", "name": "PLIE du Pays d'Aix", "territories": [("project", "pays-aix")]},
         {"key": "fse-control", "name": "Service de contrôle FSE (Organisme intermédiaire)", "territories": [("epci", "200054807")]},
         {"key": "metropole-eco", "name": "Direction du développement économique", "territories": [("epci", "200054807")]},
     ]},
    {"key": "pad", "name": "Pays d'Aix Développement", "kind": OrganisationKind.ASSOCIATION, "roles": [R.OPERATOR],
     "units": [{"key": "ampa", "name": "Fonds AMPA", "territories": [("project", "pays-aix")]}]},
    {"key": "airbus-dev", "name": "Airbus Développement", "kind": OrganisationKind.COMPANY, "roles": [R.OPERATOR],
     "units": [{"key": "airbus-fund", "name": "Fonds de revitalisation Airbus Développement", "territories": [("departement", "13")]}]},
    {"key": "adie", "name": "ADIE", "kind": OrganisationKind.ASSOCIATION, "roles": [R.OPERATOR],
     "units": [{"key": "adie-paca", "name": "ADIE Provence-Alpes-Côte d'Azur", "territories": [("region", "93")]}]},
    {"key": "katalyse", "name": "Katalyse", "kind": OrganisationKind.COMPANY, "roles": [R.OPERATOR]},
    {"key": "alixio", "name": "Alixio", "kind": OrganisationKind.COMPANY, "roles": [R.OPERATOR]},
    {"key": "france-active", "name": "France Active PACA", "kind": OrganisationKind.ASSOCIATION, "roles": [R.OPERATOR, R.FINANCER]},
    {"key": "cci94", "name": "CCI Val-de-Marne", "kind": OrganisationKind.PUBLIC_BODY, "roles": [R.OPERATOR]},
    {"key": "cdc", "name": "Caisse des Dépôts", "kind": OrganisationKind.PUBLIC_BODY, "roles": [R.FINANCER]},
    {"key": "marseille", "name": "Ville de Marseille", "kind": OrganisationKind.PUBLIC_BODY, "siren": "211300553",
     "roles": [R.FINANCER, R.CONTRACTING_AUTHORITY]},
    {"key": "gosb", "name": "Établissement public territorial Grand-Orly Seine Bièvre", "kind": OrganisationKind.PUBLIC_BODY,
     "roles": [R.FINANCER]},
    {"key": "wimoov", "name": "WIMOOV", "kind": OrganisationKind.ASSOCIATION, "roles": [R.OPERATOR]},
    {"key": "france-travail", "name": "France Travail", "kind": OrganisationKind.PUBLIC_BODY, "roles": [R.PRESCRIBER]},
    {"key": "eu", "name": "Union européenne — Fonds social européen +", "kind": OrganisationKind.EU_INSTITUTION,
     "roles": [R.FINANCER]},
    {"key": "aci-demo", "name": "Chantier d'insertion du Pays d'Aix (fictif)", "kind": OrganisationKind.ASSOCIATION,
     "roles": [R.IAE_STRUCTURE, R.EMPLOYER], "iae_kinds": [IaeKind.ACI]},
    {"key": "apm", "name": "Ateliers provençaux de mécanique (entreprise fictive)", "kind": OrganisationKind.COMPANY,
     "siren": "901000018", "naf_code": "25.62A", "headcount": "42", "turnover": "6400000", "balance_sheet": "3900000",
     "roles": [R.BENEFICIARY, R.EMPLOYER],
     "establishments": [{"siret": "90100001800019", "commune": "13001", "name": "Atelier d'Aix-en-Provence", "is_head_office": True}]},
    {"key": "durance-bois", "name": "Durance Bois Construction (entreprise fictive)", "kind": OrganisationKind.COMPANY,
     "siren": "901000026", "naf_code": "16.23Z", "headcount": "18", "roles": [R.BENEFICIARY],
     "establishments": [{"siret": "90100002600012", "commune": "84089", "name": "Scierie de Pertuis", "is_head_office": True}]},
]

# email prefix, first name, last name, role, unit key, scope unit keys
USERS = [
    ("administrateur", "Claire", "Admin", Role.ADMINISTRATOR, "ddets-revitalisation", []),
    ("pilotage", "Paul", "Pilote", Role.STEERING, "ddets-revitalisation", []),
    ("instructeur", "Inès", "Instructrice", Role.OPERATOR_INSTRUCTOR, "airbus-fund", []),
    ("editeur", "Émile", "Éditeur", Role.CATALOGUE_EDITOR, "metropole-eco", []),
    ("coordinateur", "Corinne", "Coordinatrice", Role.PLIE_COORDINATOR, "plie", []),
    ("referent", "Rémi", "Référent", Role.REFERENT, "plie", []),
    ("relations-entreprises", "Rachida", "Relations", Role.EMPLOYER_RELATIONS, "plie", []),
    ("facilitateur", "Fabien", "Facilitateur", Role.CLAUSE_FACILITATOR, "plie", []),
    ("auditeur", "Aude", "Auditrice", Role.AUDITOR, "ddets-audit", ["airbus-fund", "ampa"]),
    ("controleur-fse", "Fanny", "Contrôleuse", Role.FSE_CONTROLLER, "fse-control", ["plie"]),
    ("entreprise", "Étienne", "Entrepreneur", Role.COMPANY, "apm", []),
]
EMAIL_DOMAIN = "demo.levier.example"
