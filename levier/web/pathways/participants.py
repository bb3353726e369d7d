"""A participant's file: entry form, timeline, steps, contacts, proposed exit and the coordinator's decisions."""

import json
from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from levier.accounts.enums import Role
from levier.accounts.models import Membership
from levier.accounts.permissions import scope_of
from levier.core.audit import history_for, log_read
from levier.core.errors import InvalidInput
from levier.core.parsing import date_field, parse_decimal, parse_iso_date
from levier.core.formats import format_number
from levier.organisations.models import Organisation
from levier.pathways import access, fse
from levier.pathways import participants as service
from levier.pathways.enums import (
    OTHER_EXIT_KINDS, Answer, ContactKind, ContractKind, ContractSubtype, EligibilityCriterion, ExitCategory, ExitKind,
    FseMoment,
    IaeKind, PathwayStatus, PrescriberType, Sex, StepKind,
)
from levier.pathways.models import Pathway, Protocol, Step, Structure
from levier.pathways.qualifications import NEW_LEVELS, OLD_LEVELS
from levier.pathways.questionnaires import due_moments
from levier.pathways.right_of_access import everything_held
from levier.web.forms_base import DsfrFormMixin, FrenchDecimalField, IsoDateInput, add_errors, flash_errors

TRI_STATE = forms.NullBooleanSelect


def _answer_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=[("", "Non renseigné"), *Answer.choices])


class ParticipantForm(DsfrFormMixin, forms.Form):
    protocol = forms.ModelChoiceField(label="Protocole", queryset=Protocol.objects.none(), empty_label=None)
    structure = forms.ModelChoiceField(label="Structure d'accompagnement", queryset=Structure.objects.none(), required=False)
    last_name = forms.CharField(label="Nom", max_length=150)
    first_name = forms.CharField(label="Prénom", max_length=150)
    sex = forms.ChoiceField(label="Sexe", choices=Sex.choices)
    birth_date = forms.DateField(label="Date de naissance", widget=IsoDateInput())
    email = forms.EmailField(label="Adresse électronique", required=False)
    phone = forms.CharField(label="Téléphone", max_length=30, required=False)
    address = forms.CharField(label="Adresse", max_length=300, required=False)
    commune_code = forms.CharField(label="Commune de résidence (code INSEE)", max_length=5,
                                   help_text="Par exemple 13001 pour Aix-en-Provence.")
    qpv = forms.NullBooleanField(label="Résident d'un quartier prioritaire (QPV)", required=False, widget=TRI_STATE)
    entry_date = forms.DateField(label="Date d'entrée", widget=IsoDateInput())
    notice_given_on = forms.DateField(label="Notice d'information remise le", widget=IsoDateInput())
    consent_on = forms.DateField(label="Consentement recueilli le", widget=IsoDateInput())
    jobseeker_registered_on = forms.DateField(label="Inscrit comme demandeur d'emploi (France Travail) depuis le",
                                              required=False, widget=IsoDateInput())
    unemployment_months = forms.IntegerField(label="Durée de chômage (mois)", min_value=0, required=False)
    rsa = forms.NullBooleanField(label="Bénéficiaire du RSA", required=False, widget=TRI_STATE)
    ass = forms.NullBooleanField(label="Bénéficiaire de l'ASS", required=False, widget=TRI_STATE)
    aah = forms.NullBooleanField(label="Bénéficiaire de l'AAH", required=False, widget=TRI_STATE)
    rqth = _answer_field("Reconnaissance de la qualité de travailleur handicapé (RQTH)")
    foreign_background = _answer_field("Origine étrangère")
    qualification_level = forms.ChoiceField(label="Niveau de qualification", required=False, choices=[
        ("", "Non renseigné"), *((level, f"Niveau {level.replace('Vbis', 'V bis')}") for level in OLD_LEVELS),
        *((level, f"Niveau {level} (cadre 2019)") for level in NEW_LEVELS)])
    housing_difficulty = forms.NullBooleanField(label="Difficulté de logement", required=False, widget=TRI_STATE)
    mobility_difficulty = forms.NullBooleanField(label="Difficulté de mobilité", required=False, widget=TRI_STATE)
    childcare_difficulty = forms.NullBooleanField(label="Difficulté de garde d'enfants", required=False, widget=TRI_STATE)
    health_difficulty = forms.NullBooleanField(label="Difficulté de santé", required=False, widget=TRI_STATE)
    debt_difficulty = forms.NullBooleanField(label="Difficulté d'endettement", required=False, widget=TRI_STATE)
    prescriber_type = forms.ChoiceField(label="Prescripteur", required=False, choices=[("", "Non renseigné"),
                                                                                      *PrescriberType.choices])
    prescriber = forms.ModelChoiceField(label="Organisme prescripteur", required=False, queryset=Organisation.objects.none(),
                                        empty_label="Non renseigné")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prescriber"].queryset = Organisation.objects.filter(roles__icontains="prescriber").order_by("name")
        self.fields["protocol"].queryset = creatable_protocols(user)
        self.fields["structure"].queryset = Structure.objects.visible_to(user).select_related("protocol")


def creatable_protocols(user):
    scope = scope_of(user)
    if scope.is_read_only:
        return Protocol.objects.none()
    visible = Protocol.objects.visible_to(user)
    if scope.is_admin:
        return visible
    return visible.filter(Q(unit_id__in=scope.units(Role.PLIE_COORDINATOR))
                          | Q(structures__unit_id__in=scope.units(Role.REFERENT))).distinct()


def _entry_data(form) -> dict:
    from levier.pathways.qualifications import parse_level
    from levier.territories.services import commune_by_code

    data = {k: v for k, v in form.cleaned_data.items() if k not in ("protocol", "structure", "commune_code")}
    data["commune"] = commune_by_code(form.cleaned_data["commune_code"])
    if data.get("qualification_level"):
        level = parse_level(data["qualification_level"])
        data["qualification_level"], data["qualification_nomenclature"] = level.level, level.nomenclature
    return data


@login_required
def participant_create(request):
    scope = scope_of(request.user)
    if scope.is_read_only or not scope.has(Role.PLIE_COORDINATOR, Role.REFERENT):
        raise PermissionDenied
    initial = {"protocol": creatable_protocols(request.user).filter(slug=request.GET.get("protocole")).first()}
    form = ParticipantForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        protocol, structure = form.cleaned_data["protocol"], form.cleaned_data["structure"]
        referent = None
        if Role.REFERENT in scope.roles and not access.is_coordinator(request.user, protocol):
            structure = structure or Structure.objects.filter(protocol=protocol, unit_id__in=scope.units(Role.REFERENT)).first()
            if structure is None or structure.unit_id not in scope.units(Role.REFERENT):
                form.add_error("structure", "Choisissez votre structure.")
            referent = request.user
        if not form.errors:
            try:
                registration = service.register_participant(protocol=protocol, by=request.user, entry=service.EntryInput(**_entry_data(form)),
                                                            structure=structure, referent=referent)
            except InvalidInput as exc:
                add_errors(form, _rename_commune(exc))
            else:
                if registration.attached_to_known_person:
                    messages.info(request, "Personne déjà connue dans un autre protocole : ce parcours lui est rattaché.")
                messages.success(request, "Participant enregistré ; l'éligibilité est à décider par le coordinateur.")
                return redirect("pathways:participant", pk=registration.pathway.pk)
    return render(request, "pathways/participant_form.html", {"title": "Nouveau participant", "form": form})


def _rename_commune(exc: InvalidInput) -> InvalidInput:
    from levier.core.errors import FieldError

    return InvalidInput([FieldError("commune_code" if e.field in ("commune", "code") else e.field, e.message)
                         for e in exc.errors])


def _visible(request, pk: int) -> Pathway:
    return get_object_or_404(Pathway.objects.visible_to(request.user).select_related(
        "person", "protocol__territory", "structure__bassin", "referent", "commune"), pk=pk)


def timeline(pathway: Pathway, *, names: bool) -> list[tuple[date, str, str]]:
    """Entry, steps, contacts, referent changes and decisions, in date order."""
    events = [(pathway.entry_date, "Entrée", f"Entrée dans le PLIE ({pathway.protocol.name})")]
    for step in pathway.steps.all():
        detail = step.get_kind_display()
        if step.contract:
            detail += f" — {step.get_contract_display()}"
        if step.hours_per_month is not None:
            detail += f", {format_number(step.hours_per_month.normalize())} h/mois"
        if step.end_date:
            detail += f" jusqu'au {step.end_date:%d/%m/%Y}"
        events.append((step.start_date, "Étape", detail + (f" : {step.outcome}" if step.outcome else "")))
    for contact in pathway.contacts.all():
        note = f" — {contact.note}" if contact.note and names else ""
        events.append((contact.on, "Contact", f"{contact.get_kind_display()}{'' if contact.held else ' (prévu)'}{note}"))
    for change in pathway.referent_changes.select_related("to_referent", "to_structure"):
        events.append((change.on, "Référent", f"Suivi par {change.to_referent.get_full_name() or change.to_referent.email}"
                                              + (f" ({change.to_structure})" if change.to_structure else "")))
    if pathway.exit_date:
        events.append((pathway.exit_date, "Sortie", f"{pathway.get_exit_kind_display()}"
                                                    + (f" — {pathway.get_exit_category_display()}" if pathway.exit_category else "")))
    return sorted(events, key=lambda e: e[0])


@login_required
def participant_detail(request, pk: int):
    pathway = _visible(request, pk)
    log_read(pathway)
    names, sensitive = access.sees_names(request.user, pathway), access.sees_sensitive(request.user, pathway)
    if names:
        log_read(pathway.person)
    today = timezone.localdate()
    steps = list(pathway.steps.all())
    classified = service.classify_steps(pathway, today, steps) if pathway.status == PathwayStatus.ACTIVE else []
    coordinator = access.is_coordinator(request.user, pathway.protocol)
    referents = Membership.objects.accepted().filter(
        role=Role.REFERENT, unit__plie_structures__protocol=pathway.protocol).select_related("user", "unit") \
        if coordinator else []
    return render(request, "pathways/participant.html", {
        "title": f"Participant — {pathway.person if names else pathway.pseudonym}", "pathway": pathway,
        "names": names, "sensitive": sensitive, "may_change": access.may_change(request.user, pathway),
        "is_coordinator": coordinator, "timeline": timeline(pathway, names=names), "steps": steps,
        "imported_exit_to_confirm": coordinator and service.imported_exit_to_confirm(pathway),
        "classified": classified, "proposal": service.proposed_exit(pathway, today, steps) if classified else None,
        "today": today, "exit_max": min(today, pathway.protocol.ends_on), "logs": pathway.logs.select_related("by"),
        "criteria": EligibilityCriterion.choices, "categories": ExitCategory.choices,
        "other_exits": [(k, ExitKind(k).label) for k in OTHER_EXIT_KINDS], "contact_kinds": ContactKind.choices,
        "referents": referents, "structures": Structure.objects.filter(protocol=pathway.protocol),
        "history": history_for(pathway, request.user, show_readers=True) if coordinator else [],
        "fse_moments": [(m, FseMoment(m).label) for m in due_moments(pathway, today)] if sensitive else [],
        "fse_missing": fse.missing_answers(pathway, as_of=today) if sensitive else [],
    })


class StepForm(DsfrFormMixin, forms.Form):
    """A step's fields: those of its kind only (levier.pathways.participants.STEP_FIELDS_OF_KIND); changing the
    kind brings its fields (htmx, or the button without JavaScript)."""

    kind = forms.ChoiceField(label="Type d'étape", choices=[("", "— Choisir le type —"), *StepKind.choices])
    start_date = forms.DateField(label="Début", widget=IsoDateInput())
    end_date = forms.DateField(label="Fin", required=False, widget=IsoDateInput())
    organisation_name = forms.CharField(label="Organisme ou employeur", max_length=200, required=False)
    contract = forms.ChoiceField(label="Contrat", required=False, choices=[("", "—"), *ContractKind.choices])
    contract_subtype = forms.ChoiceField(label="Sous-type de contrat", choices=ContractSubtype.choices, required=False)
    hours_per_month = FrenchDecimalField(label="Heures par mois (CDI, CDD)", required=False, min_value=0,
                                         max_digits=6, decimal_places=2)
    interim_hours = forms.CharField(label="Intérim : heures travaillées par mois", required=False,
                                    help_text="Une ligne par mois : AAAA-MM heures (par exemple 2024-03 120).",
                                    widget=forms.Textarea(attrs={"rows": 3}))
    training_qualifying = forms.NullBooleanField(label="Formation qualifiante", required=False, widget=TRI_STATE)
    training_hours = FrenchDecimalField(label="Heures de formation", required=False, min_value=0, max_digits=7,
                                        decimal_places=2)
    certifying_body = forms.CharField(label="Organisme certificateur", max_length=200, required=False)
    iae_kind = forms.ChoiceField(label="Structure d'insertion (IAE)", required=False, choices=[("", "—"), *IaeKind.choices])
    micro_entrepreneur = forms.BooleanField(label="Micro-entrepreneur", required=False)
    monthly_income_eur = FrenchDecimalField(label="Revenu mensuel moyen sur les 6 mois (€)", required=False, min_value=0,
                                            max_digits=10, decimal_places=2)
    outcome = forms.CharField(label="Résultat", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, kind: str = "", kind_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.chosen_kind = kind if kind in StepKind.values else ""
        shown = set(service.step_fields(self.chosen_kind)) if self.chosen_kind else {"kind"}
        for name in list(self.fields):
            if name not in shown:
                del self.fields[name]
        self.fields["kind"].widget.attrs.update({
            "hx-get": kind_url, "hx-target": "#step-fields", "hx-select": "#step-fields", "hx-swap": "outerHTML",
            "hx-include": "closest form", "hx-trigger": "change"})

    def clean_interim_hours(self):
        rows = []
        for number, line in enumerate(self.cleaned_data["interim_hours"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.replace(";", " ").split()
            if len(parts) != 2:
                raise forms.ValidationError(f"Ligne {number} : « AAAA-MM heures » attendu.")
            month, hours = parts
            try:
                parse_iso_date(f"{month}-01")
                value = parse_decimal(hours)
            except ValueError as exc:
                raise forms.ValidationError(f"Ligne {number} : mois ou heures illisibles.") from exc
            if value < 0:
                raise forms.ValidationError(f"Ligne {number} : heures positives attendues.")
            rows.append({"month": month, "hours": f"{value.normalize():f}"})
        return tuple(rows)

    @property
    def detail_fields(self) -> list:
        return [self[name] for name in self.fields if name != "kind"]

    def step_input(self) -> service.StepInput:
        values = {name: value for name, value in self.cleaned_data.items() if value is not None}
        if "contract_subtype" in values and not values["contract_subtype"]:
            values["contract_subtype"] = ContractSubtype.COMMON
        return service.StepInput(**values)


def step_initial(step) -> dict:
    initial = {name: getattr(step, name) for name in service.step_fields(step.kind) if name != "interim_hours"}
    initial["interim_hours"] = "\n".join(f"{r['month']} {r['hours']}" for r in step.interim_hours or [])
    return initial


class ContactForm(DsfrFormMixin, forms.Form):
    kind = forms.ChoiceField(label="Type", choices=ContactKind.choices)
    on = forms.DateField(label="Date", widget=IsoDateInput())
    held = forms.BooleanField(label="A eu lieu (décocher pour un rendez-vous à venir)", required=False, initial=True)
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _changeable(request, pk: int) -> Pathway:
    pathway = _visible(request, pk)
    if not access.may_change(request.user, pathway):
        raise PermissionDenied
    return pathway


def _step_page(request, pathway, *, step=None):
    """The step form: on GET (and on the kind's htmx request) the fields of the chosen kind, the values typed so
    far kept; on POST (not a mere change of kind), the step saved through the service."""
    url = request.path
    source = request.POST if request.method == "POST" else request.GET
    kind = source.get("kind", step.kind if step else "")
    saving = request.method == "POST" and "_kind_only" not in request.POST
    if saving:
        form = StepForm(request.POST, kind=kind, kind_url=url)
        if form.is_valid():
            try:
                if step is None:
                    service.add_step(pathway=pathway, by=request.user, step=form.step_input())
                else:
                    service.update_step(step=step, by=request.user, changes=form.step_input())
            except InvalidInput as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "Étape enregistrée." if step is None else "Étape mise à jour.")
                return redirect("pathways:participant", pk=pathway.pk)
    else:
        initial = step_initial(step) if step else {}
        typed = {k: v for k, v in source.items() if k not in ("csrfmiddlewaretoken", "_kind_only")}
        form = StepForm(initial={**initial, **typed}, kind=kind, kind_url=url)
    return render(request, "pathways/step_form.html", {
        "title": "Nouvelle étape" if step is None else "Modifier l'étape", "form": form, "pathway": pathway,
        "step": step, "names": access.sees_names(request.user, pathway)})


@login_required
def step_create(request, pk: int):
    return _step_page(request, _changeable(request, pk))


@login_required
def step_update(request, pk: int, step_pk: int):
    pathway = _changeable(request, pk)
    return _step_page(request, pathway, step=get_object_or_404(Step, pk=step_pk, pathway=pathway))


@login_required
@require_POST
def contact_create(request, pk: int):
    pathway = _changeable(request, pk)
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Type et date du contact obligatoires.")
        return redirect("pathways:participant", pk=pk)
    try:
        service.record_contact(pathway=pathway, by=request.user, **form.cleaned_data)
    except InvalidInput as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "Contact enregistré.")
    return redirect("pathways:participant", pk=pk)


def _date(value: str, field: str) -> date:
    day = date_field(value, field)
    if day is None:
        raise InvalidInput.single(field, "Date obligatoire.")
    return day


def _user(pk: str, field: str):
    from levier.accounts.models import User

    user = User.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if user is None:
        raise InvalidInput.single(field, "Référent inconnu.")
    return user


def _confirmed(data) -> bool:
    """An exit closes the pathway: the user ticks the confirmation on purpose."""
    if data.get("confirm") != "1":
        raise InvalidInput.single("confirm", "Cochez la confirmation : la sortie clôt le parcours.")
    return True


ACTIONS = {
    "eligibilite": lambda p, u, d, today: service.decide_eligibility(
        pathway=p, by=u, eligible=d.get("decision") == "eligible", criteria=d.getlist("criteria"),
        reason=d.get("reason", ""), on=today),
    "inscription": lambda p, u, d, today: service.record_registration(pathway=p, by=u, on=_date(d.get("on"), "on")),
    "derogation": lambda p, u, d, today: service.override_registration(pathway=p, by=u, reason=d.get("reason", "")),
    "valider-sortie": lambda p, u, d, today: service.validate_exit(
        pathway=p, by=u, step=get_object_or_404(Step, pk=d.get("step"), pathway=p), as_of=today),
    "sortie-comite": lambda p, u, d, today: _confirmed(d) and service.record_committee_exit(
        pathway=p, by=u, on=_date(d.get("on"), "on"), category=d.get("category", ""), reason=d.get("reason", ""),
        today=today),
    "autre-sortie": lambda p, u, d, today: _confirmed(d) and service.record_other_exit(
        pathway=p, by=u, kind=d.get("kind", ""), on=_date(d.get("on"), "on"), reason=d.get("reason", ""),
        today=today),
    "annuler-sortie": lambda p, u, d, today: service.cancel_exit(pathway=p, by=u, reason=d.get("reason", "")),
    "confirmer-sortie-reprise": lambda p, u, d, today: service.confirm_imported_exit(pathway=p, by=u,
                                                                                     reason=d.get("reason", "")),
    "transfert": lambda p, u, d, today: service.transfer(
        pathway=p, by=u, to_referent=_user(d.get("referent"), "to_referent"),
        to_structure=Structure.objects.filter(pk=d.get("structure") or 0, protocol=p.protocol).first(),
        on=today, reason=d.get("reason", "")),
}
DONE = {"eligibilite": "Décision d'éligibilité enregistrée.", "inscription": "Inscription enregistrée.",
        "derogation": "Dérogation enregistrée.", "valider-sortie": "Sortie positive validée.",
        "sortie-comite": "Sortie décidée en comité enregistrée.", "autre-sortie": "Sortie enregistrée.",
        "annuler-sortie": "Sortie annulée.", "transfert": "Participant transféré.",
        "confirmer-sortie-reprise": "Sortie reprise confirmée : elle compte dans sa catégorie."}


@login_required
@require_POST
def participant_action(request, pk: int, action: str):
    if action not in ACTIONS:
        raise PermissionDenied
    pathway = _changeable(request, pk)
    try:
        ACTIONS[action](pathway, request.user, request.POST, timezone.localdate())
    except InvalidInput as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, DONE[action])
    return redirect("pathways:participant", pk=pk)


@login_required
def access_export(request, pk: int):
    """Right of access (GDPR art. 15): everything held on the person, for the coordinator to hand over."""
    pathway = _visible(request, pk)
    if not access.is_coordinator(request.user, pathway.protocol):
        raise PermissionDenied
    log_read(pathway.person)
    content = json.dumps(everything_held(pathway.person), ensure_ascii=False, indent=2, default=str)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="droit-d-acces-{pathway.pseudonym}.json"'
    return response
