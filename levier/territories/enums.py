from django.db import models


class TerritoryKind(models.TextChoices):
    REGION = "region", "Région"
    DEPARTEMENT = "departement", "Département"
    EPCI = "epci", "EPCI à fiscalité propre"
    EPT = "ept", "Établissement public territorial"
    COMMUNE = "commune", "Commune"
    ARRONDISSEMENT = "arrondissement", "Arrondissement municipal"
    PROJECT = "project", "Territoire de projet"
    BASSIN = "bassin", "Bassin de vie"


# Kinds that are places where a person or an establishment is located.
COMMUNE_LEVEL = (TerritoryKind.COMMUNE, TerritoryKind.ARRONDISSEMENT)


class Zone(models.TextChoices):
    METRO = "metro", "France métropolitaine"
    DROM = "drom", "Départements et régions d'outre-mer"


class QpvGeneration(models.IntegerChoices):
    G2015 = 2015, "QPV 2015 (contrats de ville 2015-2023)"
    G2024 = 2024, "QPV 2024 (contrats de ville 2024-2030)"
