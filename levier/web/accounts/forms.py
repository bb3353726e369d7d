from django import forms
from django.contrib.auth.forms import AuthenticationForm

from levier.web.forms_base import DsfrFormMixin


class LoginForm(DsfrFormMixin, AuthenticationForm):
    username = forms.EmailField(label="Adresse électronique", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label="Mot de passe", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    error_messages = {
        "invalid_login": "Adresse électronique ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }


class SignUpForm(DsfrFormMixin, forms.Form):
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    # Checked by the sign-up service, so that every error is listed at once.
    email = forms.CharField(label="Adresse électronique", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label="Mot de passe", help_text="12 caractères au moins.", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    siren = forms.CharField(
        label="SIREN ou SIRET de votre entreprise", max_length=20, required=False,
        help_text="9 chiffres (SIREN, par exemple 356000000) ou les 14 chiffres d'un de ses établissements (SIRET). "
        "Laissez vide si vous êtes porteur de projet sans entreprise.",
    )
    organisation_name = forms.CharField(
        label="Raison sociale", required=False, help_text="Seulement si votre entreprise n'est pas encore connue de Levier."
    )
    message = forms.CharField(label="Message pour la personne qui validera votre accès", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SecondFactorForm(DsfrFormMixin, forms.Form):
    token = forms.CharField(label="Code à 6 chiffres", max_length=6, min_length=6, widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


class DecisionForm(DsfrFormMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accepter"), ("refuse", "Refuser")])
    reason = forms.CharField(label="Motif (obligatoire en cas de refus)", required=False, widget=forms.Textarea(attrs={"rows": 2}))
