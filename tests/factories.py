"""factory_boy factories shared by the test suite, with traits named after scenarios."""

import factory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from levier.accounts.enums import SECOND_FACTOR_ROLES, MembershipStatus, Role
from levier.accounts.models import Membership, User
from levier.organisations.enums import OrganisationKind, UnitKind
from levier.organisations.models import Establishment, Organisation, Unit


def valid_siren(seed: int) -> str:
    """A SIREN with a valid Luhn key, derived from `seed` (fictitious)."""
    from stdnum.fr import siren

    base = f"{800000000 + seed * 10:09d}"[:8]
    return next(base + d for d in "0123456789" if siren.is_valid(base + d))


def valid_siret(siren_value: str, nic_seed: int = 1) -> str:
    from stdnum.fr import siret

    for nic in range(nic_seed, nic_seed + 200):
        stem = f"{siren_value}{nic:04d}"
        for digit in "0123456789":
            if siret.is_valid(stem + digit):
                return stem + digit
    raise AssertionError("no valid SIRET found")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Entreprise fictive {n}")
    kind = OrganisationKind.COMPANY
    siren = factory.Sequence(lambda n: valid_siren(n + 1))

    class Params:
        natural_person = factory.Trait(kind=OrganisationKind.NATURAL_PERSON, siren=None, name=factory.Sequence(lambda n: f"Jeanne Créatrice {n}"))
        association = factory.Trait(kind=OrganisationKind.ASSOCIATION, siren=None)

    @factory.post_generation
    def whole_unit(obj, create, extracted, **kwargs):
        if create:
            Unit.objects.get_or_create(organisation=obj, kind=UnitKind.WHOLE, defaults={"name": obj.name})


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    kind = UnitKind.SERVICE


class EstablishmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Establishment

    organisation = factory.SubFactory(OrganisationFactory)
    siret = factory.LazyAttributeSequence(lambda o, n: valid_siret(o.organisation.siren, n + 1) if o.organisation.siren else None)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.test")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Testeur{n}")
    password = factory.PostGenerationMethodCall("set_password", "Mot-de-passe-solide-2026")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.OPERATOR_INSTRUCTOR
    status = MembershipStatus.ACCEPTED
    decided_at = factory.LazyFunction(timezone.now)

    class Params:
        pending = factory.Trait(status=MembershipStatus.PENDING, decided_at=None)


def user_with_role(role: str, unit: Unit, *, scope_units=(), **user_fields) -> User:
    """A user holding `role` in `unit` (accepted); roles that see personal data get a TOTP device."""
    user = UserFactory(is_superuser=role == Role.ADMINISTRATOR, is_staff=role == Role.ADMINISTRATOR, **user_fields)
    membership = MembershipFactory(user=user, unit=unit, role=role)
    if scope_units:
        membership.scope_units.set(scope_units)
    if role in SECOND_FACTOR_ROLES:
        TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


def login(client, user, *, verified: bool = True) -> None:
    """Log `user` in; with `verified`, as if the second factor had been given."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if verified and device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
