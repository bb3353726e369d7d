"""FSE questionnaires at entry, at exit and six months after the exit (use cases).

An empty answer is unknown (listed as missing before a claim), never "no"; sensitive questions accept
"ne souhaite pas répondre". Each questionnaire is written once per moment and may be corrected."""

from datetime import date

from django.db import transaction

from levier.core.audit import acting_as
from levier.core.errors import FieldError, InvalidInput
from levier.core.formats import format_date

from . import access
from .enums import Answer, FseMoment, LabourStatus
from .fse import ISCED_ANSWERS, follow_up_due_on
from .models import FseQuestionnaire, Pathway

FIELDS = ("labour_status", "in_education", "isced", "homeless", "third_country_national", "minority",
          "other_disadvantaged", "job_searching", "qualification_gained", "improved_situation")


def validate(pathway: Pathway, moment: str, data: dict) -> list[FieldError]:
    errors = []
    if moment not in FseMoment.values:
        errors.append(FieldError("moment", "Moment attendu : entrée, sortie ou suivi à six mois."))
    answered_on = data.get("answered_on")
    if not answered_on:
        errors.append(FieldError("answered_on", "Date obligatoire."))
    elif moment == FseMoment.ENTRY and answered_on < pathway.entry_date:
        errors.append(FieldError("answered_on", "Questionnaire d'entrée avant l'entrée dans le PLIE."))
    elif moment in (FseMoment.EXIT, FseMoment.FOLLOW_UP) and pathway.exit_date is None:
        errors.append(FieldError("moment", "Le participant n'est pas sorti du PLIE."))
    elif moment == FseMoment.FOLLOW_UP and answered_on < follow_up_due_on(pathway.exit_date):
        errors.append(FieldError("answered_on", "Le suivi se fait six mois après la sortie, à partir du "
                                                f"{format_date(follow_up_due_on(pathway.exit_date))}."))
    if data.get("labour_status") and data["labour_status"] not in LabourStatus.values:
        errors.append(FieldError("labour_status", "Situation inconnue."))
    if data.get("isced") and data["isced"] not in ISCED_ANSWERS:
        errors.append(FieldError("isced", "Niveau CITE attendu : 0 à 8."))
    for field in ("third_country_national", "minority", "other_disadvantaged"):
        if data.get(field) and data[field] not in Answer.values:
            errors.append(FieldError(field, "Réponse attendue : oui, non ou ne souhaite pas répondre."))
    return errors


def record_questionnaire(*, pathway: Pathway, by, moment: str, data: dict) -> FseQuestionnaire:
    """Write (or correct) the questionnaire of `moment`; only the participant's referent and the
    coordinator answer it (sensitive questions)."""
    if not access.may_change(by, pathway) or not access.sees_sensitive(by, pathway):
        raise InvalidInput.single("", "Seuls le référent du participant et le coordinateur renseignent ce questionnaire.")
    errors = validate(pathway, moment, data)
    if errors:
        raise InvalidInput(errors)
    values = {field: data.get(field) for field in FIELDS}
    for field in ("labour_status", "isced", "third_country_national", "minority", "other_disadvantaged"):
        values[field] = values[field] or ""
    with transaction.atomic(), acting_as(by):
        questionnaire, _ = FseQuestionnaire.objects.update_or_create(
            pathway=pathway, moment=moment, defaults={"answered_on": data["answered_on"], **values})
    return questionnaire


def copy_entry_questionnaire(source: Pathway, target: Pathway) -> None:
    """A carried-over participant keeps the answers given at entry (same person, same entry date)."""
    entry = source.fse_questionnaires.filter(moment=FseMoment.ENTRY).first()
    if entry is not None:
        FseQuestionnaire.objects.create(pathway=target, moment=FseMoment.ENTRY, answered_on=entry.answered_on,
                                        **{field: getattr(entry, field) for field in FIELDS})


def due_moments(pathway: Pathway, as_of: date) -> list[str]:
    moments = [FseMoment.ENTRY]
    if pathway.exit_date and pathway.exit_date <= as_of:
        moments.append(FseMoment.EXIT)
        if follow_up_due_on(pathway.exit_date) <= as_of:
            moments.append(FseMoment.FOLLOW_UP)
    return moments
