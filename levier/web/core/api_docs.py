"""The API's documentation as a page of the site: its OpenAPI schema (drf-spectacular) read as endpoints
grouped by domain, in French, with the State design system — no third-party script, no CDN. Tools read
the machine schema at /api/schema/."""

import functools

from django.shortcuts import render

DOMAINS = {"aids": "Guide des aides et simulateur", "funding": "Fonds, conventions et règles de calcul",
           "pathways": "Parcours PLIE", "territories": "Territoires", "organisations": "Organisations",
           "membership-requests": "Demandes d'accès", "me": "Compte", "postcodes": "Territoires", "qpv": "Territoires",
           "smic": "Référentiels"}
METHODS = ("get", "post", "put", "patch", "delete")
# What each endpoint does, for its readers (the views' docstrings are the developers', in English). A new
# endpoint without its sentence here fails tests/core/test_api_docs.py.
DESCRIPTIONS = {
    ("GET", "/api/v1/me/"): "Le compte connecté, ses rôles et ses périmètres.",
    ("GET", "/api/v1/membership-requests/"): "Les demandes d'accès à une organisation que vous pouvez voir.",
    ("POST", "/api/v1/membership-requests/{id}/decide/"): "Accepter ou refuser une demande d'accès, avec son motif.",
    ("GET", "/api/v1/funding/applications/"): "Les demandes d'aide en instruction que vous pouvez voir.",
    ("GET", "/api/v1/funding/applications/{id}/"): "Une demande en instruction et les actions que vous pouvez faire.",
    ("POST", "/api/v1/funding/applications/{id}/transitions/"): "Faire une action de l'instruction (commencer, "
                                                                 "accorder, verser une tranche…).",
    ("GET", "/api/v1/funding/commitments/"): "Les engagements (subventions, prêts) que vous pouvez voir.",
    ("GET", "/api/v1/funding/commitments/{id}/"): "Un engagement, avec ses conditions de prêt et son régime de minimis.",
    ("GET", "/api/v1/funding/conventions/"): "Les conventions de revitalisation que vous pouvez voir.",
    ("GET", "/api/v1/funding/conventions/{id}/"): "Une convention de revitalisation.",
    ("POST", "/api/v1/funding/de-minimis"): "Le plafond de minimis d'une nouvelle aide pour une entreprise unique.",
    ("GET", "/api/v1/funding/entries/"): "Les écritures du grand livre des fonds que vous pouvez voir.",
    ("GET", "/api/v1/funding/entries/{id}/"): "Une écriture du grand livre.",
    ("GET", "/api/v1/funding/funds/"): "Les fonds et programmes que vous pouvez voir, avec leurs soldes.",
    ("GET", "/api/v1/funding/funds/{slug}/"): "Un fonds et ses soldes.",
    ("POST", "/api/v1/funding/loan"): "L'échéancier d'un prêt, ses taux de référence et d'actualisation, son "
                                      "équivalent-subvention brut.",
    ("POST", "/api/v1/funding/obligation"): "L'obligation de revitalisation d'une entreprise : montant, échéance, "
                                            "contribution au Trésor.",
    ("GET", "/api/v1/aids/schemes/"): "Rechercher dans le guide des aides.",
    ("GET", "/api/v1/aids/schemes/{slug}/"): "Un dispositif du guide des aides et ses règles.",
    ("POST", "/api/v1/aids/simulate"): "Simuler les aides accessibles à une entreprise ou un porteur de projet.",
    ("GET", "/api/v1/organisations/"): "Les organisations que vous pouvez voir.",
    ("POST", "/api/v1/organisations/"): "Enregistrer une organisation.",
    ("GET", "/api/v1/organisations/{id}/"): "Une organisation et ses établissements.",
    ("POST", "/api/v1/organisations/{id}/establishments/"): "Ajouter un établissement à une organisation.",
    ("POST", "/api/v1/pathways/exit-classification"): "Classer une sortie de parcours PLIE selon les règles du protocole.",
    ("GET", "/api/v1/pathways/participants/"): "Les participants PLIE que vous pouvez voir (sans données sensibles).",
    ("GET", "/api/v1/pathways/participants/{id}/"): "Le dossier d'un participant ; chaque lecture est tracée.",
    ("GET", "/api/v1/pathways/protocols/{slug}/fse-indicators"): "Les indicateurs communs FSE d'un protocole.",
    ("GET", "/api/v1/pathways/protocols/{slug}/report"): "Le tableau de bord d'un protocole : objectifs et résultats.",
    ("GET", "/api/v1/smic/"): "Le SMIC mensuel brut en vigueur à une date.",
    ("GET", "/api/v1/postcodes/{postcode}/"): "Les communes d'un code postal.",
    ("GET", "/api/v1/qpv/"): "Les quartiers prioritaires de la politique de la ville.",
    ("GET", "/api/v1/territories/"): "Rechercher une commune ou un territoire.",
    ("GET", "/api/v1/territories/{kind}/{code}/"): "Un territoire.",
    ("GET", "/api/v1/territories/{kind}/{code}/composition/"): "Les communes d'un territoire à une date.",
}


@functools.lru_cache(maxsize=1)
def endpoints() -> list[tuple[str, list[dict]]]:
    """(domain, endpoints) from the schema, computed once per process."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    groups: dict[str, list[dict]] = {}
    for path, operations in sorted(schema["paths"].items()):
        segment = path.removeprefix("/api/v1/").split("/")[0]
        domain = DOMAINS.get(segment, "Autres")
        for method in METHODS:
            if method in operations:
                operation = operations[method]
                groups.setdefault(domain, []).append({
                    "method": method.upper(), "path": path,
                    "description": DESCRIPTIONS.get((method.upper(), path), ""),
                    "parameters": [p["name"] for p in operation.get("parameters", [])],
                    "anonymous": {} in operation.get("security", [{}]),
                })
    return sorted(groups.items())


def api_docs(request):
    return render(request, "core/api_docs.html", {"title": "Documentation de l'API", "groups": endpoints()})
