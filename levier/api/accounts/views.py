from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from levier.accounts import services
from levier.accounts.models import Membership
from levier.accounts.permissions import scope_of


class MembershipSerializer(serializers.ModelSerializer):
    user = serializers.EmailField(source="user.email", read_only=True)
    organisation = serializers.CharField(source="unit.organisation.name", read_only=True)
    unit = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "organisation", "unit", "role", "status", "message", "created_at", "decided_at"]


class DecisionSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    memberships = MembershipSerializer(many=True)


class MeView(APIView):
    """The signed-in user, its roles and memberships."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        scope = scope_of(request.user)
        return Response({
            "email": request.user.email,
            "name": request.user.get_full_name(),
            "roles": sorted(scope.roles) + (["administrator"] if scope.is_admin and "administrator" not in scope.roles else []),
            "memberships": MembershipSerializer(
                Membership.objects.filter(user=request.user).select_related("unit__organisation"), many=True
            ).data,
        })


class MembershipRequestViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Pending requests to join an organisation that the user may decide."""

    serializer_class = MembershipSerializer

    def get_queryset(self):
        return Membership.objects.decidable_by(self.request.user).select_related("user", "unit__organisation")

    @action(detail=True, methods=["post"], serializer_class=DecisionSerializer)
    def decide(self, request, pk=None):
        membership = self.get_object()
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decided = services.decide_membership(membership=membership, by=request.user, **serializer.validated_data)
        return Response(MembershipSerializer(decided).data)
