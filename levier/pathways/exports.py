"""Export of a protocol's participants in the import's columns: pseudonymised unless the user asks
for names and may see them (the coordinator). The export itself is recorded in the audit trail."""

from collections.abc import Iterator

from levier.core.errors import InvalidInput
from levier.reporting.model import Column
from levier.reporting.render import csv_lines

from . import access
from .enums import POSITIVE_EXIT_KINDS
from .imports import COLUMNS
from .models import Pathway


# The import's columns, as text: a re-import reads back what was exported (a cell a spreadsheet would run
# as a formula — a name typed "=…", "+…", "@…" — is quoted off by the reporting toolkit).
CSV_COLUMNS = [Column(name, name) for name in COLUMNS]


def _lines(rows) -> Iterator[str]:
    return csv_lines(CSV_COLUMNS, (dict(zip(COLUMNS, row, strict=True)) for row in rows))


def _flag(value) -> str:
    return "" if value is None else ("1" if value else "0")


def export_rows(protocol, *, names: bool, user=None) -> Iterator[list[str]]:
    """The protocol's participants in the import's columns. With a `user`: only the pathways whose file the user
    may open, RSA and RQTH only where the user sees sensitive data (the participant's referent, the coordinator);
    without one (an operator's command), every pathway, whole."""
    pathways = Pathway.objects.filter(protocol=protocol)
    if user is not None:
        pathways = pathways.visible_to(user)
    for p in pathways.select_related("person", "commune", "protocol").order_by("id").iterator(chunk_size=2000):
        person, shown = p.person, user is None or access.sees_sensitive(user, p)
        validated = "" if p.exit_kind not in POSITIVE_EXIT_KINDS \
            else _flag(bool(p.exit_category))
        yield [
            p.external_id or "" if names else p.pseudonym,
            person.last_name if names else "", person.first_name if names else "", person.sex,
            person.birth_date.isoformat() if names else str(person.birth_date.year), p.commune.code,
            p.entry_date.isoformat(), _flag(p.qpv), p.prescriber_type, _flag(p.rsa) if shown else "",
            _flag(p.long_term_unemployed),
            "" if not shown or not p.rqth or p.rqth == "declined" else _flag(p.rqth == "yes"), p.qualification_level,
            p.exit_date.isoformat() if p.exit_date else "", p.exit_kind if p.exit_kind != "committee" else "other",
            validated,
        ]


def export_csv(*, protocol, user, names: bool) -> Iterator[str]:
    """CSV lines (`;`, UTF-8): the coordinator, referents (their structure's participants) and auditors; names only
    for the protocol's coordinator; never for the FSE controller nor steering (aggregates only). `user` None: an
    operator's command, every participant."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    if user is not None and not access.may_export(user, protocol):
        raise InvalidInput.single("user", "Export des participants réservé au coordinateur, aux référents et aux "
                                          "auditeurs du PLIE (jamais au contrôle FSE ni au pilotage).")
    if names and (user is None or not access.may_export_names(user, protocol)):
        raise InvalidInput.single("names", "Export nominatif réservé au coordinateur du PLIE.")
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(type(protocol)), object_pk=str(protocol.pk), object_id=protocol.pk,
        object_repr=str(protocol), action=LogEntry.Action.ACCESS, changes={},
        actor=user if getattr(user, "is_authenticated", False) else None,
        additional_data={"export": "nominatif" if names else "pseudonymisé"})
    yield from _lines(export_rows(protocol, names=names, user=user))


def import_template(protocol) -> str:
    """A CSV to fill in for the import: its columns and two example lines (a participant in a pathway and one
    who left for a validated CDI), with a commune of the protocol's territory at its start."""
    from levier.territories.models import Territory
    from levier.territories.services import composition

    from .qualifications import OLD

    start = protocol.starts_on
    commune = Territory.objects.filter(id__in=composition(protocol.territory, start).commune_ids).order_by("code").first()
    code = commune.code if commune else ""
    level, other_level = ("IV", "Vbis") if protocol.nomenclature == OLD else ("4", "3")
    examples = [
        {"external_id": "EX-0001", "last_name": "Exemple", "first_name": "Camille", "sex": "F", "birth_date": "12/03/1985",
         "commune_insee": code, "entry_date": start.strftime("%d/%m/%Y"), "qpv": "0", "prescriber_type": "france_travail",
         "rsa": "1", "long_term_unemployed": "1", "rqth": "", "qualification_level": level},
        {"external_id": "EX-0002", "last_name": "Modèle", "first_name": "Sacha", "sex": "X", "birth_date": "1990-07-14",
         "commune_insee": code, "entry_date": start.isoformat(), "qpv": "1", "prescriber_type": "ccas", "rsa": "0",
         "long_term_unemployed": "", "rqth": "0", "qualification_level": other_level,
         "exit_date": min(start.replace(year=start.year + 1), protocol.ends_on).isoformat(), "exit_type": "cdi",
         "exit_validated": "1"},
    ]
    return "".join(_lines([example.get(c, "") for c in COLUMNS] for example in examples))
