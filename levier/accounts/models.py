from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q

from levier.core import workflow
from levier.core.models import TimeStampedModel

from .enums import MEMBERSHIP_TRANSITIONS, MembershipStatus, Role
from .querysets import MembershipQuerySet


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    username = None
    email = models.EmailField("adresse électronique", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()
    # What the audit trail records of a user's credentials (levier.accounts.credentials), never their secrets.
    HISTORY_LABELS = {"api_token": "jeton d'API", "second_factor": "double authentification"}

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["email"]

    def __str__(self):
        full = self.get_full_name()
        return f"{full} <{self.email}>" if full else self.email


class Membership(TimeStampedModel):
    """A user's role in a unit. Company memberships start as requests (pending)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey("organisations.Unit", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("rôle", max_length=30, choices=Role.choices)
    status = models.CharField(
        "statut", max_length=20, choices=MembershipStatus.choices, default=MembershipStatus.PENDING
    )
    message = models.TextField("message de la demande", blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="décidée par"
    )
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    scope_units = models.ManyToManyField(
        "organisations.Unit",
        blank=True,
        related_name="controlled_by",
        verbose_name="périmètre de contrôle",
        help_text="Auditeur et contrôleur FSE : services dont ils lisent les dossiers.",
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "habilitation"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                condition=Q(status__in=["pending", "accepted"]),
                name="membership_unique_live",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False),
                name="membership_decided_has_date",
            ),
            workflow.valid_states(MembershipStatus, "membership_status_declared"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.unit}"


class MembershipLog(models.Model):
    """Who moved a membership from one status to another, when and why."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="logs")
    from_status = models.CharField("de", max_length=20, choices=MembershipStatus.choices, blank=True)
    to_status = models.CharField("vers", max_length=20, choices=MembershipStatus.choices)
    by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("le", auto_now_add=True)
    action = models.CharField("action", max_length=200, blank=True)
    reason = models.TextField("motif", blank=True)

    class Meta:
        verbose_name = "journal d'habilitation"
        ordering = ["at", "id"]


MEMBERSHIP_WORKFLOW = workflow.declare(
    Membership, states=MembershipStatus, moves=MEMBERSHIP_TRANSITIONS,
    entries={MembershipStatus.PENDING, MembershipStatus.ACCEPTED},  # a request, or a role given by an administrator
    log="accounts.MembershipLog", owner="membership",
)
