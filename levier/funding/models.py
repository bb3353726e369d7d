"""Revitalisation conventions, funds and programmes, commitments and the money ledger.

Every movement of value is an immutable LedgerEntry; balances are sums of entries, never typed.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from levier.core import workflow
from levier.core.models import TimeStampedModel
from levier.core.workflow import StatusGuardedQuerySet

from levier.aids.enums import DeMinimisRegime

from .enums import CONVENTION_ACTIONS, INSTRUCTION_ACTIONS
from .enums import (Anticipation, Collateral, CommitmentKind, CommitteeStatus, ConventionKind, ConventionStatus,
                    ConventionStepKind, EntryKind, FinancerKind, FundKind, InstructionStatus, LoanFrequency, MeasureKind,
                    Procedure, Rating, RemainderUse)
from .querysets import (CommitmentQuerySet, ConventionQuerySet, FundQuerySet, InstructionQuerySet,
                        LedgerEntryQuerySet)

MONEY = {"max_digits": 14, "decimal_places": 2}


class Convention(TimeStampedModel):
    """A company's revitalisation obligation or agreed participation, from the notification to the closure.
    The figures (floor, deadline, Treasury amount) are derived by levier.funding.rules.revitalisation."""

    reference = models.CharField("référence", max_length=40, unique=True)
    company = models.ForeignKey("organisations.Organisation", verbose_name="entreprise", on_delete=models.PROTECT,
                                related_name="revitalisation_conventions")
    establishments = models.ManyToManyField("organisations.Establishment", verbose_name="établissements concernés",
                                            blank=True, related_name="+")
    owner_unit = models.ForeignKey("organisations.Unit", verbose_name="service de l'État", on_delete=models.PROTECT,
                                   related_name="+")
    kind = models.CharField("nature", max_length=20, choices=ConventionKind.choices)
    classification_reason = models.CharField("motif de la classification", max_length=400)
    procedure = models.CharField("procédure", max_length=10, choices=Procedure.choices)
    headcount = models.PositiveIntegerField("effectif de l'entreprise", null=True, blank=True)
    group_headcount = models.PositiveIntegerField("effectif total du groupe", null=True, blank=True)
    in_receivership = models.BooleanField("en redressement ou liquidation judiciaire", default=False)
    notified_on = models.DateField("date de notification")
    validated_on = models.DateField("validation ou homologation notifiée le", null=True, blank=True)
    jobs_eliminated = models.PositiveIntegerField("emplois supprimés")
    jobs_reclassified = models.PositiveIntegerField("reclassements dans l'entreprise ou le groupe", default=0)
    bassin = models.ForeignKey("territories.Territory", verbose_name="bassin d'emploi", on_delete=models.PROTECT,
                               related_name="+")
    rate = models.DecimalField("taux (SMIC mensuels par emploi)", max_digits=5, decimal_places=2, null=True, blank=True)
    agreed_amount = models.DecimalField("montant convenu", **MONEY, null=True, blank=True)
    amount_reason = models.TextField("motif du montant", blank=True)
    monthly_smic = models.DecimalField("SMIC mensuel brut à la notification", max_digits=10, decimal_places=2)
    minimum_amount = models.DecimalField("minimum légal (2 SMIC par emploi)", **MONEY, null=True, blank=True)
    amount_owed = models.DecimalField("montant de la contribution", **MONEY)
    national_framework = models.BooleanField("convention-cadre nationale", default=False)
    framework = models.ForeignKey("self", verbose_name="convention-cadre nationale", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="local_conventions")
    departements = models.ManyToManyField("territories.Territory", verbose_name="départements concernés", blank=True,
                                          related_name="+")
    status = models.CharField("statut", max_length=20, choices=ConventionStatus.choices, default=ConventionStatus.DRAFT)
    signed_on = models.DateField("signée le", null=True, blank=True)
    ends_on = models.DateField("fin", null=True, blank=True)
    closed_on = models.DateField("clôturée le", null=True, blank=True)
    remainder = models.DecimalField("reliquat à la clôture", **MONEY, default=Decimal("0.00"))
    remainder_use = models.CharField("emploi du reliquat", max_length=10, choices=RemainderUse.choices, blank=True)

    objects = ConventionQuerySet.as_manager()

    class Meta:
        verbose_name = "convention de revitalisation"
        ordering = ["-notified_on", "reference"]
        constraints = [
            models.CheckConstraint(condition=~Q(status="signed") | Q(signed_on__isnull=False), name="convention_signed_has_date"),
            models.CheckConstraint(condition=~Q(status="closed") | Q(closed_on__isnull=False), name="convention_closed_has_date"),
            models.CheckConstraint(condition=Q(rate__isnull=True) | Q(agreed_amount__isnull=True),
                                   name="convention_rate_or_amount"),
            workflow.valid_states(ConventionStatus, "convention_status_declared"),
        ]

    def __str__(self):
        return f"{self.reference} — {self.company}"

    @property
    def jobs(self) -> int:
        return max(self.jobs_eliminated - self.jobs_reclassified, 0)

    def steps_of(self, kind: str) -> list["ConventionStep"]:
        return [step for step in self.steps.all() if step.kind == kind]


class ConventionStep(models.Model):
    """A dated step of the procedure (prefect's decision, agreement request or opposition, collection
    order, amendment, remainder): who recorded it, its date, its reasons. Never edited: a new step corrects."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField("étape", max_length=30, choices=ConventionStepKind.choices)
    on = models.DateField("date")
    subject = models.BooleanField("assujettie", null=True, blank=True)
    amount = models.DecimalField("montant", **MONEY, null=True, blank=True)
    reference = models.CharField("référence", max_length=120, blank=True)
    ends_on = models.DateField("nouvelle fin", null=True, blank=True)
    fund = models.ForeignKey("Fund", verbose_name="fonds", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    reasons = models.TextField("motifs", blank=True)
    by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("enregistrée le", auto_now_add=True)

    class Meta:
        verbose_name = "étape de la convention"
        ordering = ["on", "id"]


class ConventionCommittee(models.Model):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="committees")
    held_on = models.DateField("date du comité")
    minutes = models.TextField("compte rendu")
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["held_on"]


class DirectAction(models.Model):
    """A measure the company carries out under its convention, valued as D1233-41 says (the value
    counted is derived by the rule, never typed)."""

    convention = models.ForeignKey(Convention, on_delete=models.PROTECT, related_name="direct_actions")
    kind = models.CharField("nature", max_length=20, choices=MeasureKind.choices, default=MeasureKind.ACTION)
    label = models.CharField("action", max_length=250)
    done_on = models.DateField("engagée le")
    value = models.DecimalField("coût, coût prévisionnel du prêt ou valeur de marché", **MONEY)
    principal = models.DecimalField("sommes prêtées", **MONEY, null=True, blank=True)
    transfer_price = models.DecimalField("valeur de cession", **MONEY, null=True, blank=True)
    anticipation = models.CharField("prise en compte avant la signature", max_length=20, choices=Anticipation.choices,
                                    blank=True)
    jobs_created = models.PositiveIntegerField("emplois créés", default=0)
    recorded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["done_on", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="loan") | Q(principal__gt=0), name="measure_loan_has_principal"),
            models.CheckConstraint(condition=~Q(kind="real_estate") | Q(transfer_price__gte=0),
                                   name="measure_real_estate_has_price"),
        ]


class ConventionLog(models.Model):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="logs")
    from_status = models.CharField(max_length=20, blank=True, choices=ConventionStatus.choices)
    to_status = models.CharField(max_length=20, choices=ConventionStatus.choices)
    by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField("action", max_length=200, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


CONVENTION_WORKFLOW = workflow.declare(
    Convention, states=ConventionStatus, moves=workflow.moves_of((a[0], a[1]) for a in CONVENTION_ACTIONS.values()),
    entries={ConventionStatus.DRAFT}, log="funding.ConventionLog", owner="convention",
)


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
    de_minimis = models.CharField("régime de minimis", max_length=20, choices=DeMinimisRegime.choices, blank=True)
    gross_grant_equivalent = models.DecimalField("équivalent-subvention brut", **MONEY, default=Decimal("0.00"))
    # A loan's terms and the rates its gross grant equivalent was computed with (communication 2008/C 14/02).
    loan_rate = models.DecimalField("taux du prêt", max_digits=7, decimal_places=5, null=True, blank=True)
    loan_months = models.PositiveSmallIntegerField("durée de remboursement (mois)", null=True, blank=True)
    loan_frequency = models.CharField("périodicité", max_length=12, choices=LoanFrequency.choices, blank=True)
    first_due_on = models.DateField("première échéance", null=True, blank=True)
    rating = models.CharField("notation de l'emprunteur", max_length=20, choices=Rating.choices, blank=True)
    collateral = models.CharField("sûretés", max_length=10, choices=Collateral.choices, blank=True)
    margin_bp = models.PositiveSmallIntegerField("marge (points de base)", null=True, blank=True)
    base_rate = models.DecimalField("taux de base", max_digits=7, decimal_places=5, null=True, blank=True)
    reference_rate = models.DecimalField("taux de référence", max_digits=7, decimal_places=5, null=True, blank=True)
    discount_rate = models.DecimalField("taux d'actualisation", max_digits=7, decimal_places=5, null=True, blank=True)
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
    interest = models.DecimalField("intérêts", **MONEY, default=Decimal("0.00"))

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
    declared_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="déclaré par")
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


class BaseRate(models.Model):
    """The Commission's base rate for France from a date (communication 2008/C 14/02): shipped as reference
    data with its source (`levier funding load-reference`), added by an administrator when a new one is
    published. Reference rate = base rate + the loan's margin; discount rate = base rate + 100 bp."""

    effective_from = models.DateField("à partir du", unique=True)
    rate = models.DecimalField("taux de base", max_digits=7, decimal_places=5,
                               help_text="En fraction : 0,04110 pour 4,11 %")
    source = models.CharField("source", max_length=400)

    class Meta:
        verbose_name = "taux de base de la Commission"
        verbose_name_plural = "taux de base de la Commission"
        ordering = ["effective_from"]

    def __str__(self):
        return f"{self.rate * 100:.2f} % à partir du {self.effective_from:%d/%m/%Y}"


# ---------------------------------------------------------------- instruction and committees


class Committee(TimeStampedModel):
    """A fund's decision committee: its agenda lists the files it decides."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="committees")
    held_on = models.DateField("date du comité")
    title = models.CharField("intitulé", max_length=200)
    status = models.CharField("statut", max_length=10, choices=CommitteeStatus.choices, default=CommitteeStatus.PLANNED)
    members = models.ManyToManyField("accounts.User", verbose_name="membres extérieurs", blank=True, related_name="committees")

    objects = StatusGuardedQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on"]
        constraints = [workflow.valid_states(CommitteeStatus, "committee_status_declared")]

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
        constraints = [
            workflow.valid_states(InstructionStatus, "instruction_status_declared"),
            models.CheckConstraint(condition=~Q(status__in=["ineligible", "refused"]) | ~Q(reason=""),
                                   name="instruction_refusal_has_reason"),
            models.CheckConstraint(condition=~Q(status="in_committee") | Q(committee__isnull=False),
                                   name="instruction_in_committee_has_committee"),
            models.CheckConstraint(
                condition=~Q(status__in=["agreement_signed", "disbursing", "follow_up", "closed"])
                | Q(agreement_signed_on__isnull=False),
                name="instruction_agreement_has_date"),
        ]

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


INSTRUCTION_WORKFLOW = workflow.declare(
    Instruction, states=InstructionStatus, moves=workflow.moves_of((t.sources, t.target) for t in INSTRUCTION_ACTIONS.values()),
    entries={InstructionStatus.SUBMITTED}, log="funding.InstructionLog", owner="instruction",
)


class CommitteeLog(models.Model):
    """Who recorded that a committee was held, and when."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="logs")
    from_status = models.CharField(max_length=10, blank=True, choices=CommitteeStatus.choices)
    to_status = models.CharField(max_length=10, choices=CommitteeStatus.choices)
    by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField("action", max_length=200, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


COMMITTEE_WORKFLOW = workflow.declare(
    Committee, states=CommitteeStatus, moves={CommitteeStatus.PLANNED: {CommitteeStatus.HELD}},
    entries={CommitteeStatus.PLANNED, CommitteeStatus.HELD},  # held: a past committee entered afterwards
    log="funding.CommitteeLog", owner="committee",
)


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
