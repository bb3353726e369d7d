import pytest


@pytest.fixture
def pathways_reference(db):
    """The seed protocols (2013-2017, 2018-2022) and their objectives."""
    from levier.pathways.services import load_reference_protocols

    load_reference_protocols()


@pytest.fixture
def plie(pathways_reference):
    """The 2018-2022 protocol coordinated by a PLIE unit, two structures (lots 1 and 2) with one referent
    each, an auditor and an FSE controller over the PLIE, and one registered participant per structure."""
    from datetime import date

    from levier.accounts.enums import Role
    from levier.pathways import participants
    from levier.pathways.models import Protocol, Structure
    from levier.territories.models import Territory
    from tests.factories import OrganisationFactory, UnitFactory, user_with_role

    plie_unit = UnitFactory(name="Animation du PLIE")
    protocol = Protocol.objects.get(slug="plie-pays-aix-2018-2022")
    protocol.unit = plie_unit
    protocol.save()
    structures, referents = [], []
    for lot, bassin in ((1, "pays-aix-centre"), (2, "pays-aix-sud")):
        unit = UnitFactory(organisation=OrganisationFactory(name=f"Association du lot {lot}"), name=f"Équipe du lot {lot}")
        structures.append(Structure.objects.create(
            protocol=protocol, unit=unit, name=f"Lot {lot}", lot=lot, starts_on=date(2018, 1, 1),
            bassin=Territory.objects.get(kind="bassin", code=bassin)))
        referents.append(user_with_role(Role.REFERENT, unit, first_name=f"Référent{lot}", last_name="Lot"))
    coordinator = user_with_role(Role.PLIE_COORDINATOR, plie_unit, first_name="Coline", last_name="Coordinatrice")
    auditor = user_with_role(Role.AUDITOR, UnitFactory(name="Audit"), scope_units=[plie_unit])
    controller = user_with_role(Role.FSE_CONTROLLER, UnitFactory(name="Contrôle FSE"), scope_units=[plie_unit])
    aix = Territory.objects.get(kind="commune", code="13001")
    people = []
    for index, (structure, referent) in enumerate(zip(structures, referents, strict=True)):
        registration = participants.register_participant(protocol=protocol, by=coordinator, structure=structure,
                                                         referent=referent, entry=participants.EntryInput(**{
            "last_name": ["Lambert", "Nguyen"][index], "first_name": ["Aline", "Bao"][index], "sex": "F",
            "birth_date": date(1985, 3, 4), "commune": aix, "entry_date": date(2021, 2, 1),
            "notice_given_on": date(2021, 2, 1), "consent_on": date(2021, 2, 1), "rsa": True, "health_difficulty": True,
            "jobseeker_registered_on": date(2020, 6, 1), "unemployment_months": 14}))
        people.append(participants.decide_eligibility(pathway=registration.pathway, by=coordinator, eligible=True,
                                                      criteria=["minimum_income"], on=date(2021, 2, 3)))
    return {"protocol": protocol, "structures": structures, "referents": referents, "coordinator": coordinator,
            "auditor": auditor, "controller": controller, "pathways": people, "aix": aix}
