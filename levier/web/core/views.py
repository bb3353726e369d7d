from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from levier.accounts.enums import Role
from levier.accounts.models import Membership
from levier.accounts.permissions import scope_of
from levier.organisations.models import Organisation
from levier.territories.models import Territory

from .health import database_health


def home(request):
    return render(
        request,
        "core/home.html",
        {"title": "Accueil", "commune_count": Territory.objects.communes().count()},
    )


def legal_notice(request):
    return render(request, "core/legal_notice.html", {"title": "Mentions légales", "operator": settings.LEVIER_OPERATOR_NAME})


def personal_data(request):
    return render(
        request,
        "core/personal_data.html",
        {
            "title": "Données personnelles",
            "operator": settings.LEVIER_OPERATOR_NAME,
            "dpo_email": settings.LEVIER_DPO_EMAIL,
        },
    )


def accessibility(request):
    return render(
        request,
        "core/accessibility.html",
        {"title": "Déclaration d'accessibilité", "operator": settings.LEVIER_OPERATOR_NAME,
         "contact_email": settings.LEVIER_CONTACT_EMAIL},
    )


@login_required
def dashboard(request):
    scope = scope_of(request.user)
    memberships = Membership.objects.filter(user=request.user).select_related("unit__organisation")
    context = {
        "title": "Tableau de bord",
        "memberships": memberships,
        "organisations": Organisation.objects.visible_to(request.user).filter(id__in=scope.company_organisation_ids)
        if Role.COMPANY in scope.roles else None,
        "pending_requests": Membership.objects.decidable_by(request.user).count(),
    }
    return render(request, "core/dashboard.html", context)


def healthz(request):
    """Liveness and database check for load balancers (answered first by HealthCheckMiddleware)."""
    return database_health()
