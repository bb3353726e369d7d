from django.conf import settings
from django.urls import reverse

from levier.accounts.permissions import scope_of

from .navigation import items_for


def levier(request):
    scope = scope_of(getattr(request, "user", None))
    current = request.path
    navigation = []
    for item in items_for(scope):
        url = reverse(item.url_name)
        navigation.append({"label": item.label, "url": url, "current": current.startswith(url) and url != "/"})
    return {
        "state_brand": settings.LEVIER_STATE_BRAND,
        "site_name": settings.LEVIER_SITE_NAME,
        "navigation": navigation,
        "scope": scope,
    }
