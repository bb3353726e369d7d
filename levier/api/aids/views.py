from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from levier.aids import search as catalogue_search
from levier.aids import services
from levier.aids.models import Scheme
from levier.api.renderers import FastJSONRenderer


class SchemeSerializer(serializers.ModelSerializer):
    operator = serializers.CharField(source="operator.name")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Scheme
        fields = ["slug", "name", "summary", "operator", "status", "status_label", "beneficiary_kinds", "aid_kinds",
                  "opens_on", "closes_on"]


class SimulateView(APIView):
    """Evaluate every scheme of the applicant's territory (anonymous, rate-limited).
    Body: {"as_of", "beneficiary": {…}, "project": {…}}; bad input → 400 with the shared error body."""

    permission_classes = [AllowAny]
    renderer_classes = [FastJSONRenderer, BrowsableAPIRenderer]

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        return Response(services.simulate(request.data))


class SchemeSearchView(generics.ListAPIView):
    """Published and closed schemes, searched by text (accents ignored)."""

    permission_classes = [AllowAny]
    serializer_class = SchemeSerializer

    @extend_schema(parameters=[OpenApiParameter("q", str), OpenApiParameter("beneficiary_kind", str),
                               OpenApiParameter("aid_kind", str)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        query = catalogue_search.SearchQuery(
            text=params.get("q", ""), beneficiary_kind=params.get("beneficiary_kind", ""), aid_kind=params.get("aid_kind", "")
        )
        return catalogue_search.search(query, page=1, page_size=None).schemes


class SchemeDetailView(generics.RetrieveAPIView):
    permission_classes = [AllowAny]
    serializer_class = SchemeSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return Scheme.objects.visible_to(self.request.user).select_related("operator")
