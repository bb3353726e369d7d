"""The import page of a protocol: a template to download, a file checked (dry run) then imported — the checked
file is held, not uploaded twice — or imported at once; the protocol's previous imports."""

import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from levier.core.errors import InvalidInput
from levier.pathways import access, held_imports
from levier.pathways.exports import import_template
from levier.pathways.imports import COLUMN_HELP, COLUMNS, REQUIRED_COLUMNS, import_pathways
from levier.pathways.models import Protocol
from levier.web.forms_base import DsfrFormMixin


class ImportForm(DsfrFormMixin, forms.Form):
    file = forms.FileField(label="Fichier CSV", help_text="Séparateur , ou ; — UTF-8 ou Windows-1252 — une ligne par participant.")
    dry_run = forms.BooleanField(label="Vérifier seulement (rien n'est enregistré)", required=False, initial=True)


@login_required
def import_file(request, slug: str):
    """Check a file (dry run), then import it — the checked file is held, not uploaded twice — or import at once."""
    protocol = get_object_or_404(Protocol.objects.visible_to(request.user), slug=slug)
    if not access.is_coordinator(request.user, protocol):
        raise PermissionDenied
    held_imports.purge_expired()  # files checked and abandoned more than a day ago
    if request.method == "POST" and "held" in request.POST:
        return _import_held(request, protocol)
    if request.GET.get("modele") == "1":
        response = HttpResponse(import_template(protocol), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="modele-import-{protocol.slug}.csv"'
        return response
    form = ImportForm(request.POST or None, request.FILES or None)
    result, errors, held = None, [], None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / (Path(upload.name).name or "fichier.csv")
            with path.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            try:
                result = import_pathways(protocol=protocol, path=path, by=request.user,
                                         dry_run=form.cleaned_data["dry_run"])
            except InvalidInput as exc:
                errors = exc.errors
            if result and result.dry_run:
                held = held_imports.hold(request.session, protocol_slug=protocol.slug, source=path)
        if result and not result.dry_run:
            return _imported(request, protocol, result)
    return _import_page(request, protocol, form, result=result, errors=errors, held=held)


def _import_held(request, protocol):
    held = held_imports.held_file(request.session, protocol_slug=protocol.slug, token=request.POST.get("held", ""))
    if held is None:
        messages.error(request, "Le fichier vérifié n'est plus disponible (modifié, déjà importé ou trop ancien) : "
                                "choisissez-le de nouveau.")
        return redirect("pathways:import", slug=protocol.slug)
    try:
        result = import_pathways(protocol=protocol, path=held.path, by=request.user)
    except InvalidInput as exc:  # the protocol changed since the check (another import, a new participant)
        return _import_page(request, protocol, ImportForm(), errors=exc.errors)
    finally:
        held_imports.release(request.session)
    return _imported(request, protocol, result)


def _imported(request, protocol, result):
    messages.success(request, f"{result.created} parcours créés, {result.updated} mis à jour.")
    return redirect("pathways:dashboard", slug=protocol.slug)


def _import_page(request, protocol, form, *, result=None, errors=(), held=None):
    return render(request, "pathways/import.html", {
        "title": f"Import de participants — {protocol.name}", "protocol": protocol, "form": form, "result": result,
        "held": held, "errors": errors[:500], "error_count": len(errors),
        "columns": [_column(name) for name in COLUMNS],
        "imports": protocol.imports.select_related("by").order_by("-at", "-id")[:20]})


def _column(name: str) -> tuple:
    """(name, meaning, format, codes, required): a format is a sentence, or the file's codes and their meaning."""
    meaning, form = COLUMN_HELP[name]
    codes = form if isinstance(form, tuple) else None
    return name, meaning, "" if codes else form, codes, name in REQUIRED_COLUMNS
