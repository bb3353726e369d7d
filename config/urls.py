from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from levier.web.core.api_docs import api_docs
from levier.web.core.views import healthz

urlpatterns = [
    path("", include("levier.web.core.urls")),
    path("compte/", include("levier.web.accounts.urls")),
    path("aides/", include("levier.web.aids.urls")),
    path("organisations/", include("levier.web.organisations.urls")),
    path("territoires/", include("levier.web.territories.urls")),
    path("rapports/", include("levier.web.reports.urls")),
    path("fonds/", include("levier.web.funding.urls")),
    path("plie/", include("levier.web.pathways.urls")),
    path("api/v1/", include("levier.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
