from django import forms

from levier.aids.enums import AidKind, BeneficiaryKind
from levier.web.forms_base import DsfrFormMixin

ANY = [("", "Tous")]
NAF_SECTIONS = [
    ("A", "A — Agriculture, sylviculture et pêche"), ("B", "B — Industries extractives"),
    ("C", "C — Industrie manufacturière"), ("D", "D — Électricité, gaz"), ("E", "E — Eau, déchets"),
    ("F", "F — Construction"), ("G", "G — Commerce"), ("H", "H — Transports et entreposage"),
    ("I", "I — Hébergement et restauration"), ("J", "J — Information et communication"),
    ("K", "K — Finance et assurance"), ("L", "L — Immobilier"), ("M", "M — Activités spécialisées, scientifiques et techniques"),
    ("N", "N — Services administratifs et de soutien"), ("O", "O — Administration publique"), ("P", "P — Enseignement"),
    ("Q", "Q — Santé humaine et action sociale"), ("R", "R — Arts, spectacles et activités récréatives"),
    ("S", "S — Autres activités de services"),
]


class SchemeSearchForm(DsfrFormMixin, forms.Form):
    q = forms.CharField(label="Rechercher une aide", required=False)
    place = forms.CharField(label="Commune ou code postal du projet", required=False, max_length=60)
    beneficiary_kind = forms.ChoiceField(label="Vous êtes", choices=ANY + BeneficiaryKind.choices, required=False)
    aid_kind = forms.ChoiceField(label="Nature de l'aide", choices=ANY + AidKind.choices, required=False)
    sector = forms.ChoiceField(label="Secteur d'activité (section NAF)", required=False, choices=ANY + NAF_SECTIONS)
    operator = forms.ChoiceField(label="Opérateur", required=False)
    financer = forms.ChoiceField(label="Financeur", required=False)
    open_now = forms.BooleanField(label="Ouvertes aujourd'hui seulement", required=False)
    sort = forms.ChoiceField(label="Trier par", choices=[("relevance", "Pertinence"), ("closing", "Date de clôture")], required=False)


    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from levier.aids.search import operator_and_financer_choices

        operators, financers = operator_and_financer_choices()
        self.fields["operator"].choices = ANY + operators
        self.fields["financer"].choices = ANY + financers


class SimulatorForm(DsfrFormMixin, forms.Form):
    kind = forms.ChoiceField(label="Vous êtes", choices=BeneficiaryKind.choices)
    commune = forms.CharField(label="Code INSEE de la commune de l'établissement (existant ou prévu)", required=False, max_length=5,
                              help_text="5 caractères, par exemple 94041.")
    residence_commune = forms.CharField(label="Code INSEE de votre commune de résidence (porteur de projet)", required=False, max_length=5)
    residence_qpv = forms.BooleanField(label="J'habite un quartier prioritaire (QPV)", required=False)
    headcount = forms.CharField(label="Effectif salarié", required=False, max_length=10)
    turnover_eur = forms.CharField(label="Chiffre d'affaires (€)", required=False, max_length=20)
    balance_sheet_eur = forms.CharField(label="Total de bilan (€)", required=False, max_length=20)
    naf = forms.CharField(label="Code NAF", required=False, max_length=6, help_text="Par exemple 25.62B.")
    qpv = forms.BooleanField(label="L'établissement est situé en QPV", required=False)
    net_cdi_jobs_24m = forms.CharField(label="Emplois nets en CDI créés sous 24 mois", required=False, max_length=6)
    investment_eur = forms.CharField(label="Investissement prévu (€)", required=False, max_length=20)
    consulting_cost_eur = forms.CharField(label="Coût de conseil prévu (€)", required=False, max_length=20)

    def clean(self):
        """Without a commune the simulator cannot place the profile on any territory, so every aid would read as
        'not eligible': the commune is asked for instead (a project holder may give their residence instead)."""
        data = super().clean()
        if data.get("kind") == BeneficiaryKind.PROJECT_HOLDER:
            if not (data.get("commune") or "").strip() and not (data.get("residence_commune") or "").strip():
                self.add_error("commune", "Indiquez la commune du projet ou, à défaut, votre commune de résidence : "
                                          "les aides dépendent du territoire.")
        elif data.get("kind") and not (data.get("commune") or "").strip():
            self.add_error("commune", "Indiquez la commune de l'établissement : les aides dépendent du territoire.")
        return data

    def profile(self) -> dict:
        data = self.cleaned_data
        beneficiary = {"kind": data["kind"]}
        for key in ("commune", "residence_commune", "headcount", "turnover_eur", "balance_sheet_eur", "naf"):
            if data.get(key):
                beneficiary[key] = data[key].strip()
        for key in ("qpv", "residence_qpv"):
            if data.get(key):
                beneficiary[key] = True
        project = {k: data[k].strip() for k in ("net_cdi_jobs_24m", "investment_eur", "consulting_cost_eur") if data.get(k)}
        return {"beneficiary": beneficiary, "project": project}
