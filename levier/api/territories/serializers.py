from rest_framework import serializers

from levier.territories.models import Qpv, Territory


class TerritorySerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Territory
        fields = ["kind", "kind_label", "code", "name", "epci_type", "population", "postcodes", "is_rural",
                  "valid_from", "valid_to"]


class CompositionSerializer(serializers.Serializer):
    territory = TerritorySerializer()
    date = serializers.DateField(source="on")
    verified = serializers.BooleanField()
    communes = TerritorySerializer(many=True)


class QpvSerializer(serializers.ModelSerializer):
    communes = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = Qpv
        fields = ["code", "name", "generation", "communes", "verified"]


class SmicSerializer(serializers.Serializer):
    date = serializers.DateField()
    monthly_gross = serializers.DecimalField(max_digits=14, decimal_places=2)
