import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from rest_framework.authtoken.models import Token

from levier.accounts import credentials, services
from levier.accounts.models import Membership
from levier.accounts.permissions import scope_of
from levier.core.errors import InvalidInput
from levier.web.forms_base import add_errors, flash_errors

from .forms import DecisionForm, LoginForm, SecondFactorForm, SignUpForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    extra_context = {"title": "Connexion"}

    def get_context_data(self, **kwargs):
        # Django's view names the site after the request's host ("127.0.0.1:8101"): Levier is Levier.
        return {**super().get_context_data(**kwargs), "site_name": settings.LEVIER_SITE_NAME}


class LogoutView(auth_views.LogoutView):
    pass


def signup(request):
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.sign_up(**form.cleaned_data)
        except InvalidInput as exc:
            add_errors(form, exc)
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                "Votre compte est créé. Votre demande d'accès à l'organisation attend d'être acceptée."
                if membership.status == "pending" else "Votre compte est créé.",
            )
            target = request.GET.get("next", "")
            if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                return redirect(target)
            return redirect("web:dashboard")
    return render(request, "accounts/signup.html", {"form": form, "title": "Créer un compte"})


@login_required
def second_factor(request):
    """Enrol (first time) then verify a TOTP device."""
    device = credentials.enrolment_device(user=request.user)
    enrolling = device is not None
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verification = credentials.verify_second_factor(user=request.user, code=form.cleaned_data["token"])
        if verification.accepted:
            otp_login(request, verification.device)
            if verification.enrolled:
                messages.success(request, "La double authentification est activée sur votre compte.")
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = "/tableau-de-bord/"
            return redirect(target or "/tableau-de-bord/")
        form.add_error("token", "Code incorrect ou expiré.")
    secret = base64.b32encode(device.bin_key).decode() if enrolling else None
    return render(
        request,
        "accounts/second_factor.html",
        {"form": form, "enrolling": enrolling, "secret": secret, "uri": device.config_url if enrolling else None,
         "title": "Double authentification"},
    )


@login_required
def account(request):
    token = Token.objects.filter(user=request.user).first()
    return render(request, "accounts/account.html", {"title": "Mon compte", "token": token, "scope": scope_of(request.user)})


@login_required
@require_POST
def regenerate_token(request):
    if not credentials.may_hold_token(request.user):
        messages.error(request, "Les jetons d'API sont réservés aux outils des opérateurs et des services.")
        return redirect("accounts:account")
    credentials.rotate_api_token(user=request.user, by=request.user)
    messages.success(request, "Un nouveau jeton d'API a été créé ; l'ancien ne fonctionne plus.")
    return redirect("accounts:account")


@login_required
def membership_requests(request):
    requests = (
        Membership.objects.decidable_by(request.user).select_related("user", "unit__organisation").order_by("created_at")
    )
    return render(
        request, "accounts/membership_requests.html", {"title": "Demandes d'accès", "requests": requests, "form": DecisionForm()}
    )


@login_required
@require_POST
def decide_membership(request, pk: int):
    membership = get_object_or_404(Membership.objects.decidable_by(request.user), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Décision invalide.")
        return redirect("accounts:membership_requests")
    try:
        services.decide_membership(
            membership=membership, by=request.user, accept=form.cleaned_data["decision"] == "accept",
            reason=form.cleaned_data["reason"],
        )
    except InvalidInput as exc:
        flash_errors(request, exc)
    else:
        verb = "acceptée" if form.cleaned_data["decision"] == "accept" else "refusée"
        messages.success(request, f"Demande de {membership.user.email} {verb}.")
    return redirect("accounts:membership_requests")
