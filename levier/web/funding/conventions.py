"""The State service records a revitalisation case and follows it: the prefect's decision, the deadline,
the signature or the collective agreement taking its place, the Treasury's collection order, measures,
committees, amendments and the closure. Thin: every write is a use case of levier.funding.conventions."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from levier.accounts.enums import Role
from levier.accounts.permissions import scope_of
from levier.core.errors import InvalidInput
from levier.core.formats import format_euros
from levier.funding import conventions as service
from levier.funding.enums import Anticipation, ConventionStatus, MeasureKind, Procedure, RemainderUse
from levier.funding.models import Convention, Fund
from levier.organisations.models import Organisation, Unit
from levier.territories.models import Territory
from levier.web.forms_base import DsfrFormMixin, FrenchDecimalField, IsoDateInput, add_errors, flash_errors

MONEY = {"max_digits": 14, "decimal_places": 2}


class ConventionForm(DsfrFormMixin, forms.Form):
    reference = forms.CharField(label="Référence", max_length=40)
    siren = forms.CharField(label="SIREN de l'entreprise", max_length=11)
    procedure = forms.ChoiceField(label="Procédure", choices=Procedure.choices)
    headcount = forms.IntegerField(label="Effectif de l'entreprise", min_value=0,
                                   help_text="Entreprise ou établissement (L1233-71) ; au moins 1 000 : obligation")
    group_headcount = forms.IntegerField(label="Effectif total du groupe", min_value=0, required=False,
                                         help_text="Groupe (L2331-1) ou entreprise de dimension communautaire")
    in_receivership = forms.BooleanField(label="En redressement ou liquidation judiciaire", required=False)
    notified_on = forms.DateField(label="Date de notification", widget=IsoDateInput(),
                                  help_text="Du projet de licenciement (L1233-46) ou de l'ouverture de la négociation (RCC) : "
                                            "le SMIC de cette date s'applique")
    validated_on = forms.DateField(label="Validation ou homologation notifiée le", widget=IsoDateInput(), required=False,
                                   help_text="Du plan (L1233-57-4) ou de l'accord de RCC (L1237-19-3) : obligatoire pour une RCC")
    jobs_eliminated = forms.IntegerField(label="Emplois supprimés", min_value=0)
    jobs_reclassified = forms.IntegerField(label="Reclassements dans l'entreprise ou le groupe (RCC : postes repourvus)",
                                           min_value=0, initial=0)
    bassin = forms.CharField(label="Bassin d'emploi (code du territoire)", max_length=40,
                             help_text="Code d'un département, d'un EPCI ou « bassin:code »")
    rate = FrenchDecimalField(label="Taux convenu (SMIC mensuels par emploi)", min_value=Decimal("0.01"), decimal_places=2,
                              max_digits=5, required=False, help_text="Laisser vide : minimum légal de 2 SMIC par emploi")
    agreed_amount = FrenchDecimalField(label="ou montant convenu (€)", min_value=0, required=False, **MONEY)
    amount_reason = forms.CharField(label="Motif du montant", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                    help_text="Obligatoire sous le minimum légal (incapacité financière) et pour une "
                                              "participation convenue (L1233-87)")
    national_framework = forms.BooleanField(label="Convention-cadre nationale (au moins trois départements)", required=False)
    departements = forms.CharField(label="Départements concernés (codes séparés par des virgules)", required=False,
                                   max_length=200)
    framework = forms.ModelChoiceField(label="Convention locale de la convention-cadre", required=False,
                                       queryset=Convention.objects.none(), empty_label="Aucune")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = Convention.objects.visible_to(user).filter(national_framework=True)

    def clean(self):
        data = super().clean()
        if data.get("rate") is not None and data.get("agreed_amount") is not None:
            self.add_error("agreed_amount", "Indiquez soit le taux, soit le montant convenu.")
        return data


def _owner_unit(user) -> Unit:
    scope = scope_of(user)
    units = sorted(scope.units(Role.STEERING))
    if not units and not scope.is_admin:
        raise PermissionDenied
    return Unit.objects.get(pk=units[0]) if units else Unit.objects.filter(reference_key="ddets-13-revitalisation").first()


def _territory(code: str, *, kinds=None) -> Territory | None:
    kind, _, value = code.strip().rpartition(":")
    territories = Territory.objects.filter(code=value, **({"kind": kind} if kind else {})).exclude(kind="commune")
    if kinds:
        territories = territories.filter(kind__in=kinds)
    return territories.first()


@login_required
def convention_create(request):
    unit = _owner_unit(request.user)
    form = ConventionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        company = Organisation.objects.filter(siren=data["siren"].replace(" ", "")).first()
        bassin = _territory(data["bassin"])
        departements = [_territory(code, kinds=["departement"]) for code in data["departements"].split(",") if code.strip()]
        if company is None:
            form.add_error("siren", "Aucune organisation de ce SIREN : enregistrez-la d'abord dans l'annuaire.")
        if bassin is None:
            form.add_error("bassin", "Territoire inconnu.")
        if None in departements:
            form.add_error("departements", "Département inconnu.")
        if not form.errors:
            try:
                convention, warnings = service.create_convention(by=request.user, today=timezone.localdate(), spec=service.ConventionInput(
                    reference=data["reference"], company=company, owner_unit=unit, procedure=data["procedure"],
                    headcount=data["headcount"], group_headcount=data["group_headcount"],
                    in_receivership=data["in_receivership"], notified_on=data["notified_on"],
                    validated_on=data["validated_on"], jobs_eliminated=data["jobs_eliminated"],
                    jobs_reclassified=data["jobs_reclassified"] or 0, bassin=bassin, rate=data["rate"],
                    agreed_amount=data["agreed_amount"], amount_reason=data["amount_reason"],
                    national_framework=data["national_framework"], framework=data["framework"],
                    departements=tuple(departements)))
            except InvalidInput as exc:
                add_errors(form, exc)
            else:
                for warning in warnings:
                    messages.warning(request, warning)
                messages.success(request, f"Convention {convention.reference} enregistrée : {convention.get_kind_display()}.")
                return redirect("funding:convention", pk=convention.pk)
    return render(request, "funding/convention_form.html", {"title": "Nouvelle convention de revitalisation", "form": form})


def can_manage(user, convention: Convention) -> bool:
    scope = scope_of(user)
    return scope.is_admin or (convention.owner_unit_id in scope.units(Role.STEERING) and not scope.is_read_only)


# ---------------------------------------------------------------- the follow-up's actions


class DecisionForm(forms.Form):
    decided_on = forms.DateField()
    subject = forms.TypedChoiceField(choices=[("oui", "oui"), ("non", "non")], coerce=lambda v: v == "oui")
    reasons = forms.CharField(required=False)


class FrameworkDocumentForm(forms.Form):
    signed_on = forms.DateField()
    reasons = forms.CharField(required=False)


class AgreementRequestForm(forms.Form):
    requested_on = forms.DateField()
    commitments = FrenchDecimalField(min_value=0, **MONEY)
    reference = forms.CharField(required=False, max_length=120)


class OppositionForm(forms.Form):
    opposed_on = forms.DateField()
    opposition_reason = forms.CharField(required=False)


class OnForm(forms.Form):
    on = forms.DateField()


class SignForm(forms.Form):
    signed_on = forms.DateField()
    ends_on = forms.DateField()


class TitleForm(forms.Form):
    issued_on = forms.DateField()
    reference = forms.CharField(required=False, max_length=120)


class AmendmentForm(SignForm):
    reasons = forms.CharField(required=False)


class CommitteeForm(forms.Form):
    held_on = forms.DateField()
    minutes = forms.CharField(required=False)


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(choices=MeasureKind.choices)
    label = forms.CharField(required=False, max_length=250)
    done_on = forms.DateField()
    value = FrenchDecimalField(min_value=0, **MONEY)
    principal = FrenchDecimalField(min_value=0, required=False, **MONEY)
    transfer_price = FrenchDecimalField(min_value=0, required=False, **MONEY)
    anticipation = forms.ChoiceField(choices=Anticipation.choices, required=False)
    jobs_created = forms.IntegerField(min_value=0, required=False)


class CloseForm(forms.Form):
    closed_on = forms.DateField()
    remainder_use = forms.ChoiceField(choices=RemainderUse.choices, required=False)
    fund = forms.ModelChoiceField(queryset=Fund.objects.all(), required=False)
    note = forms.CharField(required=False)


LABELS = {"decided_on": "Date de la décision", "subject": "Assujettie", "signed_on": "Date de signature",
          "requested_on": "Date de la demande", "commitments": "Engagements financiers de l'accord",
          "opposed_on": "Date de l'opposition", "on": "Date", "ends_on": "Fin", "issued_on": "Date du titre",
          "held_on": "Date du comité", "kind": "Nature", "done_on": "Engagée le", "value": "Montant",
          "principal": "Sommes prêtées", "transfer_price": "Valeur de cession", "jobs_created": "Emplois créés",
          "closed_on": "Date de clôture", "fund": "Fonds", "remainder_use": "Emploi du reliquat"}


def _run(form_class, data, act) -> str:
    """Validate the posted fields, then run the use case; a message naming the field otherwise."""
    form = form_class(data)
    if not form.is_valid():
        raise InvalidInput.single(*next((name, f"{LABELS.get(name, name)} : {' '.join(errs)}")
                                        for name, errs in form.errors.items()))
    return act(form.cleaned_data) or "Enregistré."


def _actions(convention: Convention, user):
    c = convention
    return {
        "decision": (DecisionForm, lambda d: _done(service.decide_subjection(
            convention=c, by=user, decided_on=d["decided_on"], subject=d["subject"], reasons=d["reasons"]),
            "Décision du préfet enregistrée.")),
        "framework_document": (FrameworkDocumentForm, lambda d: _done(service.record_framework_document(
            convention=c, by=user, signed_on=d["signed_on"], reasons=d["reasons"]), "Document-cadre enregistré.")),
        "agreement_request": (AgreementRequestForm, lambda d: _done(service.request_agreement(
            convention=c, by=user, requested_on=d["requested_on"], commitments=d["commitments"], reference=d["reference"]),
            "Demande enregistrée : l'administration peut s'opposer dans les deux mois.")),
        "agreement_opposition": (OppositionForm, lambda d: _done(service.oppose_agreement(
            convention=c, by=user, opposed_on=d["opposed_on"], reasons=d["opposition_reason"]), "Opposition enregistrée.")),
        "agreement_in_lieu": (OnForm, lambda d: _done(service.confirm_agreement_in_lieu(convention=c, by=user, on=d["on"]),
                                                      "L'accord collectif tient lieu de convention.")),
        "sign": (SignForm, lambda d: _warn(service.sign_convention(convention=c, by=user, signed_on=d["signed_on"],
                                                                   ends_on=d["ends_on"]), "Signature enregistrée.")),
        "treasury_title": (TitleForm, lambda d: _done(service.issue_treasury_title(
            convention=c, by=user, issued_on=d["issued_on"], reference=d["reference"]), "Titre de perception enregistré.")),
        "amendment": (AmendmentForm, lambda d: _done(service.amend(
            convention=c, by=user, signed_on=d["signed_on"], ends_on=d["ends_on"], reasons=d["reasons"]),
            "Avenant enregistré.")),
        "committee": (CommitteeForm, lambda d: _done(service.record_committee(
            convention=c, by=user, held_on=d["held_on"], minutes=d["minutes"]), "Comité de suivi enregistré.")),
        "measure": (MeasureForm, lambda d: _done(service.add_measure(convention=c, by=user, spec=service.MeasureInput(
            kind=d["kind"], label=d["label"], done_on=d["done_on"], value=d["value"], principal=d["principal"],
            transfer_price=d["transfer_price"], anticipation=d["anticipation"], jobs_created=d["jobs_created"] or 0)),
            "Mesure enregistrée.")),
        "close": (CloseForm, lambda d: _closed(service.close_convention(
            convention=c, by=user, closed_on=d["closed_on"], remainder_use=d["remainder_use"], fund=d["fund"],
            note=d["note"]))),
    }


def _done(_result, text: str) -> str:
    return text


def _warn(warnings: list[str], text: str) -> str:
    return " ".join([text, *warnings])


def _closed(summary) -> str:
    if summary.remainder:
        return f"Convention clôturée ; reliquat de {format_euros(summary.remainder, cents=True)} employé comme prévu."
    return "Convention clôturée."


@login_required
@require_POST
def convention_action(request, pk: int, action: str):
    convention = get_object_or_404(Convention.objects.visible_to(request.user), pk=pk)
    actions = _actions(convention, request.user)
    if not can_manage(request.user, convention) or action not in actions:
        raise PermissionDenied
    form_class, act = actions[action]
    try:
        text = _run(form_class, request.POST, act)
    except InvalidInput as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, text)
    return redirect("funding:convention", pk=pk)


def follow_up(convention: Convention, today):
    """What the convention's page shows of the law at `today`: the rule's result, the measures' values,
    the committee's due date."""
    obligation = service.obligation_of(convention, as_of=today)
    summary = service.convention_summary(convention)
    due = service.committee_due_on(convention) if convention.status in service.FOLLOWED else None
    subject = convention.national_framework or any(s.subject for s in convention.steps_of("subjection"))
    return {"obligation": obligation, "summary": summary, "committee_due_on": due, "decided_subject": subject,
            "committee_overdue": due is not None and today > due,
            "open": convention.status == ConventionStatus.DRAFT}
