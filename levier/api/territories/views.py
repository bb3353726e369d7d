from datetime import date

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from levier.core.errors import InvalidInput
from levier.core.parsing import date_field
from levier.referential.services import monthly_smic_on
from levier.territories import services
from levier.territories.enums import TerritoryKind
from levier.territories.models import Qpv, Territory

from .serializers import CompositionSerializer, QpvSerializer, SmicSerializer, TerritorySerializer


def _date_param(request, name="date") -> date:
    day = date_field(request.query_params.get(name), name)
    if day is None:
        raise InvalidInput.single(name, "La date est obligatoire (AAAA-MM-JJ).")
    return day


class TerritorySearchView(generics.ListAPIView):
    """Search territories by name (accents ignored), INSEE code or postcode. Public, rate-limited."""

    permission_classes = [AllowAny]
    serializer_class = TerritorySerializer

    @extend_schema(parameters=[OpenApiParameter("q", str, required=True), OpenApiParameter("kind", str)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        text = self.request.query_params.get("q", "")
        kind = self.request.query_params.get("kind")
        if kind and kind not in TerritoryKind.values:
            raise InvalidInput.single("kind", f"Type de territoire inconnu : {kind}.")
        if not text.strip():
            raise InvalidInput.single("q", "Le texte recherché est obligatoire.")
        return services.search(text, kinds=[kind] if kind else None, limit=50)


class TerritoryDetailView(generics.RetrieveAPIView):
    permission_classes = [AllowAny]
    serializer_class = TerritorySerializer

    def get_object(self):
        return generics.get_object_or_404(
            Territory.objects.visible_to(self.request.user), kind=self.kwargs["kind"], code=self.kwargs["code"]
        )


class TerritoryCompositionView(APIView):
    """Communes and arrondissements of a territory at a date (`?date=AAAA-MM-JJ`)."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[OpenApiParameter("date", str, required=True)], responses=CompositionSerializer)
    def get(self, request, kind, code):
        territory = generics.get_object_or_404(Territory.objects.visible_to(request.user), kind=kind, code=code)
        on = _date_param(request)
        composition = services.composition(territory, on)
        communes = Territory.objects.filter(id__in=composition.commune_ids).order_by("code")
        data = {"territory": territory, "on": on, "verified": composition.verified, "communes": communes}
        return Response(CompositionSerializer(data).data)


class PostcodeView(APIView):
    """Communes or arrondissements served by a postcode: 13001 → 13201."""

    permission_classes = [AllowAny]

    @extend_schema(responses=TerritorySerializer(many=True))
    def get(self, request, postcode):
        if not (postcode.isdigit() and len(postcode) == 5):
            raise InvalidInput.single("postcode", "Un code postal compte 5 chiffres.")
        return Response(TerritorySerializer(services.communes_by_postcode(postcode), many=True).data)


class QpvListView(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = QpvSerializer
    queryset = Qpv.objects.prefetch_related("communes").order_by("code")


class SmicView(APIView):
    """Monthly gross SMIC (35 h) in force at a date."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[OpenApiParameter("date", str, required=True)], responses=SmicSerializer)
    def get(self, request):
        on = _date_param(request)
        return Response(SmicSerializer({"date": on, "monthly_gross": monthly_smic_on(on)}).data)
