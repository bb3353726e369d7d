"""Participants' records are in the audit trail (writes with before/after, reads logged by the views);
sensitive fields are masked in history for viewers who may not see them (CONFIDENTIAL_FIELDS)."""

from auditlog.registry import auditlog

from .models import Contact, FseQuestionnaire, Objective, Pathway, Person, Protocol, ReferentChange, Step, Structure

auditlog.register(Protocol)
auditlog.register(Objective)
auditlog.register(Structure)
auditlog.register(Person, exclude_fields=["match_key"])
auditlog.register(Pathway)
auditlog.register(Step)
auditlog.register(Contact)
auditlog.register(ReferentChange)
auditlog.register(FseQuestionnaire)
