from django.db import models


class SmicRate(models.Model):
    """Monthly gross SMIC for 35 hours a week (151.67 h), by date of effect."""

    effective_date = models.DateField("date d'effet", unique=True)
    monthly_gross = models.DecimalField("SMIC brut mensuel (35 h)", max_digits=14, decimal_places=2)
    hourly_gross = models.DecimalField("SMIC brut horaire", max_digits=8, decimal_places=3, null=True, blank=True)
    legal_text = models.CharField("texte", max_length=300, blank=True)
    source = models.CharField("source", max_length=300)

    class Meta:
        verbose_name = "valeur du SMIC"
        verbose_name_plural = "valeurs du SMIC"
        ordering = ["-effective_date"]
        constraints = [
            models.CheckConstraint(condition=models.Q(monthly_gross__gt=0), name="smic_positive"),
        ]

    def __str__(self):
        return f"SMIC au {self.effective_date:%d/%m/%Y} : {self.monthly_gross} €"
