"""The de minimis declaration of an application: the other de minimis aid the single undertaking
received, and the companies the applicant controls or that control it. Made by the applicant on its
draft, or by the operator's instructor for a file received on paper."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from levier.aids import applications as service
from levier.aids.enums import DeMinimisRegime
from levier.aids.models import Application, DeclaredLink
from levier.core.errors import InvalidInput
from levier.organisations.enums import ControlBasis
from levier.web.forms_base import DsfrFormMixin, FrenchDecimalField, IsoDateInput

CHOOSE = [("", "Choisir")]  # an untouched row stays empty, so the formset skips it
REGIMES = CHOOSE + [c for c in DeMinimisRegime.choices if c[0]]


class DeclaredAidForm(DsfrFormMixin, forms.Form):
    granted_on = forms.DateField(label="Octroyée le", widget=IsoDateInput())
    amount = FrenchDecimalField(label="Montant (€, équivalent-subvention brut)", max_digits=14, decimal_places=2,
                                min_value=Decimal("0.01"))
    regime = forms.ChoiceField(label="Règlement", choices=REGIMES)
    grantor = forms.CharField(label="Financeur", max_length=200)
    beneficiary_siren = forms.CharField(label="SIREN du bénéficiaire, s'il n'est pas le demandeur", max_length=9,
                                        required=False)


class DeclaredLinkForm(DsfrFormMixin, forms.Form):
    siren = forms.CharField(label="SIREN", max_length=9)
    name = forms.CharField(label="Raison sociale", max_length=250)
    direction = forms.ChoiceField(label="Sens du lien", choices=CHOOSE + DeclaredLink.Direction.choices)
    basis = forms.ChoiceField(label="Lien (article 2, paragraphe 2)", choices=CHOOSE + ControlBasis.choices)


AidFormSet = forms.formset_factory(DeclaredAidForm, extra=2, can_delete=True)
LinkFormSet = forms.formset_factory(DeclaredLinkForm, extra=1, can_delete=True)


class CertifyForm(DsfrFormMixin, forms.Form):
    certify = forms.BooleanField(label="Je certifie que cette déclaration est complète : toutes les aides de minimis "
                                       "reçues sur la période et toutes les entreprises liées (aucune si aucune).")


def _rows(formset, build):
    """The filled, not deleted rows of a formset, as typed inputs."""
    return [build(f.cleaned_data) for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


@login_required
def declaration(request, pk: int):
    from levier.funding import instruction as flow
    from levier.funding.models import Instruction

    application = service.ApplicationQueries.visible_to(request.user).filter(pk=pk).first()
    if application is None:
        application = get_object_or_404(Instruction.objects.visible_to(request.user), application_id=pk).application
    instruction = getattr(application, "instruction", None)
    instructs = instruction is not None and application.status != Application.Status.DRAFT \
        and flow.may_declare_for(request.user, instruction)
    if not (instructs or service.may_declare(request.user, application)):
        raise PermissionDenied
    aids = AidFormSet(request.POST or None, prefix="aids", initial=[
        {"granted_on": a.granted_on, "amount": a.amount, "regime": a.regime, "grantor": a.grantor,
         "beneficiary_siren": a.beneficiary_siren} for a in application.declared_aids.all()])
    links = LinkFormSet(request.POST or None, prefix="links", initial=[
        {"siren": link.siren, "name": link.name, "direction": link.direction, "basis": link.basis}
        for link in application.declared_links.all()])
    certify = CertifyForm(request.POST or None, initial={"certify": application.de_minimis_declared_on is not None})
    if request.method == "POST" and aids.is_valid() and links.is_valid() and certify.is_valid():
        save = (lambda **kw: flow.declare_for_applicant(instruction=instruction, **kw)) if instructs \
            else (lambda **kw: service.declare_de_minimis(application=application, **kw))
        try:
            save(
                by=request.user, on=timezone.localdate(),
                aids=_rows(aids, lambda d: service.DeclaredAidInput(d["granted_on"], d["amount"], d["regime"], d["grantor"],
                                                                    (d["beneficiary_siren"] or "").replace(" ", ""))),
                links=_rows(links, lambda d: service.DeclaredLinkInput(d["siren"].replace(" ", ""), d["name"],
                                                                       d["direction"], d["basis"])))
        except InvalidInput as exc:
            _attach(exc, aids, links, certify)
        else:
            messages.success(request, "Déclaration de minimis enregistrée.")
            return redirect("funding:instruction", pk=instruction.pk) if instructs else redirect("aids:application", pk=pk)
    return render(request, "aids/declaration.html", {
        "title": f"Déclaration de minimis — {application.scheme.name}", "application": application,
        "aids": aids, "links": links, "certify": certify})


def _attach(exc: InvalidInput, aids, links, certify) -> None:
    """A service error `aids[1].amount` shown on the second filled aid row's amount field."""
    filled = {"aids": [f for f in aids.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")],
              "links": [f for f in links.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]}
    for error in exc.errors:
        head, _, field = error.field.partition(".")
        name, _, index = head.partition("[")
        rows = filled.get(name)
        if rows is not None and index.rstrip("]").isdigit() and int(index.rstrip("]")) < len(rows):
            form = rows[int(index.rstrip("]"))]
            form.add_error(field if field in form.fields else None, error.message)
        else:
            certify.add_error(None, error.message)
