"""FSE pages: the EU common indicators of a protocol, the answers missing before a claim, and the
entry / exit / follow-up questionnaires of a participant."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from levier.core.audit import log_read
from levier.core.errors import InvalidInput
from levier.pathways import access, fse
from levier.pathways.enums import Answer, FseMoment, LabourStatus
from levier.pathways.models import FseQuestionnaire, Protocol
from levier.pathways.questionnaires import record_questionnaire
from levier.reporting.model import Column, Report, Table
from levier.reporting.render import file_response, render_xlsx
from levier.web.forms_base import DsfrFormMixin, IsoDateInput, add_errors

from .participants import _changeable
from .views import PLIE_ROLES, _as_of, require

TRI_STATE = forms.NullBooleanSelect
SEX_LABELS = {"women": "Femmes", "men": "Hommes", "non_binary": "Non binaires", "total": "Total"}


def indicator_table(figures: dict) -> Table:
    columns = [key for key in ("women", "men", "non_binary", "total")
               if any(key in entry for entry in figures["indicators"].values())]
    return Table(title=f"Indicateurs communs FSE {figures['period']}", columns=[
        Column("code", "Code", "text"), Column("label", "Indicateur", "text"),
        *(Column(key, SEX_LABELS[key], "integer") for key in columns)],
        rows=[{"code": code, "label": entry["label"], **{key: entry[key] for key in columns}}
              for code, entry in figures["indicators"].items()],
        footnote=f"{figures['participants']} participants FSE (parcours de plus d'un jour ouverts sur la période), "
                 f"situation au {figures['as_of']}.")


@login_required
def indicators(request, slug: str):
    require(request.user, PLIE_ROLES)
    protocol = get_object_or_404(Protocol.objects.visible_to(request.user), slug=slug)
    as_of = _as_of(request)
    figures = fse.indicators(protocol, as_of=as_of)
    table = indicator_table(figures)
    if request.GET.get("format") == "xlsx":
        report = Report(title=f"Indicateurs FSE — {protocol.name}", subtitle=f"Situation au {as_of:%d/%m/%Y}",
                        sections=[table], generated_on=timezone.localdate())
        return file_response(render_xlsx(report), f"indicateurs-fse-{protocol.slug}-{as_of.isoformat()}.xlsx",
                             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    team = access.is_coordinator(request.user, protocol) or access.is_controller(request.user, protocol)
    missing = fse.missing_by_participant(protocol, as_of=as_of) if team else []
    return render(request, "pathways/fse.html", {
        "title": f"Indicateurs FSE — {protocol.name}", "protocol": protocol, "figures": figures, "table": table,
        "as_of": as_of, "missing": missing[:300], "missing_count": len(missing), "team": team})


class QuestionnaireForm(DsfrFormMixin, forms.Form):
    answered_on = forms.DateField(label="Renseigné le", widget=IsoDateInput())
    labour_status = forms.ChoiceField(label="Situation sur le marché du travail", required=False,
                                      choices=[("", "Non renseigné"), *LabourStatus.choices])
    in_education = forms.NullBooleanField(label="En études ou en formation", required=False, widget=TRI_STATE)
    job_searching = forms.NullBooleanField(label="En recherche d'emploi", required=False, widget=TRI_STATE)
    qualification_gained = forms.NullBooleanField(label="A obtenu une qualification", required=False, widget=TRI_STATE)
    improved_situation = forms.NullBooleanField(label="Situation améliorée (emploi plus stable, temps plein, "
                                                      "poste plus qualifié)", required=False, widget=TRI_STATE)
    isced = forms.ChoiceField(label="Plus haut niveau d'études (CITE)", required=False, choices=[
        ("", "Déduit du niveau de qualification"), *((str(n), f"CITE {n}") for n in range(9))])
    homeless = forms.NullBooleanField(label="Sans domicile ou exclu du logement", required=False, widget=TRI_STATE)
    third_country_national = forms.ChoiceField(label="Ressortissant d'un pays tiers", required=False,
                                               choices=[("", "Non renseigné"), *Answer.choices])
    minority = forms.ChoiceField(label="Appartient à une minorité", required=False,
                                 choices=[("", "Non renseigné"), *Answer.choices])
    other_disadvantaged = forms.ChoiceField(label="Autre personne défavorisée", required=False,
                                            choices=[("", "Non renseigné"), *Answer.choices])

    ENTRY_ONLY = ("isced", "homeless", "third_country_national", "minority", "other_disadvantaged")
    LATER_ONLY = ("job_searching", "qualification_gained")

    def __init__(self, *args, moment: str, **kwargs):
        super().__init__(*args, **kwargs)
        drop = {FseMoment.ENTRY: (*self.LATER_ONLY, "improved_situation"),
                FseMoment.EXIT: (*self.ENTRY_ONLY, "improved_situation"),
                FseMoment.FOLLOW_UP: (*self.ENTRY_ONLY, *self.LATER_ONLY, "in_education")}[moment]
        for name in drop:
            del self.fields[name]


@login_required
def questionnaire(request, pk: int, moment: str):
    if moment not in FseMoment.values:
        raise PermissionDenied
    pathway = _changeable(request, pk)
    if not access.sees_sensitive(request.user, pathway):
        raise PermissionDenied
    log_read(pathway)
    existing = FseQuestionnaire.objects.filter(pathway=pathway, moment=moment).first()
    initial = {f: getattr(existing, f) for f in QuestionnaireForm.base_fields} if existing else \
        {"answered_on": timezone.localdate()}
    form = QuestionnaireForm(request.POST or None, initial=initial, moment=moment)
    if request.method == "POST" and form.is_valid():
        try:
            record_questionnaire(pathway=pathway, by=request.user, moment=moment, data=form.cleaned_data)
        except InvalidInput as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Questionnaire FSE enregistré.")
            return redirect("pathways:participant", pk=pk)
    return render(request, "pathways/questionnaire.html", {
        "title": f"Questionnaire FSE — {FseMoment(moment).label.lower()}", "form": form, "pathway": pathway,
        "moment_label": FseMoment(moment).label, "missing": fse.missing_answers(pathway, as_of=timezone.localdate())})

