from django.urls import path
from rest_framework.routers import SimpleRouter

from .accounts.views import MembershipRequestViewSet, MeView
from .aids import views as aids
from .organisations.views import OrganisationViewSet
from .territories import views as territories

router = SimpleRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("membership-requests", MembershipRequestViewSet, basename="membership-request")

app_name = "api"
urlpatterns = [
    path("territories/", territories.TerritorySearchView.as_view(), name="territory-search"),
    path("territories/<str:kind>/<str:code>/", territories.TerritoryDetailView.as_view(), name="territory-detail"),
    path(
        "territories/<str:kind>/<str:code>/composition/",
        territories.TerritoryCompositionView.as_view(),
        name="territory-composition",
    ),
    path("postcodes/<str:postcode>/", territories.PostcodeView.as_view(), name="postcode"),
    path("qpv/", territories.QpvListView.as_view(), name="qpv-list"),
    path("smic/", territories.SmicView.as_view(), name="smic"),
    path("me/", MeView.as_view(), name="me"),
    path("aids/simulate", aids.SimulateView.as_view(), name="aids-simulate"),
    path("aids/schemes/", aids.SchemeSearchView.as_view(), name="aids-scheme-search"),
    path("aids/schemes/<slug:slug>/", aids.SchemeDetailView.as_view(), name="aids-scheme-detail"),
    *router.urls,
]
