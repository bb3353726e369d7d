from django import forms

from levier.organisations.enums import ControlBasis, OrganisationKind, OrganisationRole
from levier.web.forms_base import DsfrFormMixin, IsoDateInput


class OrganisationSearchForm(DsfrFormMixin, forms.Form):
    q = forms.CharField(label="Nom ou SIREN", required=False)


class OrganisationForm(DsfrFormMixin, forms.Form):
    name = forms.CharField(label="Raison sociale ou nom", max_length=250)
    kind = forms.ChoiceField(label="Nature", choices=OrganisationKind.choices)
    siren = forms.CharField(label="SIREN", required=False, max_length=11)
    rna = forms.CharField(label="Numéro RNA (associations)", required=False, max_length=10)
    naf_code = forms.CharField(label="Code NAF", required=False, max_length=6, help_text="Par exemple 62.01Z.")
    is_ess = forms.BooleanField(label="Structure de l'ESS", required=False)
    roles = forms.MultipleChoiceField(label="Rôles", choices=OrganisationRole.choices, required=False, widget=forms.CheckboxSelectMultiple)
    headcount = forms.DecimalField(label="Effectif annuel moyen", required=False, min_value=0)
    turnover = forms.DecimalField(label="Chiffre d'affaires (€)", required=False, min_value=0, decimal_places=2)
    balance_sheet = forms.DecimalField(label="Total de bilan (€)", required=False, min_value=0, decimal_places=2)


class EstablishmentForm(DsfrFormMixin, forms.Form):
    siret = forms.CharField(label="SIRET", max_length=17, required=False, help_text="14 chiffres.")
    name = forms.CharField(label="Nom de l'établissement", required=False, max_length=250)
    address = forms.CharField(label="Adresse", required=False, max_length=300)
    commune_code = forms.CharField(label="Code INSEE de la commune", required=False, max_length=5, help_text="5 caractères, par exemple 13001 ou 2A004.")
    is_head_office = forms.BooleanField(label="Siège", required=False)


class ControlLinkForm(DsfrFormMixin, forms.Form):
    siren = forms.CharField(label="SIREN de l'autre entreprise", max_length=11)
    direction = forms.ChoiceField(label="Sens du lien", choices=[("controls", "Cette organisation la contrôle"),
                                                                 ("controlled_by", "Elle contrôle cette organisation")])
    basis = forms.ChoiceField(label="Lien (article 2, paragraphe 2 des règlements de minimis)", choices=ControlBasis.choices)
    since = forms.DateField(label="Depuis le", required=False, widget=IsoDateInput())


class FiscalYearEndForm(DsfrFormMixin, forms.Form):
    fiscal_year_end_day = forms.IntegerField(label="Jour de clôture de l'exercice", min_value=1, max_value=31, required=False)
    fiscal_year_end_month = forms.IntegerField(label="Mois de clôture de l'exercice", min_value=1, max_value=12,
                                               required=False, help_text="Laisser vide : exercice civil (31 décembre)")
