"""A protocol's own parameters, set by its coordinator: the exit rules' values (seed 002's by default;
PLIEs differ), the cap on training exits and the objectives' targets.

`check_parameters` is a pure function (every error listed, field by field, in French);
`update_protocol_parameters` saves them in one transaction — the audit trail keeps each change with who
made it. Exits already validated keep their validation; proposals and reports follow the new values.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from levier.core.errors import FieldError, InvalidInput
from levier.core.formats import format_number

from .models import Objective

# An IAE contract (CDDI in a SIAE) is always a pathway step (seed 002); these two count as common
# contracts unless the protocol says otherwise.
OPTIONAL_STEP_SUBTYPES = {"contrat_aide": "Contrat aidé", "alternance": "Alternance (apprentissage, professionnalisation)"}
FULL_TIME_HOURS = Decimal("151.67")
MAX_RUN_MONTHS = 24
EXIT_FIELDS = ("min_hours_per_month", "interim_short_months", "interim_short_hours", "interim_long_months",
               "interim_long_hours", "step_subtypes", "training_cap")


@dataclass(frozen=True)
class Parameters:
    min_hours_per_month: Decimal
    interim_short_months: int
    interim_short_hours: Decimal
    interim_long_months: int
    interim_long_hours: Decimal
    step_subtypes: tuple[str, ...]  # among OPTIONAL_STEP_SUBTYPES
    training_cap: Decimal  # share of participants, 0 to 1
    targets: dict  # objective key → int (counts) or Decimal share (rates)

    @classmethod
    def of(cls, protocol, objectives=None) -> "Parameters":
        """The protocol's parameters (`objectives`: its objectives when already read)."""
        objectives = protocol.objectives.all() if objectives is None else objectives
        return cls(**{name: getattr(protocol, name) for name in EXIT_FIELDS if name != "step_subtypes"},
                   step_subtypes=tuple(s for s in protocol.step_subtypes or () if s in OPTIONAL_STEP_SUBTYPES),
                   targets={o.key: (o.rate if Objective.is_rate_key(o.key) else o.target) for o in objectives})


def check_parameters(p: Parameters, objective_keys: set[str]) -> list[FieldError]:
    """Every reason the parameters cannot hold (empty: they can)."""
    errors = []
    if not Decimal(0) < p.min_hours_per_month <= FULL_TIME_HOURS:
        errors.append(FieldError("min_hours_per_month", "Heures mensuelles minimales : plus de 0 et au plus "
                                                        f"{format_number(FULL_TIME_HOURS)} (temps plein)."))
    for months, hours, label in (("interim_short_months", "interim_short_hours", "court"),
                                 ("interim_long_months", "interim_long_hours", "long")):
        if not 1 <= getattr(p, months) <= MAX_RUN_MONTHS:
            errors.append(FieldError(months, f"Intérim ({label}) : de 1 à {MAX_RUN_MONTHS} mois consécutifs."))
        if getattr(p, hours) <= 0:
            errors.append(FieldError(hours, f"Intérim ({label}) : un nombre d'heures positif."))
    if p.interim_short_months >= p.interim_long_months:
        errors.append(FieldError("interim_long_months", "La durée longue de l'intérim dépasse la durée courte."))
    unknown = [s for s in p.step_subtypes if s not in OPTIONAL_STEP_SUBTYPES]
    if unknown:
        errors.append(FieldError("step_subtypes", f"Type de contrat inconnu : {', '.join(unknown)}."))
    if not Decimal(0) <= p.training_cap <= 1:
        errors.append(FieldError("training_cap", "Plafond des sorties en formation : de 0 à 100 % des participants."))
    for key, target in p.targets.items():
        if key not in objective_keys:
            errors.append(FieldError(f"objective_{key}", "Objectif inconnu pour ce protocole."))
        elif target is None:
            errors.append(FieldError(f"objective_{key}", "Cible obligatoire."))
        elif Objective.is_rate_key(key) and not Decimal(0) <= target <= 1:
            errors.append(FieldError(f"objective_{key}", "Taux cible : de 0 à 100 %."))
        elif not Objective.is_rate_key(key) and (target < 0 or target != int(target)):
            errors.append(FieldError(f"objective_{key}", "Cible : un nombre entier positif ou nul."))
    return errors


def update_protocol_parameters(protocol, parameters: Parameters) -> bool:
    """Save a protocol's parameters and objectives' targets (all or nothing); False when nothing changed."""
    objectives = {o.key: o for o in protocol.objectives.all()}
    errors = check_parameters(parameters, set(objectives))
    if errors:
        raise InvalidInput(errors)
    if parameters == Parameters.of(protocol, objectives.values()):
        return False
    with transaction.atomic():
        for name in EXIT_FIELDS:
            setattr(protocol, name, list(getattr(parameters, name)) if name == "step_subtypes" else getattr(parameters, name))
        protocol.save()
        for key, target in parameters.targets.items():
            objective = objectives[key]
            before = (objective.rate, objective.target)
            if Objective.is_rate_key(key):
                objective.rate = target
            else:
                objective.target = int(target)
            if (objective.rate, objective.target) != before:
                objective.save(update_fields=["rate", "target"])
    return True
