"""One error body for the API and the CLI:
{"errors": [{"field": "project.net_cdi_jobs_24m", "message": "…"}]}.
"""

from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"field": self.field, "message": self.message}


class InvalidInput(Exception):
    """Raised by services when input is refused; nothing has been saved."""

    def __init__(self, errors: list[FieldError] | FieldError):
        self.errors = [errors] if isinstance(errors, FieldError) else list(errors)
        super().__init__("; ".join(f"{e.field} : {e.message}" for e in self.errors))

    @classmethod
    def single(cls, field: str, message: str) -> "InvalidInput":
        return cls([FieldError(field, message)])

    def as_body(self) -> dict:
        return {"errors": [e.as_dict() for e in self.errors]}


def errors_from_validation_error(exc: ValidationError, prefix: str = "") -> list[FieldError]:
    """Flatten a Django ValidationError into field errors (field '' = whole record)."""
    errors: list[FieldError] = []
    if hasattr(exc, "error_dict"):
        for field, field_errors in exc.error_dict.items():
            name = "" if field == NON_FIELD_ERRORS else field
            full = ".".join(part for part in (prefix, name) if part)
            for error in field_errors:
                for message in error.messages:
                    errors.append(FieldError(full, message))
    else:
        for message in exc.messages:
            errors.append(FieldError(prefix, message))
    return errors


def as_invalid_input(exc: ValidationError, prefix: str = "") -> InvalidInput:
    return InvalidInput(errors_from_validation_error(exc, prefix))
