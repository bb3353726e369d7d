"""The API's error body, shared with the CLI:
{"errors": [{"field": "…", "message": "…"}]} with HTTP 400 for bad input."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from levier.core.errors import InvalidInput, as_invalid_input


def _flatten(detail, prefix: str = "") -> list[dict]:
    if isinstance(detail, dict):
        items = []
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "detail") else str(key)
            items += _flatten(value, ".".join(p for p in (prefix, name) if p))
        return items
    if isinstance(detail, list):
        items = []
        for index, value in enumerate(detail):
            if isinstance(value, dict):
                items += _flatten(value, f"{prefix}[{index}]")
            else:
                items += _flatten(value, prefix)
        return items
    return [{"field": prefix, "message": str(detail)}]


def _unreadable_body(exc: exceptions.ParseError) -> InvalidInput:
    """DRF's parse error (English, no field) as the foundation's body: the field is the request's body."""
    where = re.search(r"line (\d+) column (\d+)", str(exc.detail))
    at = f" (ligne {where[1]}, colonne {where[2]})" if where else ""
    return InvalidInput.single("body", f"Corps de la requête illisible : JSON invalide{at}.")


def exception_handler(exc, context):
    if isinstance(exc, exceptions.ParseError):
        exc = _unreadable_body(exc)
    if isinstance(exc, InvalidInput):
        return Response(exc.as_body(), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ValidationError):
        return Response(as_invalid_input(exc).as_body(), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Ressource introuvable.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied("Action non autorisée.")
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = {"errors": _flatten(response.data)}
    return response
