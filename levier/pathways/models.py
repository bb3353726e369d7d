"""PLIE protocols, structures, participants (person and pathway), steps, contacts, FSE data, imports."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from levier.core import workflow
from levier.core.models import TimeStampedModel

from .enums import (
    SENSITIVE_FIELDS, Answer, ContactKind, ContractKind, ContractSubtype, ExitCategory, ExitKind, ExitSource,
    PATHWAY_TRANSITIONS, FseMoment, IaeKind, LabourStatus, PathwayStatus, PrescriberType, Sex, StepKind,
)
from .querysets import PathwayQuerySet, ProtocolQuerySet, StructureQuerySet
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
    training_cap = models.DecimalField("plafond des sorties en formation (part des participants)", max_digits=5,
                                       decimal_places=4, default=Decimal("0.08"))
    last_payment_on = models.DateField("date du dernier paiement FSE", null=True, blank=True)
    unit = models.ForeignKey("organisations.Unit", verbose_name="équipe d'animation du PLIE", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="plie_protocols")
    provenance = models.TextField(blank=True)

    objects = ProtocolQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on"]

    def __str__(self):
        return self.name

    def retention_ends_on(self) -> date:
        """Records are kept N years from 31 December of the year of the last payment (the protocol's
        end until that payment is known): Regulation 1303/2013 art. 140, Regulation 2021/1060 art. 82."""
        last = self.last_payment_on or self.ends_on
        return date(last.year + self.retention_years, 12, 31)

    @property
    def exit_parameters(self) -> ExitParameters:
        """The exit rules' values; a CDDI in a SIAE is always a pathway step, other subtypes as the protocol says."""
        return ExitParameters(
            min_hours_per_month=self.min_hours_per_month, interim_short_months=self.interim_short_months,
            interim_short_hours=self.interim_short_hours, interim_long_months=self.interim_long_months,
            interim_long_hours=self.interim_long_hours, step_subtypes=("cddi_siae", *(s for s in self.step_subtypes or () if s != "cddi_siae")))


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

    def __str__(self):
        return self.label

    @staticmethod
    def is_rate_key(key: str) -> bool:
        """A rate objective (`success_rate`…: a share, in `rate`) rather than a count (in `target`)."""
        return key.endswith("_rate")


class Structure(TimeStampedModel):
    """A lot holder of the accompaniment contract (seed 002: one lot per bassin de vie), employing referents."""

    protocol = models.ForeignKey(Protocol, verbose_name="protocole", on_delete=models.PROTECT, related_name="structures")
    unit = models.ForeignKey("organisations.Unit", verbose_name="équipe du titulaire", on_delete=models.PROTECT,
                             related_name="plie_structures")
    name = models.CharField("nom", max_length=200)
    lot = models.PositiveSmallIntegerField("lot", null=True, blank=True)
    bassin = models.ForeignKey("territories.Territory", verbose_name="bassin de vie", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField("début du marché")
    ends_on = models.DateField("fin du marché", null=True, blank=True)

    objects = StructureQuerySet.as_manager()

    class Meta:
        ordering = ["protocol", "lot", "name"]

    def __str__(self):
        return self.name


class Person(TimeStampedModel):
    """The identity of a participant, shared by the pathways of successive protocols.

    Kept to what the work needs; anonymised (names and contact blanked) after the retention period."""

    last_name = models.CharField("nom", max_length=150)
    first_name = models.CharField("prénom", max_length=150)
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices)
    birth_date = models.DateField("date de naissance")
    email = models.EmailField("adresse électronique", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    address = models.CharField("adresse", max_length=300, blank=True)
    match_key = models.CharField(max_length=300, editable=False)  # indexed with the birth date (person_match)
    anonymised_on = models.DateField("anonymisée le", null=True, blank=True)

    class Meta:
        verbose_name = "personne"
        indexes = [models.Index(fields=["match_key", "birth_date"], name="person_match")]

    def __str__(self):
        return f"{self.last_name.upper()} {self.first_name}"


class Pathway(TimeStampedModel):
    """A participant's pathway in one protocol: situation at entry, eligibility, referent, exit."""

    CONFIDENTIAL_FIELDS = {name: "participant_sensitive" for name in SENSITIVE_FIELDS}

    # protocol and referent lead composite indexes (below): no index of their own, writes stay cheaper.
    protocol = models.ForeignKey(Protocol, verbose_name="protocole", on_delete=models.PROTECT, related_name="pathways",
                                 db_index=False)
    person = models.ForeignKey(Person, verbose_name="personne", on_delete=models.PROTECT, related_name="pathways")
    external_id = models.CharField("identifiant externe", max_length=60, null=True, blank=True)
    status = models.CharField("état", max_length=20, choices=PathwayStatus.choices, default=PathwayStatus.PENDING)
    structure = models.ForeignKey(Structure, verbose_name="structure", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="pathways")
    referent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="référent", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="caseload", db_index=False)
    entry_date = models.DateField("date d'entrée")
    commune = models.ForeignKey("territories.Territory", verbose_name="commune de résidence", on_delete=models.PROTECT,
                                related_name="+")
    qpv = models.BooleanField("résident d'un QPV", null=True, blank=True)
    qpv_code = models.CharField("code du QPV", max_length=20, blank=True)
    notice_given_on = models.DateField("notice d'information remise le", null=True, blank=True)
    consent_on = models.DateField("consentement recueilli le", null=True, blank=True)
    jobseeker_registered_on = models.DateField("inscrit à France Travail depuis le", null=True, blank=True)
    registration_override = models.TextField("dérogation à l'inscription (motif)", blank=True)
    unemployment_months = models.PositiveSmallIntegerField("durée de chômage (mois)", null=True, blank=True)
    long_term_unemployed = models.BooleanField("chômeur de longue durée", null=True, blank=True)
    rsa = models.BooleanField("bénéficiaire du RSA", null=True, blank=True)
    ass = models.BooleanField("bénéficiaire de l'ASS", null=True, blank=True)
    aah = models.BooleanField("bénéficiaire de l'AAH", null=True, blank=True)
    rqth = models.CharField("RQTH", max_length=10, choices=Answer.choices, blank=True)
    foreign_background = models.CharField("origine étrangère", max_length=10, choices=Answer.choices, blank=True)
    qualification_level = models.CharField("niveau de qualification", max_length=5, blank=True)
    qualification_nomenclature = models.CharField("nomenclature", max_length=4, blank=True)
    housing_difficulty = models.BooleanField("difficulté de logement", null=True, blank=True)
    mobility_difficulty = models.BooleanField("difficulté de mobilité", null=True, blank=True)
    childcare_difficulty = models.BooleanField("difficulté de garde d'enfants", null=True, blank=True)
    health_difficulty = models.BooleanField("difficulté de santé", null=True, blank=True)
    debt_difficulty = models.BooleanField("difficulté d'endettement", null=True, blank=True)
    prescriber_type = models.CharField("type de prescripteur", max_length=20, choices=PrescriberType.choices, blank=True)
    prescriber = models.ForeignKey("organisations.Organisation", verbose_name="prescripteur", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    eligibility_criteria = models.JSONField("critères d'éligibilité", default=list, blank=True)
    eligibility_reason = models.TextField("motif de la décision", blank=True)
    eligibility_decided_on = models.DateField("décision d'éligibilité le", null=True, blank=True)
    carried_over_from = models.OneToOneField("self", verbose_name="parcours du protocole précédent", null=True,
                                             blank=True, on_delete=models.PROTECT, related_name="carried_over_to")
    exit_kind = models.CharField("type de sortie", max_length=20, choices=ExitKind.choices, blank=True)
    exit_date = models.DateField("date de sortie", null=True, blank=True)
    exit_source = models.CharField("origine de la sortie", max_length=10, choices=ExitSource.choices, blank=True)
    exit_category = models.CharField("catégorie de sortie positive", max_length=20, choices=ExitCategory.choices,
                                     blank=True)
    exit_validated_on = models.DateField("sortie positive validée au", null=True, blank=True)
    exit_reason = models.TextField("motif de la sortie", blank=True)
    exit_step = models.ForeignKey("Step", verbose_name="étape de sortie", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    objects = PathwayQuerySet.as_manager()

    class Meta:
        verbose_name = "parcours"
        verbose_name_plural = "parcours"
        ordering = ["-entry_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["protocol", "external_id"], name="pathway_external_id_once"),
            models.UniqueConstraint(fields=["protocol", "person"], name="pathway_person_once"),
            models.CheckConstraint(condition=Q(exit_date__isnull=True) | Q(exit_date__gte=models.F("entry_date")),
                                   name="pathway_exit_after_entry"),
            models.CheckConstraint(condition=Q(exit_category="") | Q(exit_validated_on__isnull=False),
                                   name="pathway_positive_exit_validated"),
            workflow.valid_states(PathwayStatus, "pathway_status_declared"),
            # an exited pathway says how and when; no other holds an exit
            models.CheckConstraint(condition=(Q(status="exited") & ~Q(exit_kind="") & Q(exit_date__isnull=False))
                                   | (~Q(status="exited") & Q(exit_kind="") & Q(exit_date__isnull=True)),
                                   name="pathway_exit_iff_exited"),
        ]
        indexes = [models.Index(fields=["protocol", "entry_date"], name="pathway_protocol_entry"),
                   models.Index(fields=["referent", "status"], name="pathway_caseload")]

    def __str__(self):
        return f"{self.person} — {self.protocol}"

    def confidential_visible_to(self, user, category: str) -> bool:
        from .access import sees_sensitive

        return sees_sensitive(user, self)

    @property
    def pseudonym(self) -> str:
        return f"P-{self.pk:07d}"

    @property
    def is_positive_exit(self) -> bool:
        return bool(self.exit_category)


class Step(TimeStampedModel):
    """A typed pathway step with its dates and outcome (seed 002: training, IAE contracts, jobs…)."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField("type d'étape", max_length=30, choices=StepKind.choices)
    start_date = models.DateField("début")
    end_date = models.DateField("fin", null=True, blank=True)
    outcome = models.TextField("résultat", blank=True)
    organisation_name = models.CharField("organisme ou employeur", max_length=200, blank=True)
    training_qualifying = models.BooleanField("formation qualifiante", null=True, blank=True)
    training_hours = models.DecimalField("heures de formation", max_digits=7, decimal_places=2, null=True, blank=True)
    certifying_body = models.CharField("organisme certificateur", max_length=200, blank=True)
    iae_kind = models.CharField("structure d'insertion", max_length=5, choices=IaeKind.choices, blank=True)
    contract = models.CharField("contrat", max_length=10, choices=ContractKind.choices, blank=True)
    contract_subtype = models.CharField("sous-type de contrat", max_length=20, choices=ContractSubtype.choices,
                                        default=ContractSubtype.COMMON)
    hours_per_month = models.DecimalField("heures par mois", max_digits=6, decimal_places=2, null=True, blank=True)
    interim_hours = models.JSONField("heures d'intérim par mois", default=list, blank=True)
    micro_entrepreneur = models.BooleanField("micro-entrepreneur", default=False)
    monthly_income_eur = models.DecimalField("revenu mensuel moyen (€)", max_digits=10, decimal_places=2, null=True,
                                             blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "étape de parcours"
        ordering = ["pathway", "start_date", "id"]
        constraints = [models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                                              name="step_end_after_start")]

    def __str__(self):
        return f"{self.get_kind_display()} du {self.start_date:%d/%m/%Y}"


class Contact(TimeStampedModel):
    """An appointment (planned or held) or a contact note with the participant."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField("type", max_length=20, choices=ContactKind.choices)
    on = models.DateField("date")
    held = models.BooleanField("a eu lieu", default=True)
    note = models.TextField("note", blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "contact"
        ordering = ["-on", "-id"]


class ReferentChange(models.Model):
    """History of a participant's referent (transfers between referents and structures)."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="referent_changes")
    from_referent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    to_referent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_structure = models.ForeignKey(Structure, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_structure = models.ForeignKey(Structure, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    on = models.DateField("le")
    reason = models.TextField("motif", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["pathway", "on", "id"]


class PathwayLog(models.Model):
    """Declared workflow log of a pathway: who moved it from which state to which, when and why."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="logs")
    from_status = models.CharField("de", max_length=20, choices=PathwayStatus.choices, blank=True)
    to_status = models.CharField("vers", max_length=20, choices=PathwayStatus.choices)
    action = models.CharField("action", max_length=200)
    reason = models.TextField("motif", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        ordering = ["pathway", "at", "id"]


PATHWAY_WORKFLOW = workflow.declare(
    Pathway, states=PathwayStatus, moves=PATHWAY_TRANSITIONS,
    # pending: registered by a referent; active: carried over from the previous protocol or imported;
    # exited: an imported history
    entries={PathwayStatus.PENDING, PathwayStatus.ACTIVE, PathwayStatus.EXITED},
    log="pathways.PathwayLog", owner="pathway",
)


class FseQuestionnaire(TimeStampedModel):
    """The ESF participant data at entry, at exit and six months after exit (../shared/domain/fse-indicators.md).

    Empty answers are unknown, never "no": the missing answers are listed before a claim."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="fse_questionnaires",
                                db_index=False)  # fse_questionnaire_once (pathway, moment) serves it
    moment = models.CharField("moment", max_length=10, choices=FseMoment.choices)
    answered_on = models.DateField("renseigné le")
    labour_status = models.CharField("situation sur le marché du travail", max_length=20, choices=LabourStatus.choices,
                                     blank=True)
    in_education = models.BooleanField("en études ou en formation", null=True, blank=True)
    isced = models.CharField("niveau CITE (ISCED)", max_length=5, blank=True)
    homeless = models.BooleanField("sans domicile ou exclu du logement", null=True, blank=True)
    third_country_national = models.CharField("ressortissant de pays tiers", max_length=10, choices=Answer.choices,
                                              blank=True)
    minority = models.CharField("minorité", max_length=10, choices=Answer.choices, blank=True)
    other_disadvantaged = models.CharField("autre personne défavorisée", max_length=10, choices=Answer.choices,
                                           blank=True)
    job_searching = models.BooleanField("en recherche d'emploi", null=True, blank=True)
    qualification_gained = models.BooleanField("a obtenu une qualification", null=True, blank=True)
    improved_situation = models.BooleanField("situation améliorée sur le marché du travail", null=True, blank=True)

    class Meta:
        verbose_name = "questionnaire FSE"
        constraints = [models.UniqueConstraint(fields=["pathway", "moment"], name="fse_questionnaire_once")]


class PathwayImport(models.Model):
    """One bulk import (who, when, which file, what it did); per-record audit entries are written in bulk."""

    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="imports")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("le", auto_now_add=True)
    file_name = models.CharField("fichier", max_length=300)
    file_sha256 = models.CharField("empreinte SHA-256", max_length=64)
    rows = models.PositiveIntegerField("lignes")
    created = models.PositiveIntegerField("créés")
    updated = models.PositiveIntegerField("mis à jour")

    class Meta:
        ordering = ["-at"]
