from django.conf import settings
from django.urls import reverse

from levier.accounts.permissions import scope_of

from .navigation import items_for


def levier(request):
    scope = scope_of(getattr(request, "user", None))
    links = [(item, reverse(item.url_name)) for item in items_for(scope)]
    # One item is current: the one whose address is the longest start of the page's ("/aides/simulateur/"
    # is the simulator's, not the guide's "/aides/").
    matching = [url for _, url in links if url != "/" and request.path.startswith(url)]
    current = max(matching, key=len, default=None)
    navigation = [{"label": item.label, "url": url, "current": url == current} for item, url in links]
    return {
        "state_brand": settings.LEVIER_STATE_BRAND,
        "site_name": settings.LEVIER_SITE_NAME,
        "navigation": navigation,
        "scope": scope,
    }
