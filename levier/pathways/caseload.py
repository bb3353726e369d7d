"""Caseload and alerts (issue 5): active participants per referent and structure; no contact for
2 months, pathway beyond 18 months, exit awaiting its 6-month validation. `today` is an argument."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Max, Q

from levier.core.dates import add_months
from levier.core.formats import format_date

from .enums import PathwayStatus
from .participants import ProposedExit, proposed_exit
from .rules import PENDING, POSITIVE

NO_CONTACT_MONTHS = 2
LONG_PATHWAY_MONTHS = 18


@dataclass
class CaseloadRow:
    pathway: object
    last_contact: date | None
    proposal: ProposedExit | None
    alerts: list[str] = field(default_factory=list)


def alerts_for(pathway, *, last_contact: date | None, proposal: ProposedExit | None, today: date) -> list[str]:
    """The alerts of one active pathway at `today`."""
    alerts = []
    since = last_contact or pathway.entry_date
    if since < add_months(today, -NO_CONTACT_MONTHS):
        alerts.append(f"Aucun contact depuis le {format_date(since)}" if last_contact
                      else f"Aucun contact depuis l'entrée ({format_date(since)})")
    if add_months(pathway.entry_date, LONG_PATHWAY_MONTHS) < today:
        alerts.append(f"Parcours de plus de {LONG_PATHWAY_MONTHS} mois (entrée le {format_date(pathway.entry_date)})")
    if proposal is not None and proposal.classification is not None:
        if proposal.outcome == POSITIVE:
            alerts.append("Sortie positive à valider par le coordinateur "
                          f"(validable depuis le {format_date(proposal.classification.validated_on)})")
        elif proposal.outcome == PENDING:
            alerts.append("Sortie en attente de sa validation à 6 mois")
    return alerts


def caseload(pathways, *, today: date) -> list[CaseloadRow]:
    """Active pathways with their last contact, the exit the rules propose and their alerts (3 queries)."""
    rows = (pathways.filter(status=PathwayStatus.ACTIVE)
            .select_related("person", "protocol", "structure", "referent")
            .prefetch_related("steps")
            .annotate(last_contact=Max("contacts__on", filter=Q(contacts__held=True, contacts__on__lte=today)))
            .order_by("person__last_name", "person__first_name", "id"))
    result = []
    for pathway in rows:
        proposal = proposed_exit(pathway, today, steps=list(pathway.steps.all()))
        result.append(CaseloadRow(pathway, pathway.last_contact, proposal,
                                  alerts_for(pathway, last_contact=pathway.last_contact, proposal=proposal, today=today)))
    return result


def caseload_counts(pathways) -> dict:
    """Active participants per structure and per referent."""
    active = pathways.filter(status=PathwayStatus.ACTIVE)
    return {
        "structures": list(active.values("structure__id", "structure__name").annotate(n=Count("id"))
                           .order_by("structure__name")),
        "referents": list(active.values("referent__id", "referent__first_name", "referent__last_name",
                                        "structure__name").annotate(n=Count("id"))
                          .order_by("referent__last_name", "referent__first_name")),
    }
