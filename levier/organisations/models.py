"""Organisations (legal entities), their establishments (SIRET) and units
(directions and services inside an organisation)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from levier.core.models import TimeStampedModel

from . import rules
from .enums import ControlBasis, IaeKind, OrganisationKind, OrganisationRole, SizeCategory, UnitKind  # noqa: F401
from .querysets import EstablishmentQuerySet, OrganisationQuerySet, UnitQuerySet


class Organisation(TimeStampedModel):
    reference_key = models.SlugField(
        "clé de référence", max_length=60, unique=True, null=True, blank=True,
        help_text="Identifiant stable des organisations chargées comme données de référence (ex. katalyse).",
    )
    name = models.CharField("raison sociale ou nom", max_length=250)
    kind = models.CharField("nature", max_length=30, choices=OrganisationKind.choices, default=OrganisationKind.COMPANY)
    siren = models.CharField("SIREN", max_length=9, unique=True, null=True, blank=True)
    rna = models.CharField("numéro RNA", max_length=10, unique=True, null=True, blank=True)
    legal_form = models.CharField("forme juridique", max_length=120, blank=True)
    naf_code = models.CharField("code NAF", max_length=6, blank=True)
    is_ess = models.BooleanField("structure de l'ESS", default=False)
    roles = models.JSONField("rôles", default=list, blank=True)
    iae_kinds = models.JSONField("types de SIAE", default=list, blank=True)
    headcount = models.DecimalField("effectif annuel moyen", max_digits=9, decimal_places=2, null=True, blank=True)
    turnover = models.DecimalField("chiffre d'affaires (€)", max_digits=16, decimal_places=2, null=True, blank=True)
    balance_sheet = models.DecimalField("total de bilan (€)", max_digits=16, decimal_places=2, null=True, blank=True)
    financial_year = models.PositiveSmallIntegerField("exercice de référence", null=True, blank=True)
    parent_siren = models.CharField("SIREN de la tête de groupe", max_length=9, blank=True)
    fiscal_year_end_day = models.PositiveSmallIntegerField("clôture de l'exercice : jour", null=True, blank=True)
    fiscal_year_end_month = models.PositiveSmallIntegerField("clôture de l'exercice : mois", null=True, blank=True)
    group_headcount = models.DecimalField("effectif du groupe", max_digits=9, decimal_places=2, null=True, blank=True)
    owner_unit = models.ForeignKey(
        "organisations.Unit",
        verbose_name="service qui a enregistré la fiche",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recorded_organisations",
    )

    objects = OrganisationQuerySet.as_manager()

    # The choices of the JSON lists, for the history's labels.
    HISTORY_CHOICES = {"roles": dict(OrganisationRole.choices), "iae_kinds": dict(IaeKind.choices)}

    # Fields whose values are shown only to users allowed to see financial data
    # (levier.accounts.permissions.can_see_field).
    CONFIDENTIAL_FIELDS = {"turnover": "financials", "balance_sheet": "financials"}

    class Meta:
        verbose_name = "organisation"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(headcount__isnull=True) | Q(headcount__gte=0), name="organisation_headcount_positive"
            ),
            models.CheckConstraint(
                condition=(Q(fiscal_year_end_day__isnull=True) & Q(fiscal_year_end_month__isnull=True))
                | (Q(fiscal_year_end_day__gte=1) & Q(fiscal_year_end_day__lte=31)
                   & Q(fiscal_year_end_month__gte=1) & Q(fiscal_year_end_month__lte=12)),
                name="organisation_fiscal_year_end_valid",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.siren and (message := rules.siren_error(self.siren)):
            errors["siren"] = message
        if self.rna and (message := rules.rna_error(self.rna)):
            errors["rna"] = message
        if self.naf_code and (message := rules.naf_error(self.naf_code)):
            errors["naf_code"] = message
        if self.parent_siren and (message := rules.siren_error(self.parent_siren)):
            errors["parent_siren"] = message
        day, month = self.fiscal_year_end_day, self.fiscal_year_end_month
        if (day is None) != (month is None):
            errors["fiscal_year_end_day"] = "Indiquez le jour et le mois de clôture de l'exercice."
        elif day is not None and (message := rules.fiscal_year_end_error(day, month)):
            errors["fiscal_year_end_day"] = message
        if errors:
            raise ValidationError(errors)

    @property
    def fiscal_year_end(self) -> tuple[int, int]:
        """(month, day) of the fiscal year's end: 31 December unless recorded otherwise."""
        if self.fiscal_year_end_month and self.fiscal_year_end_day:
            return self.fiscal_year_end_month, self.fiscal_year_end_day
        return 12, 31

    @property
    def size(self) -> rules.SizeAssessment:
        headcount = self.group_headcount if self.group_headcount is not None else self.headcount
        return rules.size_category(headcount, self.turnover, self.balance_sheet)

    @property
    def size_label(self) -> str:
        """Category label, or a dash when no headcount is known (public bodies, associations…)."""
        if self.headcount is None and self.group_headcount is None:
            return "—"
        return self.size.label

    @property
    def naf_section(self) -> str | None:
        return rules.naf_section(self.naf_code)

    def main_unit(self) -> "Unit":
        return self.units.get(kind=UnitKind.WHOLE)


class Establishment(TimeStampedModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="establishments")
    siret = models.CharField("SIRET", max_length=14, unique=True, null=True, blank=True)
    name = models.CharField("nom", max_length=250, blank=True)
    address = models.CharField("adresse", max_length=300, blank=True)
    commune = models.ForeignKey(
        "territories.Territory", verbose_name="commune", null=True, blank=True, on_delete=models.PROTECT
    )
    qpv = models.ForeignKey(
        "territories.Qpv", verbose_name="QPV", null=True, blank=True, on_delete=models.SET_NULL
    )
    is_head_office = models.BooleanField("siège", default=False)

    objects = EstablishmentQuerySet.as_manager()

    class Meta:
        verbose_name = "établissement"
        ordering = ["organisation__name", "siret"]

    def __str__(self):
        label = self.name or self.organisation.name
        return f"{label} ({self.siret})" if self.siret else label

    def clean(self):
        errors = {}
        if self.siret:
            if message := rules.siret_error(self.siret):
                errors["siret"] = message
            elif self.organisation_id and self.organisation.siren and self.siret[:9] != self.organisation.siren:
                errors["siret"] = (
                    f"Le SIRET {self.siret} n'appartient pas à l'organisation de SIREN {self.organisation.siren}."
                )
        if errors:
            raise ValidationError(errors)


class Unit(TimeStampedModel):
    """A direction or service inside an organisation; users belong to units."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="units")
    establishment = models.ForeignKey(
        Establishment, verbose_name="établissement", null=True, blank=True, on_delete=models.SET_NULL
    )
    name = models.CharField("nom", max_length=250)
    reference_key = models.SlugField("clé de référence", max_length=60, unique=True, null=True, blank=True)
    kind = models.CharField("type", max_length=20, choices=UnitKind.choices, default=UnitKind.SERVICE)
    territories = models.ManyToManyField(
        "territories.Territory", verbose_name="territoire d'action", blank=True, related_name="units"
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = "service"
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(kind="whole"), name="unit_one_whole_per_organisation"
            ),
        ]

    def __str__(self):
        if self.kind == UnitKind.WHOLE:
            return self.organisation.name
        return f"{self.name} — {self.organisation.name}"


class ControlLink(models.Model):
    """One enterprise controls another (Regulation 2023/2831 and 1407/2013, art. 2(2) (a)–(d)): the
    enterprises linked this way, directly or through others, are one single undertaking for de minimis."""

    controller = models.ForeignKey(Organisation, verbose_name="entreprise qui contrôle", on_delete=models.PROTECT,
                                   related_name="controls")
    controlled = models.ForeignKey(Organisation, verbose_name="entreprise contrôlée", on_delete=models.PROTECT,
                                   related_name="controlled_by")
    basis = models.CharField("lien (article 2, paragraphe 2)", max_length=1, choices=ControlBasis.choices)
    since = models.DateField("depuis le", null=True, blank=True)
    until = models.DateField("jusqu'au", null=True, blank=True)
    source = models.CharField("source", max_length=300, blank=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField("enregistré le", auto_now_add=True)

    class Meta:
        verbose_name = "lien de contrôle"
        ordering = ["controller__name", "controlled__name"]
        constraints = [
            models.CheckConstraint(condition=~Q(controller=models.F("controlled")), name="control_link_not_self"),
            models.CheckConstraint(condition=Q(since__isnull=True) | Q(until__isnull=True) | Q(since__lte=models.F("until")),
                                   name="control_link_dates_ordered"),
            models.UniqueConstraint(fields=["controller", "controlled"], condition=Q(until__isnull=True),
                                    name="control_link_once_current"),
        ]

    def __str__(self):
        return f"{self.controller} contrôle {self.controlled}"

    def holds_on(self, day) -> bool:
        return (self.since is None or self.since <= day) and (self.until is None or day <= self.until)


SIZE_CATEGORY_LABELS = dict(SizeCategory.choices)
