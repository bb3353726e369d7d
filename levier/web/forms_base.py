"""Forms styled with the State design system, and a service's InvalidInput shown field by field."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from levier.core.errors import InvalidInput
from levier.core.formats import format_number
from levier.core.parsing import parse_decimal

WIDGET_CLASSES = {
    forms.CheckboxSelectMultiple: "",
    forms.RadioSelect: "",
    forms.Select: "fr-select",
    forms.SelectMultiple: "fr-select",
    forms.Textarea: "fr-input",
    forms.CheckboxInput: "",
}


class IsoDateInput(forms.DateInput):
    """A date field the browser fills: its value is written AAAA-MM-JJ, the only format `type=date` shows."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class FrenchDecimalField(forms.DecimalField):
    """A number as French users type it — « 12 000,50 », « 12000.50 » — shown back the same way (« 12 000,50 »),
    read by the one decimal parser (levier.core.parsing)."""

    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_decimal(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format_number(value, self.decimal_places)
        return value


class DsfrFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self):
        """The design system's class on each field's widget (again after a form adds fields of its own)."""
        for name, field in self.fields.items():
            css = next((c for w, c in WIDGET_CLASSES.items() if isinstance(field.widget, w)), "fr-input")
            if css:
                field.widget.attrs["class"] = css

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-describedby"] = f"id_{name}-error"
                widget.attrs["aria-invalid"] = "true"
                base = widget.attrs.get("class", "")
                if base and "--error" not in base:
                    widget.attrs["class"] = f"{base} {base}--error"


def add_errors(form, exc: InvalidInput) -> None:
    for error in exc.errors:
        field = error.field.split(".")[0] if error.field else None
        form.add_error(field if field in form.fields else None, error.message)
    if hasattr(form, "full_clean"):
        for name in form.errors:
            if name in form.fields:
                form.fields[name].widget.attrs["aria-describedby"] = f"id_{name}-error"
                form.fields[name].widget.attrs["aria-invalid"] = "true"


def flash_errors(request, exc: InvalidInput) -> None:
    """Every message of a service's refusal, for a page that redirects after a POST."""
    from django.contrib import messages

    for error in exc.errors:
        messages.error(request, error.message)


def flash_form_errors(request, form) -> None:
    """Every error of an invalid form, each named by its field's label, for a page that redirects after a POST."""
    from django.contrib import messages

    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label} : {error}" if label else error)
