"""Revitalisation conventions, funds and programmes, commitments and the money ledger.

Every movement of value is an immutable LedgerEntry; balances are sums of entries, never typed.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from levier.core.models import TimeStampedModel

from .enums import (CommitmentKind, CommitteeStatus, ConventionKind, ConventionStatus, EntryKind, FinancerKind, FundKind,
                    InstructionStatus, Procedure)
from .querysets import (CommitmentQuerySet, ConventionQuerySet, FundQuerySet, InstructionQuerySet,
                        LedgerEntryQuerySet)

MONEY = {"max_digits": 14, "decimal_places": 2}


class Convention(TimeStampedModel):
    reference = models.CharField("référence", max_length=40, unique=True)
    company = models.ForeignKey("organisations.Organisation", verbose_name="entreprise", on_delete=models.PROTECT,
                                related_name="revitalisation_conventions")
    establishments = models.ManyToManyField("organisations.Establishment", verbose_name="établissements concernés",
                                            blank=True, related_name="+")
    owner_unit = models.ForeignKey("organisations.Unit", verbose_name="service de l'État", on_delete=models.PROTECT,
                                   related_name="+")
    kind = models.CharField("nature", max_length=20, choices=ConventionKind.choices)
    classification_reason = models.CharField("motif de la classification", max_length=300)
    procedure = models.CharField("procédure", max_length=10, choices=Procedure.choices)
    group_headcount = models.PositiveIntegerField("effectif de l'entreprise ou du groupe", null=True, blank=True)
    in_receivership = models.BooleanField("en redressement ou liquidation judiciaire", default=False)
    notified_on = models.DateField("date de notification")
    jobs_eliminated = models.PositiveIntegerField("emplois supprimés")
    jobs_reclassified = models.PositiveIntegerField("reclassements dans le groupe", default=0)
    bassin = models.ForeignKey("territories.Territory", verbose_name="bassin d'emploi", on_delete=models.PROTECT,
                               related_name="+")
    rate = models.DecimalField("taux (SMIC mensuels par emploi)", max_digits=5, decimal_places=2)
    rate_reason = models.CharField("motif d'un taux inférieur à 2", max_length=200, blank=True)
    monthly_smic = models.DecimalField("SMIC mensuel brut à la notification", max_digits=10, decimal_places=2)
    amount_owed = models.DecimalField("montant de l'obligation", **MONEY)
    national_framework = models.BooleanField("convention-cadre nationale", default=False)
    status = models.CharField("statut", max_length=10, choices=ConventionStatus.choices, default=ConventionStatus.DRAFT)
    signed_on = models.DateField("signée le", null=True, blank=True)
    ends_on = models.DateField("fin", null=True, blank=True)
    closed_on = models.DateField("clôturée le", null=True, blank=True)
    shortfall_paid = models.DecimalField("reliquat versé au Trésor", **MONEY, default=Decimal("0.00"))

    objects = ConventionQuerySet.as_manager()

    class Meta:
        verbose_name = "convention de revitalisation"
        ordering = ["-notified_on", "reference"]

    def __str__(self):
        return f"{self.reference} — {self.company}"

    @property
    def jobs(self) -> int:
        return max(self.jobs_eliminated - self.jobs_reclassified, 0)


class ConventionCommittee(models.Model):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="committees")
    held_on = models.DateField("date du comité")
    minutes = models.TextField("compte rendu")
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["held_on"]


class DirectAction(models.Model):
    """An action the company carries out itself under its convention, valued in euros."""

    convention = models.ForeignKey(Convention, on_delete=models.PROTECT, related_name="direct_actions")
    label = models.CharField("action", max_length=250)
    done_on = models.DateField("date")
    value = models.DecimalField("valorisation", **MONEY)
    jobs_created = models.PositiveIntegerField("emplois créés", default=0)


class ConventionLog(models.Model):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="logs")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)


class Fund(TimeStampedModel):
    slug = models.SlugField(unique=True)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("nature", max_length=10, choices=FundKind.choices, default=FundKind.FUND)
    description = models.TextField(blank=True)
    manager = models.ForeignKey("organisations.Organisation", verbose_name="gestionnaire", on_delete=models.PROTECT,
                                related_name="managed_funds")
    owner_unit = models.ForeignKey("organisations.Unit", verbose_name="service pilote", on_delete=models.PROTECT,
                                   related_name="+")
    perimeter = models.ManyToManyField("territories.Territory", verbose_name="périmètre", blank=True, related_name="+")
    priorities = models.JSONField("priorités", default=list, blank=True)
    revolving = models.BooleanField("renouvelable (les remboursements reviennent au fonds)", default=True)
    max_eu_rate = models.DecimalField("taux maximal de l'UE", max_digits=4, decimal_places=3, default=Decimal("0.500"))
    starts_on = models.DateField("début", null=True, blank=True)
    ends_on = models.DateField("fin", null=True, blank=True)
    provenance = models.TextField("provenance", blank=True)
    schemes = models.ManyToManyField("aids.Scheme", through="FundScheme", related_name="+", blank=True)

    objects = FundQuerySet.as_manager()

    class Meta:
        verbose_name = "fonds ou programme"
        ordering = ["name"]

    def __str__(self):
        return self.name


class FundScheme(models.Model):
    """A catalogue scheme that draws on the fund (the relation lives here: funding depends on aids)."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="scheme_links")
    scheme = models.ForeignKey("aids.Scheme", on_delete=models.PROTECT, related_name="+")
    day_rate = models.DecimalField("tarif journalier du conseil", **MONEY, null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["fund", "scheme"], name="fund_scheme_once")]


class FundFinancer(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="financers")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("nature", max_length=20, choices=FinancerKind.choices)
    convention = models.ForeignKey(Convention, null=True, blank=True, on_delete=models.PROTECT, related_name="fund_payments")
    pledged = models.DecimalField("montant prévu", **MONEY, default=Decimal("0.00"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return f"{self.organisation} ({self.get_kind_display()})"


class BudgetLine(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="budget_lines")
    year = models.PositiveSmallIntegerField("année")
    label = models.CharField("ligne", max_length=200)
    amount = models.DecimalField("montant", **MONEY)

    class Meta:
        ordering = ["year", "label"]


class FundOperator(models.Model):
    """An operator the fund allocates to; its row is locked when that operator's money moves."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="operators")
    operator = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("organisations.Unit", verbose_name="service instructeur", on_delete=models.PROTECT,
                             related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["fund", "operator"], name="fund_operator_once")]


class Commitment(TimeStampedModel):
    """What a fund's operator granted to one beneficiary (company by SIREN, or a person)."""

    reference = models.CharField("référence", max_length=40, unique=True)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="commitments")
    operator = models.ForeignKey(FundOperator, on_delete=models.PROTECT, related_name="commitments")
    scheme = models.ForeignKey("aids.Scheme", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey("aids.Application", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="commitments")
    beneficiary = models.ForeignKey("organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="commitments")
    person_name = models.CharField("bénéficiaire personne physique", max_length=200, blank=True)
    commune = models.ForeignKey("territories.Territory", verbose_name="commune de l'établissement", null=True,
                                blank=True, on_delete=models.PROTECT, related_name="+")
    in_qpv = models.BooleanField("établissement en QPV", default=False)
    naf_section = models.CharField("section NAF", max_length=1, blank=True)
    size_category = models.CharField("catégorie d'entreprise", max_length=10, blank=True)
    kind = models.CharField("nature", max_length=20, choices=CommitmentKind.choices)
    legal_basis = models.CharField("base juridique", max_length=200, blank=True)
    gross_grant_equivalent = models.DecimalField("équivalent-subvention brut", **MONEY, default=Decimal("0.00"))
    committed_on = models.DateField("engagé le")
    jobs_planned = models.PositiveIntegerField("emplois prévus", default=0)
    jobs_due_on = models.DateField("échéance des emplois", null=True, blank=True)
    reference_cdi_headcount = models.PositiveIntegerField("effectif CDI de référence", null=True, blank=True)
    other_financing = models.DecimalField("autres financements du projet", **MONEY, default=Decimal("0.00"))
    justification = models.TextField("justification d'un montant modifié", blank=True)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["-committed_on", "reference"]
        constraints = [models.CheckConstraint(
            condition=Q(beneficiary__isnull=False) | ~Q(person_name=""), name="commitment_has_beneficiary")]

    def __str__(self):
        return self.reference

    @property
    def beneficiary_label(self) -> str:
        return self.beneficiary.name if self.beneficiary_id else self.person_name


class LoanInstalment(models.Model):
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="instalments")
    number = models.PositiveSmallIntegerField("échéance n°")
    due_on = models.DateField("date d'échéance")
    principal = models.DecimalField("capital", **MONEY)

    class Meta:
        ordering = ["commitment", "number"]
        constraints = [models.UniqueConstraint(fields=["commitment", "number"], name="instalment_once")]


class JobReport(models.Model):
    """CDI headcount declared by the company at a date, then verified by the operator."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="job_reports")
    reported_on = models.DateField("date de la déclaration")
    cdi_headcount = models.PositiveIntegerField("effectif CDI déclaré")
    jobs_created = models.IntegerField("emplois nets en CDI créés")
    qpv_resident_jobs = models.PositiveIntegerField("dont salariés résidant en QPV", default=0)
    verified_jobs = models.IntegerField("emplois vérifiés", null=True, blank=True)
    verified_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    verified_on = models.DateField("vérifié le", null=True, blank=True)

    class Meta:
        ordering = ["commitment", "reported_on", "id"]


class ImmutableEntry(Exception):
    pass


class LedgerEntry(models.Model):
    """One movement of value, in exact euros. Never updated nor deleted: a correction is a new entry."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField("nature", max_length=30, choices=EntryKind.choices)
    amount = models.DecimalField("montant", **MONEY)
    on = models.DateField("date de valeur")
    financer = models.ForeignKey(FundFinancer, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    operator = models.ForeignKey(FundOperator, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    commitment = models.ForeignKey(Commitment, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    note = models.CharField("libellé", max_length=300, blank=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("enregistré le", auto_now_add=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "écriture"
        ordering = ["on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="entry_amount_positive")]
        indexes = [models.Index(fields=["fund", "kind", "on"]), models.Index(fields=["commitment", "kind"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableEntry("Une écriture ne se modifie pas : enregistrer une écriture de correction.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableEntry("Une écriture ne se supprime pas : enregistrer une écriture de correction.")


class ReferenceRate(models.Model):
    """The Commission's base rate for France, from a date (filled by an administrator from the
    official publication; no package ships them). Reference rate = base rate + margin."""

    effective_from = models.DateField("à partir du", unique=True)
    base_rate = models.DecimalField("taux de base", max_digits=6, decimal_places=5)
    margin = models.DecimalField("marge", max_digits=6, decimal_places=5, default=Decimal("0.01000"))
    source = models.CharField("source", max_length=300)
    demonstration = models.BooleanField("valeur de démonstration", default=False)

    class Meta:
        ordering = ["effective_from"]

    @property
    def reference_rate(self) -> Decimal:
        return self.base_rate + self.margin


# ---------------------------------------------------------------- instruction and committees


class Committee(TimeStampedModel):
    """A fund's decision committee: its agenda lists the files it decides."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="committees")
    held_on = models.DateField("date du comité")
    title = models.CharField("intitulé", max_length=200)
    status = models.CharField("statut", max_length=10, choices=CommitteeStatus.choices, default=CommitteeStatus.PLANNED)
    members = models.ManyToManyField("accounts.User", verbose_name="membres extérieurs", blank=True, related_name="committees")

    class Meta:
        ordering = ["-held_on"]

    def __str__(self):
        return f"{self.title} ({self.held_on:%d/%m/%Y})"


class Instruction(TimeStampedModel):
    """The instruction of one submitted application, by the operator of a fund."""

    application = models.OneToOneField("aids.Application", on_delete=models.PROTECT, related_name="instruction")
    operator = models.ForeignKey(FundOperator, on_delete=models.PROTECT, related_name="instructions")
    status = models.CharField("statut", max_length=20, choices=InstructionStatus.choices,
                              default=InstructionStatus.SUBMITTED)
    checklist = models.JSONField("pièces vérifiées", default=dict, blank=True)
    reason = models.TextField("motif de la dernière décision", blank=True)
    committee = models.ForeignKey(Committee, null=True, blank=True, on_delete=models.PROTECT, related_name="instructions")
    decision = models.JSONField("montants accordés", default=list, blank=True)
    agreement_signed_on = models.DateField("convention signée le", null=True, blank=True)
    other_financing = models.DecimalField("autres financements du projet", **MONEY, default=Decimal("0.00"))
    paper = models.BooleanField("dossier papier saisi par l'opérateur", default=False)

    objects = InstructionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.application.number or f"Demande {self.application_id}"


class InstructionLog(models.Model):
    instruction = models.ForeignKey(Instruction, on_delete=models.CASCADE, related_name="logs")
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True, choices=InstructionStatus.choices)
    to_status = models.CharField(max_length=20, choices=InstructionStatus.choices)
    by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


class DocumentRequest(models.Model):
    instruction = models.ForeignKey(Instruction, on_delete=models.CASCADE, related_name="document_requests")
    message = models.TextField("pièces demandées")
    due_on = models.DateField("à fournir avant le")
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    answer = models.TextField("réponse du demandeur", blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)


class ConflictOfInterest(models.Model):
    """A committee member withdraws from the deliberation on one file."""

    instruction = models.ForeignKey(Instruction, on_delete=models.CASCADE, related_name="conflicts")
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="conflicts")
    member = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField("précision", max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["instruction", "committee", "member"], name="conflict_once")]
