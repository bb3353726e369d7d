"""Right of access (GDPR art. 15): everything Levier holds on one person, in one document."""

from django.forms.models import model_to_dict

from .models import Person

EXCLUDED = {"match_key"}


def _plain(instance, exclude=()) -> dict:
    data = model_to_dict(instance, exclude=[*EXCLUDED, *exclude])
    data["id"] = instance.pk
    return data


def everything_held(person: Person) -> dict:
    """The person, each pathway with its steps, contacts, referent changes, decisions and FSE answers,
    and who read or changed the records (audit trail)."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    pathways = []
    for pathway in person.pathways.select_related("protocol", "structure", "referent", "commune"):
        entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(type(pathway)),
                                          object_pk=str(pathway.pk)).select_related("actor").order_by("timestamp")
        pathways.append({
            **_plain(pathway), "protocol": pathway.protocol.name, "commune": str(pathway.commune),
            "structure": str(pathway.structure) if pathway.structure else None,
            "referent": pathway.referent.get_full_name() if pathway.referent else None,
            "steps": [_plain(s) for s in pathway.steps.all()],
            "contacts": [_plain(c) for c in pathway.contacts.all()],
            "referent_changes": [_plain(c) for c in pathway.referent_changes.all()],
            "decisions": [{"at": log.at, "from": log.from_status, "to": log.to_status, "action": log.action,
                           "reason": log.reason} for log in pathway.logs.all()],
            "fse_questionnaires": [_plain(q) for q in pathway.fse_questionnaires.all()],
            "audit": [{"at": e.timestamp, "by": e.actor.get_full_name() if e.actor else None,
                       "action": e.get_action_display()} for e in entries],
        })
    return {"person": _plain(person), "pathways": pathways,
            "notice": "Données détenues par le PLIE dans Levier, communiquées au titre de l'article 15 du RGPD."}
