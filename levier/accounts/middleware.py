"""Staff who can see participants' personal data log in with a second factor."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .permissions import scope_of

ALWAYS_ALLOWED_PREFIXES = ("/static/", "/healthz")
ALLOWED_URL_NAMES = {"accounts:second_factor", "accounts:logout"}


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.LEVIER_OTP_REQUIRED
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and scope_of(user).needs_second_factor
            and not request.path.startswith(ALWAYS_ALLOWED_PREFIXES)
            and request.path not in {reverse(name) for name in ALLOWED_URL_NAMES}
        ):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse(
                    {"errors": [{"field": "", "message": "Double authentification requise pour ce compte."}]},
                    status=403,
                )
            return redirect(f"{reverse('accounts:second_factor')}?next={request.path}")
        return self.get_response(request)
