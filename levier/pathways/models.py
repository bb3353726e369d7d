"""PLIE protocols (participants, structures and steps come next)."""

from decimal import Decimal

from django.db import models

from levier.core.models import TimeStampedModel

from .rules import ExitParameters


class Protocol(TimeStampedModel):
    """A PLIE protocol: territory, period, the funding programme that carries its money, objectives
    and exit parameters (editable per protocol, since PLIEs differ)."""

    class Nomenclature(models.TextChoices):
        OLD = "1969", "Nomenclature de 1969 (I à VI, V bis)"
        NEW = "2019", "Cadre national des certifications 2019 (1 à 8)"

    class FsePeriod(models.TextChoices):
        P2014 = "2014-2020", "FSE 2014-2020 (règlement 1304/2013)"
        P2021 = "2021-2027", "FSE+ 2021-2027 (règlement 2021/1057)"

    slug = models.SlugField(unique=True)
    name = models.CharField("nom", max_length=200)
    territory = models.ForeignKey("territories.Territory", verbose_name="territoire", on_delete=models.PROTECT,
                                  related_name="+")
    starts_on = models.DateField("début")
    ends_on = models.DateField("fin")
    previous = models.ForeignKey("self", verbose_name="protocole précédent", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="next_protocols")
    programme = models.ForeignKey("funding.Fund", verbose_name="programme de financement", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="protocols")
    nomenclature = models.CharField("nomenclature des qualifications", max_length=4, choices=Nomenclature.choices,
                                    default=Nomenclature.OLD)
    fse_period = models.CharField("indicateurs FSE", max_length=9, choices=FsePeriod.choices, default=FsePeriod.P2014)
    retention = models.TextField("règle de conservation des données")
    retention_years = models.PositiveSmallIntegerField("durée de conservation (années après le 31 décembre)")
    min_hours_per_month = models.DecimalField("heures mensuelles minimales (CDI, CDD)", max_digits=6, decimal_places=2,
                                              default=Decimal("76"))
    interim_short_months = models.PositiveSmallIntegerField("intérim : mois consécutifs (court)", default=6)
    interim_short_hours = models.DecimalField("intérim : heures (court)", max_digits=7, decimal_places=2, default=Decimal("624"))
    interim_long_months = models.PositiveSmallIntegerField("intérim : mois consécutifs (long)", default=9)
    interim_long_hours = models.DecimalField("intérim : heures (long)", max_digits=7, decimal_places=2, default=Decimal("936"))
    step_subtypes = models.JSONField("contrats considérés comme étapes de parcours", default=list)
    provenance = models.TextField(blank=True)

    class Meta:
        ordering = ["starts_on"]

    def __str__(self):
        return self.name

    @property
    def exit_parameters(self) -> ExitParameters:
        return ExitParameters(
            min_hours_per_month=self.min_hours_per_month, interim_short_months=self.interim_short_months,
            interim_short_hours=self.interim_short_hours, interim_long_months=self.interim_long_months,
            interim_long_hours=self.interim_long_hours, step_subtypes=tuple(self.step_subtypes or ("cddi_siae",)))


class Objective(models.Model):
    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="objectives")
    key = models.SlugField("clé")
    label = models.CharField("objectif", max_length=200)
    target = models.PositiveIntegerField("cible (nombre)", null=True, blank=True)
    rate = models.DecimalField("cible (taux)", max_digits=5, decimal_places=4, null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["protocol", "position"]
        constraints = [models.UniqueConstraint(fields=["protocol", "key"], name="objective_once")]
