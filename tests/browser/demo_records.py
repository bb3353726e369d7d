"""For a page of the matrix, the URL arguments of the first demo record a user may see (None: none)."""

from collections.abc import Callable


def _first(queryset):
    return queryset.order_by("pk").first()


def _organisation(user):
    from levier.organisations.models import Organisation

    return _first(Organisation.objects.visible_to(user))


def _application(user):
    from levier.aids.applications import ApplicationQueries

    return _first(ApplicationQueries.visible_to(user))


def _pathway(user):
    from django.db.models import Count

    from levier.pathways.models import Pathway

    return Pathway.objects.visible_to(user).annotate(n=Count("steps")).order_by("-n", "pk").first()


def _protocol(user):
    from levier.pathways.models import Protocol

    return _first(Protocol.objects.visible_to(user))


def _model(path: str):
    def find(user):
        from django.apps import apps

        return _first(apps.get_model(path).objects.visible_to(user))

    return find


def _pk(find):
    return lambda user: (lambda record: {"pk": record.pk} if record else None)(find(user))


def _slug(find):
    return lambda user: (lambda record: {"slug": record.slug} if record else None)(find(user))


def _document(user):
    application = _application(user)
    document = application.documents.first() if application else None
    return {"pk": application.pk, "document_pk": document.pk} if document else None


def _instruction_document(user):
    from levier.aids.models import ApplicationDocument
    from levier.funding.models import Instruction

    instructions = Instruction.objects.visible_to(user)
    document = ApplicationDocument.objects.filter(application__instruction__in=instructions).first()
    if document is None:
        return None
    return {"pk": document.application.instruction.pk, "document_pk": document.pk}


def _scheme(user):
    from levier.aids.models import Scheme

    return _first(Scheme.objects.public())


def _managed_scheme(user):
    from levier.aids.backoffice import manageable_schemes  # the catalogue staff's schemes

    return _first(manageable_schemes(user))


def _step(user):
    pathway = _pathway(user)
    step = pathway.steps.order_by("pk").first() if pathway else None
    return {"pk": pathway.pk, "step_pk": step.pk} if step else None


def _questionnaire(user):
    pathway = _pathway(user)
    return {"pk": pathway.pk, "moment": "entry"} if pathway else None


RESOLVERS: dict[str, Callable] = {
    "organisations:detail": _pk(_organisation), "organisations:history": _pk(_organisation),
    "organisations:establishment_create": _pk(_organisation),
    "territories:detail": lambda user: {"kind": "commune", "code": "13001"},
    "aids:detail": _slug(_scheme), "aids:application": _pk(_application),
    "aids:application_document": _document, "aids:application_de_minimis": _pk(_application),
    "aids:manage": _slug(_managed_scheme),
    "funding:fund": _slug(_model("funding.Fund")), "funding:convention": _pk(_model("funding.Convention")),
    "funding:instruction_document": _instruction_document,
    "funding:commitment": _pk(_model("funding.Commitment")), "funding:instruction": _pk(_model("funding.Instruction")),
    "pathways:participant": _pk(_pathway), "pathways:step_create": _pk(_pathway), "pathways:step_update": _step,
    "pathways:access_export": _pk(_pathway), "pathways:questionnaire": _questionnaire,
    "pathways:fse": _slug(_protocol), "pathways:dashboard": _slug(_protocol), "pathways:export": _slug(_protocol),
    "pathways:import": _slug(_protocol), "pathways:parameters": _slug(_protocol),
}


def kwargs_for(name: str, user) -> dict | None:
    """A page of the matrix missing here is an error: every page is opened on the demo too."""
    if name not in RESOLVERS:
        raise KeyError(f"Page sans enregistrement de démonstration : ajoutez-la à tests/browser/demo_records.py ({name})")
    return RESOLVERS[name](user)
