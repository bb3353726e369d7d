from rest_framework import serializers

from levier.accounts.permissions import can_see_field
from levier.organisations.enums import OrganisationKind, OrganisationRole
from levier.organisations.models import Establishment, Organisation


class EstablishmentSerializer(serializers.ModelSerializer):
    commune = serializers.SlugRelatedField(slug_field="code", read_only=True)
    qpv = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Establishment
        fields = ["id", "siret", "name", "address", "commune", "qpv", "is_head_office"]


class EstablishmentCreateSerializer(serializers.Serializer):
    siret = serializers.CharField(required=False, allow_blank=True, max_length=17)
    name = serializers.CharField(required=False, allow_blank=True, max_length=250)
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    commune_code = serializers.CharField(required=False, allow_blank=True, max_length=5)
    qpv_code = serializers.CharField(required=False, allow_blank=True, max_length=20)
    is_head_office = serializers.BooleanField(required=False, default=False)


class OrganisationSerializer(serializers.ModelSerializer):
    size_category = serializers.SerializerMethodField()
    establishments = EstablishmentSerializer(many=True, read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "siren", "rna", "legal_form", "naf_code", "is_ess", "roles", "iae_kinds",
                  "headcount", "turnover", "balance_sheet", "financial_year", "parent_siren", "group_headcount",
                  "size_category", "establishments"]

    def get_size_category(self, obj) -> dict:
        size = obj.size
        return {"category": size.category, "estimated": size.estimated, "label": size.label,
                "possible": list(size.possible)}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = self.context["request"].user
        for field in Organisation.CONFIDENTIAL_FIELDS:
            if not can_see_field(user, instance, field):
                data[field] = None
        return data


class OrganisationCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=250)
    kind = serializers.ChoiceField(choices=OrganisationKind.choices, default=OrganisationKind.COMPANY)
    siren = serializers.CharField(required=False, allow_blank=True, max_length=11)
    rna = serializers.CharField(required=False, allow_blank=True, max_length=10)
    legal_form = serializers.CharField(required=False, allow_blank=True, max_length=120)
    naf_code = serializers.CharField(required=False, allow_blank=True, max_length=6)
    is_ess = serializers.BooleanField(required=False, default=False)
    roles = serializers.ListField(child=serializers.ChoiceField(choices=OrganisationRole.choices), required=False)
    headcount = serializers.DecimalField(max_digits=9, decimal_places=2, required=False, allow_null=True, min_value=0)
    turnover = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True, min_value=0)
    balance_sheet = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True, min_value=0)
