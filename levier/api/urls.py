from django.urls import path
from rest_framework.routers import SimpleRouter

from .accounts.views import MembershipRequestViewSet, MeView
from .aids import views as aids
from .funding import views as funding
from .organisations.views import OrganisationViewSet
from .pathways import views as pathways
from .territories import views as territories



class Router(SimpleRouter):
    """Routes answer with or without their trailing slash (".../transitions" as documented)."""

    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"


router = Router()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("membership-requests", MembershipRequestViewSet, basename="membership-request")
router.register("funding/conventions", funding.ConventionViewSet, basename="funding-convention")
router.register("funding/funds", funding.FundViewSet, basename="funding-fund")
router.register("funding/commitments", funding.CommitmentViewSet, basename="funding-commitment")
router.register("funding/entries", funding.EntryViewSet, basename="funding-entry")
router.register("funding/applications", funding.ApplicationViewSet, basename="funding-application")
router.register("pathways/participants", pathways.ParticipantViewSet, basename="pathways-participant")

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
    path("funding/obligation", funding.ObligationView.as_view(), name="funding-obligation"),
    path("funding/loan", funding.LoanView.as_view(), name="funding-loan"),
    path("funding/de-minimis", funding.DeMinimisView.as_view(), name="funding-de-minimis"),
    path("pathways/exit-classification", pathways.ExitClassificationView.as_view(), name="pathways-exit-classification"),
    path("pathways/protocols/<slug:slug>/report", pathways.ProtocolReportView.as_view(), name="pathways-protocol-report"),
    path("pathways/protocols/<slug:slug>/fse-indicators", pathways.ProtocolFseIndicatorsView.as_view(),
         name="pathways-protocol-fse-indicators"),
    path("aids/schemes/", aids.SchemeSearchView.as_view(), name="aids-scheme-search"),
    path("aids/schemes/<slug:slug>/", aids.SchemeDetailView.as_view(), name="aids-scheme-detail"),
    *router.urls,
]
