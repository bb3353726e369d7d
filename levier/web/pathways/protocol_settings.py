"""The coordinator's page of a protocol's parameters: exit rules' values, training cap, objectives' targets,
with the history of their changes (from the audit trail)."""

import ast
from decimal import Decimal, InvalidOperation

from auditlog.models import LogEntry
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render

from levier.core.errors import InvalidInput
from levier.core.formats import format_number
from levier.pathways import access
from levier.pathways.models import Objective, Protocol
from levier.pathways.protocol_settings import EXIT_FIELDS, OPTIONAL_STEP_SUBTYPES, Parameters, update_protocol_parameters
from levier.web.forms_base import DsfrFormMixin, add_errors

HUNDRED = Decimal(100)
SHOWN_FIELDS = {*EXIT_FIELDS, "target", "rate"}  # the history of what this page sets


def _percent(label: str, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(label=label, min_value=0, max_value=100, max_digits=7, decimal_places=2,
                              localize=True, **kwargs)


class ProtocolParametersForm(DsfrFormMixin, forms.Form):
    min_hours_per_month = forms.DecimalField(label="CDI ou CDD : heures par mois au moins", decimal_places=2,
                                             localize=True, help_text="Par défaut : 76 h (mi-temps).")
    interim_short_months = forms.IntegerField(label="Intérim en continu : mois consécutifs (durée courte)",
                                              help_text="Par défaut : 6 mois.")
    interim_short_hours = forms.DecimalField(label="Intérim : heures sur la durée courte", decimal_places=2,
                                             localize=True, help_text="Par défaut : 624 h.")
    interim_long_months = forms.IntegerField(label="Intérim en continu : mois consécutifs (durée longue)",
                                             help_text="Par défaut : 9 mois.")
    interim_long_hours = forms.DecimalField(label="Intérim : heures sur la durée longue", decimal_places=2,
                                            localize=True, help_text="Par défaut : 936 h.")
    step_subtypes = forms.MultipleChoiceField(
        label="Contrats comptés comme étapes de parcours, pas comme sorties", required=False,
        choices=list(OPTIONAL_STEP_SUBTYPES.items()), widget=forms.CheckboxSelectMultiple,
        help_text="Le CDDI en SIAE est toujours une étape de parcours ; les autres contrats comptent comme des contrats "
                  "de droit commun, sauf s'ils sont cochés ici.")
    training_cap = _percent("Sorties en formation comptées : au plus (% des participants)",
                            help_text="Par défaut : 8 %.")

    def __init__(self, *args, objectives: list[Objective], **kwargs):
        super().__init__(*args, **kwargs)
        self.objectives = objectives
        for objective in objectives:
            name = f"objective_{objective.key}"
            if Objective.is_rate_key(objective.key):
                self.fields[name] = _percent(f"Objectif : {objective.label} (%)")
            else:
                self.fields[name] = forms.IntegerField(label=f"Objectif : {objective.label}")
        self.style_fields()

    @staticmethod
    def initial_of(parameters: Parameters) -> dict:
        initial = {name: _plain(getattr(parameters, name)) for name in EXIT_FIELDS}
        initial["step_subtypes"] = list(parameters.step_subtypes)
        initial["training_cap"] = _plain(parameters.training_cap * HUNDRED)
        for key, target in parameters.targets.items():
            initial[f"objective_{key}"] = _plain(target * HUNDRED) if Objective.is_rate_key(key) and target is not None \
                else target
        return initial

    def parameters(self) -> Parameters:
        data = self.cleaned_data
        targets = {o.key: data[f"objective_{o.key}"] for o in self.objectives}
        return Parameters(**{**{name: data[name] for name in EXIT_FIELDS},
                             "step_subtypes": tuple(sorted(data["step_subtypes"])), "training_cap": data["training_cap"] / HUNDRED},
                          targets={key: target / HUNDRED if Objective.is_rate_key(key) else target
                                   for key, target in targets.items()})


def _plain(value):
    """76.00 → 76, 70.50 → 70.5 (as typed)."""
    if isinstance(value, Decimal):
        return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return value


def history(protocol, limit: int = 30) -> list[LogEntry]:
    """The latest changes of the protocol and of its objectives, with who made them."""
    objective_ids = list(protocol.objectives.values_list("id", flat=True))
    types = ContentType.objects.get_for_models(Protocol, Objective)
    return list(LogEntry.objects.filter(
        Q(content_type=types[Protocol], object_id=protocol.pk) | Q(content_type=types[Objective], object_id__in=objective_ids),
        action=LogEntry.Action.UPDATE).select_related("actor").order_by("-timestamp")[:limit])


def _shown(field: str, value) -> str:
    """A value of the audit trail as the page shows it: French numbers, rates in %, contract labels."""
    if field == "step_subtypes":
        try:
            chosen = ast.literal_eval(value) if isinstance(value, str) else value
        except (ValueError, SyntaxError):
            return str(value)
        return ", ".join(OPTIONAL_STEP_SUBTYPES.get(s, s) for s in chosen) or "aucun"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    if field in ("rate", "training_cap"):
        return f"{format_number(_plain(number * HUNDRED))} %"
    return format_number(_plain(number))


def _labels() -> dict[str, str]:
    labels = {f.name: str(f.verbose_name) for f in Protocol._meta.fields}
    labels.update({"target": "cible (nombre)", "rate": "cible (taux)"})
    return labels


@login_required
def protocol_parameters(request, slug: str):
    protocol = get_object_or_404(Protocol.objects.visible_to(request.user), slug=slug)
    if not access.is_coordinator(request.user, protocol):
        raise PermissionDenied
    objectives = list(protocol.objectives.all())
    form = ProtocolParametersForm(request.POST or None, objectives=objectives,
                                  initial=ProtocolParametersForm.initial_of(Parameters.of(protocol)))
    if request.method == "POST" and form.is_valid():
        try:
            changed = update_protocol_parameters(protocol, form.parameters())
        except InvalidInput as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Paramètres enregistrés : les propositions de sortie et le tableau de bord les "
                                      "appliquent." if changed else "Aucun changement.")
            return redirect("pathways:parameters", slug=protocol.slug)
    labels = _labels()
    changes = []
    for entry in history(protocol):
        fields = [(labels.get(field, field), _shown(field, before), _shown(field, after))
                  for field, (before, after) in (entry.changes_dict or {}).items() if field in SHOWN_FIELDS]
        if fields:
            changes.append((entry, fields))
    return render(request, "pathways/parameters.html", {
        "title": f"Paramètres — {protocol.name}", "protocol": protocol, "form": form, "changes": changes})
