"""Forms styled with the State design system, and a service's InvalidInput shown field by field."""

from django import forms

from levier.core.errors import InvalidInput

WIDGET_CLASSES = {
    forms.CheckboxSelectMultiple: "",
    forms.RadioSelect: "",
    forms.Select: "fr-select",
    forms.SelectMultiple: "fr-select",
    forms.Textarea: "fr-input",
    forms.CheckboxInput: "",
}


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
