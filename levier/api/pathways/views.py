"""PLIE API: the exit classification (anonymous), participants scoped by visible_to (names and
sensitive data only for those who may see them, every read logged), the protocol report."""

from datetime import date

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from levier.accounts.enums import Role
from levier.accounts.permissions import scope_of
from levier.core.audit import log_read
from levier.core.parsing import date_field
from levier.pathways import access, services
from levier.pathways.enums import SENSITIVE_FIELDS
from levier.pathways.models import Pathway, Protocol
from levier.pathways.report import protocol_report

PLIE_ROLES = (Role.PLIE_COORDINATOR, Role.REFERENT, Role.FSE_CONTROLLER, Role.AUDITOR, Role.STEERING)
RECORD_ROLES = (Role.PLIE_COORDINATOR, Role.REFERENT, Role.FSE_CONTROLLER, Role.AUDITOR)


class ExitClassificationView(APIView):
    """Classify a situation by the PLIE exit rules (anonymous: no personal data, rate-limited).
    Bad input → 400 with the shared error body."""

    permission_classes = [AllowAny]

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        return Response(services.classify(request.data))


class ParticipantSerializer(serializers.ModelSerializer):
    """Names for those who may see them (a pseudonym otherwise; in a list, always for the FSE controller);
    sensitive fields null unless allowed, and always in a list (they are read in the file, each read logged)."""

    protocol = serializers.CharField(source="protocol.slug")
    pseudonym = serializers.CharField()
    commune = serializers.CharField(source="commune.code")
    structure = serializers.CharField(source="structure.name", default=None)
    last_name = serializers.SerializerMethodField()
    first_name = serializers.SerializerMethodField()
    sex = serializers.CharField(source="person.sex")

    class Meta:
        model = Pathway
        fields = ["id", "pseudonym", "protocol", "external_id", "last_name", "first_name", "sex", "status", "entry_date",
                  "commune", "qpv", "structure", "long_term_unemployed", "qualification_level",
                  "qualification_nomenclature", "prescriber_type", *SENSITIVE_FIELDS, "exit_kind", "exit_date",
                  "exit_category", "exit_validated_on", "exit_source"]

    def _names(self, pathway) -> bool:
        return access.sees_names(self.context["request"].user, pathway, in_list=self.context.get("listing", False))

    def get_last_name(self, pathway) -> str | None:
        return pathway.person.last_name if self._names(pathway) else None

    def get_first_name(self, pathway) -> str | None:
        return pathway.person.first_name if self._names(pathway) else None

    def to_representation(self, pathway):
        data = super().to_representation(pathway)
        user = self.context["request"].user
        if not self._names(pathway):
            data["external_id"] = None
        if self.context.get("listing") or not access.sees_sensitive(user, pathway):
            for name in SENSITIVE_FIELDS:  # in a list, never: sensitive data is read in the file, and logged
                data[name] = None
        return data


class ParticipantViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Participants (pathways) the user may open; each file read is in the audit trail."""

    serializer_class = ParticipantSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Pathway.objects.none()
        if not scope_of(self.request.user).has(*RECORD_ROLES):
            raise PermissionDenied("Réservé aux équipes du PLIE et au contrôle.")
        pathways = Pathway.objects.visible_to(self.request.user).select_related(
            "person", "protocol__unit", "commune", "structure__unit").order_by("id")
        protocol = self.request.query_params.get("protocol")
        return pathways.filter(protocol__slug=protocol) if protocol else pathways

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "listing": self.action == "list"}

    def retrieve(self, request, *args, **kwargs):
        pathway = self.get_object()
        log_read(pathway)
        if access.sees_names(request.user, pathway):
            log_read(pathway.person)
        return Response(self.get_serializer(pathway).data)


class _ProtocolFiguresView(APIView):
    """Aggregates of one protocol the user may see, at `?as_of=` (today by default)."""

    permission_classes = [IsAuthenticated]

    def figures(self, protocol, as_of: date) -> dict:
        raise NotImplementedError

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, slug: str):
        if not scope_of(request.user).has(*PLIE_ROLES):
            raise PermissionDenied("Réservé aux équipes du PLIE, au pilotage et au contrôle.")
        protocol = get_object_or_404(Protocol.objects.visible_to(request.user), slug=slug)
        return Response(self.figures(protocol, _as_of(request)))


class ProtocolReportView(_ProtocolFiguresView):
    """The protocol dashboard's figures (same JSON as `levier pathways report`)."""

    def figures(self, protocol, as_of: date) -> dict:
        return protocol_report(protocol, as_of=as_of)


class ProtocolFseIndicatorsView(_ProtocolFiguresView):
    """The EU common indicators of the protocol's FSE period (same JSON as `levier pathways fse-indicators`)."""

    def figures(self, protocol, as_of: date) -> dict:
        from levier.pathways.fse import indicators

        return indicators(protocol, as_of=as_of)


def _as_of(request) -> date:
    return date_field(request.query_params.get("as_of"), "as_of", default=timezone.localdate())
