"""Aid schemes (dispositifs), their dated versions carrying the rules, and their workflow log."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q

from levier.core.models import TimeStampedModel

from .enums import SchemeStatus
from .querysets import SchemeQuerySet
from .rules import rules_digest


class Scheme(TimeStampedModel):
    slug = models.SlugField("identifiant", max_length=80, unique=True)
    name = models.CharField("nom", max_length=200)
    summary = models.CharField("résumé", max_length=400)
    description = models.TextField("description", blank=True)
    operator = models.ForeignKey(
        "organisations.Organisation", verbose_name="opérateur", on_delete=models.PROTECT, related_name="operated_schemes"
    )
    owner_unit = models.ForeignKey(
        "organisations.Unit", verbose_name="service propriétaire", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="schemes",
    )
    contacts = models.TextField("contacts", blank=True)
    perimeter = models.ManyToManyField("territories.Territory", verbose_name="périmètre", blank=True, related_name="+")
    perimeter_qpvs = models.ManyToManyField("territories.Qpv", verbose_name="QPV du périmètre", blank=True, related_name="+")
    beneficiary_kinds = models.JSONField("bénéficiaires", default=list)
    aid_kinds = models.JSONField("natures d'aide", default=list)
    naf_sections = models.JSONField("secteurs (sections NAF)", default=list, blank=True)
    opens_on = models.DateField("ouvert à partir du", null=True, blank=True)
    closes_on = models.DateField("ouvert jusqu'au", null=True, blank=True)
    status = models.CharField("statut", max_length=20, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT)
    provenance = models.CharField("provenance", max_length=300, blank=True)
    required_documents = models.JSONField(
        "pièces à fournir", default=list, blank=True, help_text='[{"key": "kbis", "label": "Extrait Kbis"}, …]'
    )
    search_text = models.TextField(editable=False, blank=True)
    # " company subsidy loan … " — filterable with a plain `contains` on every database.
    filter_tags = models.CharField(editable=False, blank=True, max_length=500)
    # PostgreSQL only: to_tsvector('french', search_text), GIN-indexed (migration 0002); NULL on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    # Maintained by SchemeVersion (refresh_published_versions): the simulator reads its candidates'
    # versions from here instead of joining the versions table.
    published_versions = models.TextField(editable=False, blank=True, default="")

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = "dispositif"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_on__isnull=True) | Q(closes_on__isnull=True) | Q(opens_on__lte=models.F("closes_on")),
                name="scheme_dates_ordered",
            ),
        ]

    def __str__(self):
        return self.name


class SchemeFinancer(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="financer_rows")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["scheme", "organisation"], name="schemefinancer_unique")]


def published_versions_text(versions) -> str:
    """`Scheme.published_versions`: "number|effective_from|rules digest" per published version,
    joined by ";" in number order (effective_from empty when the version has no lower bound)."""
    return ";".join(f"{number}|{effective.isoformat() if effective else ''}|{digest}"
                    for number, effective, digest in sorted(versions))


def refresh_published_versions(scheme_ids) -> None:
    """Write on each scheme the summary of its published versions (read by the simulator)."""
    scheme_ids = set(scheme_ids)
    found: dict[int, list] = {scheme_id: [] for scheme_id in scheme_ids}
    rows = SchemeVersion.objects.filter(scheme_id__in=scheme_ids, published=True).values_list(
        "scheme_id", "number", "effective_from", "rules_digest")
    for scheme_id, *version in rows:
        found[scheme_id].append(tuple(version))
    schemes = [Scheme(pk=scheme_id, published_versions=published_versions_text(versions))
               for scheme_id, versions in found.items()]
    Scheme.objects.bulk_update(schemes, ["published_versions"], batch_size=1000)


class SchemeVersionManager(models.Manager):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for version in objs:
            version.rules_digest = rules_digest(version.rules)
        created = super().bulk_create(objs, *args, **kwargs)
        refresh_published_versions({version.scheme_id for version in objs})
        return created


class SchemeVersion(models.Model):
    """The rules of a scheme from `effective_from` (None: no lower bound) until the next version.

    `rules_digest` names the rules' content: the simulator reads it instead of the rules and keeps
    the compiled rules per digest (services.compiled_rules_of). `save()`, `delete()` and
    `bulk_create` set it and refresh the scheme's `published_versions`; a `QuerySet.update()` of
    versions must do both (none does)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("version")
    effective_from = models.DateField("en vigueur à partir du", null=True, blank=True)
    rules = models.JSONField("règles")
    legal_basis = models.CharField("base juridique", max_length=300, blank=True)
    rules_digest = models.CharField(max_length=32, blank=True, editable=False)
    published = models.BooleanField("publiée", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = SchemeVersionManager()

    class Meta:
        verbose_name = "version de dispositif"
        ordering = ["scheme", "number"]
        constraints = [models.UniqueConstraint(fields=["scheme", "number"], name="schemeversion_unique_number")]

    def __str__(self):
        return f"{self.scheme.slug} v{self.number}"

    def save(self, *args, **kwargs):
        self.rules_digest = rules_digest(self.rules)
        fields = kwargs.get("update_fields")
        if fields is not None and "rules" in fields:
            kwargs["update_fields"] = {*fields, "rules_digest"}
        super().save(*args, **kwargs)
        refresh_published_versions([self.scheme_id])

    def delete(self, *args, **kwargs):
        scheme_id = self.scheme_id
        result = super().delete(*args, **kwargs)
        refresh_published_versions([scheme_id])
        return result


class SchemeLog(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="logs")
    from_status = models.CharField(max_length=20, choices=SchemeStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=SchemeStatus.choices)
    by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


class SimulationCount(models.Model):
    """How many simulations evaluated a scheme (statistics for operators; no personal data)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="simulation_counts")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scheme", "day"], name="simulationcount_unique_day")]


class Application(TimeStampedModel):
    """An application to a scheme (submission side; instruction belongs to the funding domain)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Brouillon"
        SUBMITTED = "submitted", "Déposée"

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="applications")
    version = models.ForeignKey(
        SchemeVersion, verbose_name="version des règles", null=True, blank=True, on_delete=models.PROTECT,
        related_name="applications",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name="demandeur", on_delete=models.PROTECT, related_name="aid_applications"
    )
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("statut", max_length=20, choices=Status.choices, default=Status.DRAFT)
    number = models.CharField("numéro", max_length=30, unique=True, null=True, blank=True)
    answers = models.JSONField("réponses", default=dict)
    evaluation = models.JSONField("évaluation au dépôt", default=dict, blank=True)
    de_minimis_amount = models.DecimalField(
        "aides de minimis reçues sur 3 ans (€)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    de_minimis_details = models.TextField("détail des aides de minimis", blank=True)
    submitted_at = models.DateTimeField("déposée le", null=True, blank=True)

    class Meta:
        verbose_name = "demande d'aide"
        verbose_name_plural = "demandes d'aide"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(number__isnull=False) & Q(submitted_at__isnull=False) & Q(version__isnull=False)),
                name="application_submitted_is_frozen",
            ),
        ]

    def __str__(self):
        return self.number or f"Brouillon n° {self.pk}"


class ApplicationDocument(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    document_key = models.CharField("pièce", max_length=60)
    file = models.FileField("fichier", upload_to="applications/%Y/%m/")
    original_name = models.CharField("nom du fichier", max_length=255)
    content_type = models.CharField("type", max_length=40)
    size = models.PositiveIntegerField("taille (octets)")
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "pièce justificative"
        ordering = ["uploaded_at", "id"]


class ApplicationLog(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="logs")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
