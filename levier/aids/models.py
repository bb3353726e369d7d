"""Aid schemes (dispositifs), their dated versions carrying the rules, and their workflow log."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q

from levier.core import workflow
from levier.core.models import TimeStampedModel
from levier.core.workflow import StatusGuardedQuerySet
from levier.organisations.enums import ControlBasis

from .enums import SCHEME_TRANSITIONS, ApplicationStatus, DeMinimisRegime, SchemeStatus
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
            workflow.valid_states(SchemeStatus, "scheme_status_declared"),
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
    action = models.CharField("action", max_length=200, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


SCHEME_WORKFLOW = workflow.declare(
    Scheme, states=SchemeStatus, moves=SCHEME_TRANSITIONS,
    # a draft from the back office; published or closed when loaded from the reference catalogue
    entries={SchemeStatus.DRAFT, SchemeStatus.PUBLISHED, SchemeStatus.CLOSED},
    log="aids.SchemeLog", owner="scheme",
)


class SimulationCount(models.Model):
    """How many simulations evaluated a scheme (statistics for operators; no personal data)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="simulation_counts")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scheme", "day"], name="simulationcount_unique_day")]


class Application(TimeStampedModel):
    """An application to a scheme (submission side; instruction belongs to the funding domain)."""

    Status = ApplicationStatus

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
    de_minimis_declared_on = models.DateField("déclaration de minimis faite le", null=True, blank=True)
    submitted_at = models.DateTimeField("déposée le", null=True, blank=True)

    objects = StatusGuardedQuerySet.as_manager()

    class Meta:
        verbose_name = "demande d'aide"
        verbose_name_plural = "demandes d'aide"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(number__isnull=False) & Q(submitted_at__isnull=False) & Q(version__isnull=False)),
                name="application_submitted_is_frozen",
            ),
            workflow.valid_states(ApplicationStatus, "application_status_declared"),
        ]

    def __str__(self):
        return self.number or f"Brouillon n° {self.pk}"


class DeclaredAid(models.Model):
    """A de minimis aid the applicant declares having received (itself or a company of its single
    undertaking) from another grantor (1407/2013 art. 6(1), 2023/2831 art. 7(4))."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="declared_aids")
    granted_on = models.DateField("octroyée le")
    amount = models.DecimalField("montant (équivalent-subvention brut, €)", max_digits=14, decimal_places=2)
    regime = models.CharField("règlement", max_length=20, choices=DeMinimisRegime.choices[1:])
    grantor = models.CharField("financeur", max_length=200)
    beneficiary_siren = models.CharField("SIREN du bénéficiaire (s'il n'est pas le demandeur)", max_length=9, blank=True)

    class Meta:
        verbose_name = "aide de minimis déclarée"
        ordering = ["granted_on", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="declared_aid_amount_positive")]


class DeclaredLink(models.Model):
    """A company the applicant declares it controls or is controlled by (art. 2(2) of the de minimis
    regulations): recorded in the registry's control links when the aid is granted."""

    class Direction(models.TextChoices):
        CONTROLS = "controls", "Le demandeur la contrôle"
        CONTROLLED_BY = "controlled_by", "Elle contrôle le demandeur"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="declared_links")
    siren = models.CharField("SIREN", max_length=9)
    name = models.CharField("raison sociale", max_length=250)
    direction = models.CharField("sens du lien", max_length=20, choices=Direction.choices)
    basis = models.CharField("lien (article 2, paragraphe 2)", max_length=1, choices=ControlBasis.choices)

    class Meta:
        verbose_name = "entreprise liée déclarée"
        ordering = ["id"]


class ApplicationDocument(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    document_key = models.CharField("pièce", max_length=60)
    file = models.FileField("fichier", upload_to="applications/%Y/%m/")
    original_name = models.CharField("nom du fichier", max_length=255)
    content_type = models.CharField("type", max_length=40)
    size = models.PositiveIntegerField("taille (octets)")
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    @property
    def download_name(self) -> str:
        """The name the user gave, with the extension of the type its content was checked to be."""
        from pathlib import PurePath

        from .applications import EXTENSIONS

        return PurePath(self.original_name).stem + EXTENSIONS.get(self.content_type, "")

    class Meta:
        verbose_name = "pièce justificative"
        ordering = ["uploaded_at", "id"]


class ApplicationLog(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="logs")
    from_status = models.CharField(max_length=20, blank=True, choices=Application.Status.choices)
    to_status = models.CharField(max_length=20, choices=Application.Status.choices)
    by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField("action", max_length=200, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


APPLICATION_WORKFLOW = workflow.declare(
    Application, states=Application.Status,
    moves={Application.Status.DRAFT: {Application.Status.SUBMITTED}, Application.Status.SUBMITTED: set()},
    entries={Application.Status.DRAFT, Application.Status.SUBMITTED},  # submitted: a paper file entered at once
    log="aids.ApplicationLog", owner="application",
)
