"""National territory referential: one `Territory` per administrative or project
territory, and dated `TerritoryLink`s between them.

Every composition is evaluated at a date: a link holds when
valid_from ≤ date ≤ valid_to (open bounds allowed).
"""

from django.db import models

from levier.core.models import TimeStampedModel

from .enums import QpvGeneration, TerritoryKind, Zone
from .querysets import TerritoryLinkQuerySet, TerritoryQuerySet


class Territory(TimeStampedModel):
    kind = models.CharField("type", max_length=20, choices=TerritoryKind.choices)
    code = models.CharField(
        "code", max_length=40, help_text="INSEE pour les communes et départements, SIREN pour les EPCI et EPT"
    )
    name = models.CharField("nom", max_length=200)
    search_name = models.CharField(max_length=200, db_index=True, editable=False)
    epci_type = models.CharField(
        "nature juridique", max_length=10, blank=True, help_text="CA, CC, CU, METRO, MET69… comme l'édition la donne"
    )
    zone = models.CharField("zone", max_length=10, choices=Zone.choices, blank=True)
    population = models.PositiveIntegerField("population municipale", null=True, blank=True)
    postcodes = models.JSONField("codes postaux", default=list, blank=True)
    is_rural = models.BooleanField("commune rurale", null=True, blank=True)
    valid_from = models.DateField("existe depuis", null=True, blank=True)
    valid_to = models.DateField("existe jusqu'au", null=True, blank=True)
    composition_verified_from = models.DateField(
        "composition vérifiée à partir du",
        null=True,
        blank=True,
        help_text="Avant cette date, la composition n'est pas vérifiée (absente de l'édition livrée).",
    )
    successor = models.ForeignKey(
        "self", verbose_name="successeur", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField("source", max_length=200, blank=True)

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        verbose_name = "territoire"
        ordering = ["kind", "code"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="territory_unique_kind_code")]
        indexes = [models.Index(fields=["kind", "search_name"], name="territory_kind_search")]

    def __str__(self):
        if self.kind in (TerritoryKind.COMMUNE, TerritoryKind.ARRONDISSEMENT, TerritoryKind.DEPARTEMENT):
            return f"{self.name} ({self.code})"
        return self.name


class TerritoryLink(models.Model):
    """`child` belongs to `parent` between valid_from and valid_to."""

    parent = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="child_links")
    child = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="parent_links")
    valid_from = models.DateField("à partir du", null=True, blank=True)
    valid_to = models.DateField("jusqu'au", null=True, blank=True)
    source = models.CharField("source", max_length=200)

    objects = TerritoryLinkQuerySet.as_manager()

    class Meta:
        verbose_name = "appartenance territoriale"
        constraints = [
            models.UniqueConstraint(fields=["parent", "child", "valid_from"], name="territorylink_unique_period"),
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_to__isnull=True)
                | models.Q(valid_from__lte=models.F("valid_to")),
                name="territorylink_dates_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["child", "parent"], name="territorylink_child_parent"),
            models.Index(fields=["parent", "child"], name="territorylink_parent_child"),
        ]


class Postcode(models.Model):
    """A postcode serving a commune or a municipal arrondissement."""

    code = models.CharField("code postal", max_length=5, db_index=True)
    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="postcode_rows")

    class Meta:
        verbose_name = "code postal"
        constraints = [models.UniqueConstraint(fields=["code", "territory"], name="postcode_unique")]


class Qpv(TimeStampedModel):
    """Quartier prioritaire de la politique de la ville."""

    code = models.CharField("code QPV", max_length=20, unique=True)
    name = models.CharField("nom", max_length=200)
    generation = models.PositiveSmallIntegerField("génération", choices=QpvGeneration.choices)
    communes = models.ManyToManyField(Territory, verbose_name="communes", related_name="qpvs")
    verified = models.BooleanField("vérifié", default=True)
    source = models.CharField("source", max_length=300, blank=True)

    class Meta:
        verbose_name = "QPV"
        verbose_name_plural = "QPV"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class ReferenceLoad(models.Model):
    """One load of reference data (edition of a referential), for traceability."""

    dataset = models.CharField("jeu de données", max_length=100)
    edition = models.CharField("édition", max_length=50)
    source = models.CharField("source", max_length=300)
    loaded_at = models.DateTimeField("chargé le", auto_now_add=True)
    summary = models.JSONField("résumé", default=dict)

    class Meta:
        verbose_name = "chargement de référentiel"
        ordering = ["-loaded_at"]
