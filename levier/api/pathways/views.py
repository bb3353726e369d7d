from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from levier.pathways import services


class ExitClassificationView(APIView):
    """Classify a situation by the PLIE exit rules (anonymous: no personal data, rate-limited).
    Bad input → 400 with the shared error body."""

    permission_classes = [AllowAny]

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        return Response(services.classify(request.data))
