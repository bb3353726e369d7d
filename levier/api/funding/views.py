"""Funding API: the law's rules as JSON (anonymous, like the simulator), read endpoints scoped by
visible_to, and the instruction's transitions."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from levier.funding import calculators
from levier.funding import instruction as flow
from levier.funding import ledger
from levier.funding.models import Commitment, Convention, Fund, Instruction, LedgerEntry


class RuleView(APIView):
    """A rule of the funds domain: the body is the JSON the CLI reads (docs/funding-rules.md); bad input →
    400 with the shared error body. No personal data; anonymous and rate-limited."""

    permission_classes = [AllowAny]
    compute = None

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        return Response(type(self).compute(request.data))


class ObligationView(RuleView):
    """Revitalisation obligation: classification, SMIC, amount owed, deadline, Treasury payment."""

    compute = staticmethod(lambda data: calculators.obligation(data, today=timezone.localdate()))


class LoanView(RuleView):
    """A loan's schedule, reference and discount rates, gross grant equivalent."""

    compute = staticmethod(calculators.loan)


class DeMinimisView(RuleView):
    """The de minimis ceiling of a new aid for a single undertaking."""

    compute = staticmethod(calculators.de_minimis_check)


class ConventionSerializer(serializers.ModelSerializer):
    company = serializers.CharField(source="company.name")
    jobs = serializers.IntegerField()

    class Meta:
        model = Convention
        fields = ["id", "reference", "company", "kind", "procedure", "status", "headcount", "group_headcount",
                  "notified_on", "validated_on", "jobs_eliminated", "jobs_reclassified", "jobs", "rate", "agreed_amount",
                  "monthly_smic", "minimum_amount", "amount_owed", "national_framework", "signed_on", "ends_on",
                  "closed_on", "remainder", "remainder_use"]


class FundSerializer(serializers.ModelSerializer):
    manager = serializers.CharField(source="manager.name")
    balance = serializers.SerializerMethodField()

    class Meta:
        model = Fund
        fields = ["slug", "name", "kind", "manager", "revolving", "max_eu_rate", "priorities", "balance"]

    def get_balance(self, fund) -> dict:
        balances = self.context.get("balances")
        b = balances[fund.pk] if balances and fund.pk in balances else ledger.fund_balance(fund)
        return {"received": f"{b.received:.2f}", "allocated": f"{b.allocated:.2f}", "returned": f"{b.returned:.2f}",
                "available": f"{b.available:.2f}"}


class CommitmentSerializer(serializers.ModelSerializer):
    fund = serializers.CharField(source="fund.slug")
    beneficiary = serializers.CharField(source="beneficiary_label")
    siren = serializers.CharField(source="beneficiary.siren", default=None)

    class Meta:
        model = Commitment
        fields = ["id", "reference", "fund", "beneficiary", "siren", "kind", "legal_basis", "de_minimis",
                  "gross_grant_equivalent", "loan_rate", "loan_months", "loan_frequency", "first_due_on", "rating",
                  "collateral", "margin_bp", "base_rate", "reference_rate", "discount_rate", "committed_on",
                  "jobs_planned", "jobs_due_on"]


class EntrySerializer(serializers.ModelSerializer):
    fund = serializers.CharField(source="fund.slug")
    commitment = serializers.CharField(source="commitment.reference", default=None)

    class Meta:
        model = LedgerEntry
        fields = ["id", "fund", "kind", "amount", "on", "commitment", "note", "recorded_at"]


class InstructionSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="application.number")
    applicant = serializers.CharField(source="application.organisation.name")
    scheme = serializers.CharField(source="application.scheme.slug")
    fund = serializers.CharField(source="operator.fund.slug")
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Instruction
        fields = ["id", "number", "applicant", "scheme", "fund", "status", "reason", "decision", "agreement_signed_on",
                  "allowed_actions"]

    def get_allowed_actions(self, instruction) -> list[str]:
        return flow.allowed_actions(self.context["request"].user, instruction)


class ReadOnly(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    model = None
    related: tuple = ()

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user).select_related(*self.related).order_by("pk")


class ConventionViewSet(ReadOnly):
    """Revitalisation conventions the caller may see."""

    model, serializer_class, related = Convention, ConventionSerializer, ("company",)


class FundViewSet(ReadOnly):
    """Funds and programmes the caller may see, with balances derived from the ledger."""

    model, serializer_class, related, lookup_field = Fund, FundSerializer, ("manager",), "slug"

    def get_serializer(self, *args, **kwargs):
        """Balances of the page's funds in one query."""
        if args and isinstance(args[0], list):
            kwargs.setdefault("context", self.get_serializer_context())["balances"] = ledger.fund_balances(args[0])
        return super().get_serializer(*args, **kwargs)


class CommitmentViewSet(ReadOnly):
    model, serializer_class, related = Commitment, CommitmentSerializer, ("fund", "beneficiary")


class EntryViewSet(ReadOnly):
    """Ledger entries (immutable) the caller may see."""

    model, serializer_class, related = LedgerEntry, EntrySerializer, ("fund", "commitment")


class ApplicationViewSet(ReadOnly):
    """Applications under instruction the caller may see; transitions as explicit actions."""

    model, serializer_class = Instruction, InstructionSerializer
    related = ("application__organisation", "application__scheme", "operator__fund")

    @action(detail=True, methods=["post"], url_path="transitions")
    def transitions(self, request, pk=None):
        """Body: {"action": "start" | "request_documents" | … , "reason", "on", and the action's data}."""
        instruction = self.get_object()
        name = request.data.get("action", "")
        if name not in flow.allowed_actions(request.user, instruction):
            if name in flow.TRANSITIONS and instruction.status in flow.TRANSITIONS[name].sources:
                raise PermissionDenied("Action non autorisée pour votre rôle.")
        data = flow.action_data(instruction, name, request.data, today=timezone.localdate()) if name in flow.TRANSITIONS else {}
        updated = flow.fire(instruction, name, by=request.user, **data)
        return Response(InstructionSerializer(updated, context={"request": request}).data)
