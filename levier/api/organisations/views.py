from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from levier.accounts.permissions import scope_of
from levier.organisations import services
from levier.organisations.models import Organisation

from .serializers import EstablishmentCreateSerializer, EstablishmentSerializer, OrganisationCreateSerializer, OrganisationSerializer


class OrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Organisations the user may see (`visible_to`). Staff who are not read-only may create."""

    serializer_class = OrganisationSerializer

    def get_queryset(self):
        queryset = Organisation.objects.visible_to(self.request.user).prefetch_related("establishments__commune")
        siren = self.request.query_params.get("siren")
        return queryset.filter(siren=siren) if siren else queryset.order_by("name")

    def _check_write(self, organisation=None):
        scope = scope_of(self.request.user)
        own = organisation is not None and organisation.id in scope.company_organisation_ids
        if not (scope.is_admin or own or (scope.is_staff_member and not scope.is_read_only)):
            raise PermissionDenied("Action non autorisée pour votre rôle.")

    def create(self, request):
        self._check_write()
        if not scope_of(request.user).is_staff_member:
            raise PermissionDenied("Action non autorisée pour votre rôle.")
        serializer = OrganisationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organisation = services.create_organisation(by=request.user, **serializer.validated_data)
        return Response(OrganisationSerializer(organisation, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="establishments", serializer_class=EstablishmentCreateSerializer)
    def add_establishment(self, request, pk=None):
        organisation = self.get_object()
        self._check_write(organisation)
        serializer = EstablishmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        establishment = services.add_establishment(organisation=organisation, by=request.user, **serializer.validated_data)
        return Response(EstablishmentSerializer(establishment).data, status=status.HTTP_201_CREATED)
