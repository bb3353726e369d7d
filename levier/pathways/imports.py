"""`levier pathways import --protocol SLUG FILE.csv [--dry-run]`: records a PLIE already holds elsewhere.

The file is read as a stream in chunks inside one transaction (what is kept between chunks is one 64-bit
hash per external id, so memory grows little with the file's size):
any error and nothing is imported, every error listed with its line (the header is line 1), column
and a French message. `external_id` is unique per protocol; re-importing it updates only non-empty
cells and never deletes. Audit: one import record plus per-record entries written in bulk.
"""

import codecs
import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from levier.core import workflow
from levier.core.bulk import BulkWriter, JsonText, reserve_ids, update_rows
from levier.core.collector import with_collector_paused
from levier.core.errors import FieldError, InvalidInput
from levier.core.formats import format_date, format_number
from levier.core.parsing import parse_day
from levier.core.planner import INDEX_PROBES, planner_settings
from levier.territories.rules import normalize_name

from .enums import CATEGORY_OF_KIND, FILE_EXIT_KINDS, POSITIVE_EXIT_KINDS, ExitKind, ExitSource, PathwayStatus, PrescriberType, Sex
from .models import PATHWAY_WORKFLOW, Pathway, PathwayImport, Person
from .participants import BORN_AFTER_ENTRY, born_before, in_territory_message, match_key
from .qualifications import parse_level

REQUIRED_COLUMNS = ("external_id", "last_name", "first_name", "sex", "birth_date", "commune_insee", "entry_date")
OPTIONAL_COLUMNS = ("qpv", "prescriber_type", "rsa", "long_term_unemployed", "rqth", "qualification_level",
                    "exit_date", "exit_type", "exit_validated")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
_FLAG = "1 : oui, 0 : non"
_EXITS = tuple((kind, ExitKind(kind).label) for kind in FILE_EXIT_KINDS)  # the file's codes, and what they mean
# What each column of the file holds, in French, for the import page (the names are the file's, kept stable).
COLUMN_HELP = {
    "external_id": ("Identifiant du participant dans l'outil d'origine", "texte, unique dans le protocole"),
    "last_name": ("Nom", "texte"), "first_name": ("Prénom", "texte"),
    "sex": ("Sexe", "F, M ou X"), "birth_date": ("Date de naissance", "AAAA-MM-JJ ou JJ/MM/AAAA"),
    "commune_insee": ("Commune de résidence", "code INSEE à 5 caractères (13001, 2A004)"),
    "entry_date": ("Date d'entrée dans le PLIE", "AAAA-MM-JJ ou JJ/MM/AAAA"),
    "qpv": ("Résidant d'un quartier prioritaire", _FLAG),
    "prescriber_type": ("Prescripteur", "France Travail, Pôle insertion, CCAS, CAF, BME, Mission locale, Cap emploi, Autre"),
    "rsa": ("Bénéficiaire du RSA", _FLAG), "long_term_unemployed": ("Demandeur d'emploi de longue durée", _FLAG),
    "rqth": ("Reconnaissance de la qualité de travailleur handicapé", _FLAG),
    "qualification_level": ("Niveau de qualification", "niveau de la nomenclature du protocole (V, IV… ou 3, 4…)"),
    "exit_date": ("Date de sortie", "AAAA-MM-JJ ou JJ/MM/AAAA"), "exit_type": ("Type de sortie", _EXITS),
    "exit_validated": ("Sortie positive validée à six mois", _FLAG),
}
PRESCRIBER_ALIASES = {"france_travail": "pole_emploi", "francetravail": "pole_emploi", "pe": "pole_emploi"}
EXIT_TYPES = FILE_EXIT_KINDS
ACTIVE, EXITED, FROM_IMPORT = PathwayStatus.ACTIVE.value, PathwayStatus.EXITED.value, ExitSource.IMPORT.value
ELIGIBILITY_REASON = "Décision prise avant l'import."
CHUNK = 2000


@dataclass(frozen=True)
class RowError(FieldError):
    line: int = 0
    column: str = ""

    def as_dict(self) -> dict:
        return {"field": self.field, "line": self.line, "column": self.column, "message": self.message}


def row_error(line: int, column: str, message: str) -> RowError:
    return RowError(field=f"ligne {line}, {column}" if column else f"ligne {line}", message=message, line=line,
                    column=column)


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    attached: list[str] = field(default_factory=list)  # "ligne 12 : rattaché à …"
    dry_run: bool = False
    record: PathwayImport | None = None


# ---------------------------------------------------------------- reading


def _scan(path: Path) -> tuple[str, str, int, bool]:
    """SHA-256, encoding (UTF-8 — BOM stripped — else Windows-1252), line count and whether a NUL byte occurs,
    in one streamed pass. A file that is neither UTF-8 nor Windows-1252 (a byte Windows-1252 leaves undefined,
    such as 0x81) is refused with its line."""
    digest, decoder, utf8, lines, nul = hashlib.sha256(), codecs.getincrementaldecoder("utf-8")(), True, 0, False
    not_cp1252: tuple[int, int] | None = None  # (line, byte) of the first byte Windows-1252 cannot read
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            if utf8:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8 = False
            if not_cp1252 is None:
                try:
                    block.decode("cp1252")  # one byte per character: blocks decode on their own
                except UnicodeDecodeError as exc:
                    not_cp1252 = (lines + block.count(b"\n", 0, exc.start) + 1, block[exc.start])
            lines += block.count(b"\n")
            nul = nul or b"\x00" in block
    if utf8:  # a file ending inside a multi-byte sequence (a Windows-1252 accent as last byte) is not UTF-8
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    if not utf8 and not_cp1252 is not None:
        line, byte = not_cp1252
        raise InvalidInput([row_error(line, "", f"Fichier illisible : ni UTF-8 ni Windows-1252 (octet 0x{byte:02X}). "
                                                "Enregistrer le fichier en CSV UTF-8.")])
    return digest.hexdigest(), "utf-8-sig" if utf8 else "cp1252", lines, nul


class Unreadable(Exception):
    """The file cannot be read on from this record (a cell beyond the csv reader's limit, a quote never closed):
    `error` names the line where the record starts and, when found, its column."""

    def __init__(self, error: RowError):
        super().__init__(error.message)
        self.error = error


def _rows(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, cells) of each record; the header is line 1. A record that spans several
    lines (a quoted cell holding a line break) is numbered by its first line, where a quote left open starts."""
    handle = path.open(encoding=encoding, newline="")
    with handle:
        first = handle.readline()
        delimiter = ";" if first.count(";") > first.count(",") else ","
        reader = csv.reader(io.StringIO(first), delimiter=delimiter)
        try:
            header = next(reader, [])
        except csv.Error as exc:
            raise Unreadable(_broken(1, first, [], delimiter, str(exc))) from None
        yield 1, header
        pending: list[str] = []  # the physical lines of the record being read (a few, unless it is broken)

        def lines():
            for text in handle:
                pending.append(text)
                yield text

        reader = csv.reader(lines(), delimiter=delimiter)
        consumed = 0  # physical lines read after the header, before the current record
        while True:
            pending.clear()
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise Unreadable(_broken(consumed + 2, "".join(pending), header, delimiter, str(exc))) from None
            start, consumed = consumed + 2, reader.line_num
            if len(pending) > 1:  # several lines: a quote opened and never closed?
                found = _long_or_open_cell("".join(pending), delimiter, csv.field_size_limit())
                if found is not None and found[1]:
                    raise Unreadable(_broken(start, "", header, delimiter, "", found=found))
            yield start, row


def _long_or_open_cell(text: str, delimiter: str, limit: int) -> tuple[int, bool] | None:
    """(index, quote left open) of the first cell of one record's raw text longer than `limit` characters or whose
    opening quote is never closed; None when there is none. Reads as the csv module does: a cell is quoted only
    when it starts with a quote, and a doubled quote inside it is one quote."""
    index, i, size = 0, 0, len(text)
    while True:
        start = i
        if i < size and text[i] == '"':
            j = i + 1
            while True:
                j = text.find('"', j)
                if j < 0:
                    return index, True
                if text.startswith('"', j + 1):
                    j += 2
                    continue
                break
            i = j + 1
        end = text.find(delimiter, i)
        stop = size if end < 0 else end
        if len(text[start:stop].rstrip("\r\n")) > limit:
            return index, False
        if end < 0:
            return None
        index, i = index + 1, end + 1


def _broken(line: int, text: str, header: list[str], delimiter: str, reason: str,
            found: tuple[int, bool] | None = None) -> RowError:
    """The error of a record the csv reader stopped on (or of a quote never closed), with its column when found."""
    limit = csv.field_size_limit()
    if found is None and text:
        found = _long_or_open_cell(text, delimiter, limit)
    column = ""
    if found is not None:
        index = found[0]
        column = header[index].strip().lower() if index < len(header) else f"colonne {index + 1}"
    if found is not None and found[1]:
        message = ("Guillemet ouvert dans cette cellule et jamais fermé : la suite du fichier serait lue comme une "
                   "seule cellule. Fermer le guillemet ou l'enlever.")
    elif "field larger" in reason or found is not None:
        message = (f"Cellule de plus de {format_number(limit)} caractères : fichier endommagé ou guillemet non fermé. "
                   "Rien n'a été importé.")
    else:
        message = f"Fichier CSV illisible à partir de cette ligne ({reason})."
    return row_error(line, column, message)


# ---------------------------------------------------------------- cells


def parse_date(text: str) -> date:
    try:
        return parse_day(text)
    except ValueError:
        raise ValueError(f"Date impossible : « {text} » (AAAA-MM-JJ ou JJ/MM/AAAA attendu).") from None


def parse_flag(text: str) -> bool:
    if text in ("0", "1"):
        return text == "1"
    raise ValueError(f"0 ou 1 attendu, reçu « {text} ».")


def parse_prescriber(text: str) -> str:
    key = "_".join(normalize_name(text).split())  # "France Travail" → france_travail, "Pôle emploi" → pole_emploi
    value = PRESCRIBER_ALIASES.get(key, key)
    if value not in PrescriberType.values:
        raise ValueError(f"Type de prescripteur inconnu : « {text} » ({', '.join(PrescriberType.values)}).")
    return value


def parse_sex(text: str) -> str:
    if text.upper() not in Sex.values:
        raise ValueError(f"Sexe attendu : F, M ou X, reçu « {text} ».")
    return text.upper()


def parse_exit_type(text: str) -> str:
    if text.lower() not in EXIT_TYPES:
        raise ValueError(f"Type de sortie inconnu : « {text} » ({', '.join(EXIT_TYPES)}).")
    return text.lower()


PARSERS: dict[str, Callable[[str], object]] = {
    "sex": parse_sex, "birth_date": parse_date, "entry_date": parse_date, "exit_date": parse_date,
    "qpv": parse_flag, "rsa": parse_flag, "long_term_unemployed": parse_flag, "rqth": parse_flag,
    "exit_validated": parse_flag, "prescriber_type": parse_prescriber, "qualification_level": parse_level,
    "exit_type": parse_exit_type,
}


@dataclass
class Row:
    line: int
    values: dict  # column → parsed value; a missing key is an empty cell (unknown)
    commune: object = None  # (id, code, name)
    key: tuple | None = None  # identity (match key, birth date, commune id), computed once (Importer._key)


class _Invalid(str):
    """A cell's error message (memoised like a parsed value)."""


_EMPTY = object()
MEMO_LIMIT = 20_000  # distinct cells kept per column (dates, codes); the memo starts again beyond


# The longest cell each column takes: the database column's length for the text kept as is, and for the codes,
# dates and flags (none legitimately longer than a few dozen characters) the same bound as the names.
CELL_LIMITS = {"external_id": Pathway._meta.get_field("external_id").max_length,
               "last_name": Person._meta.get_field("last_name").max_length,
               "first_name": Person._meta.get_field("first_name").max_length}
CELL_LIMIT = max(CELL_LIMITS.values())
NUL_MESSAGE = "Caractère nul (octet 0x00) dans la cellule : fichier endommagé ou qui n'est pas un CSV."


def too_long(text: str, limit: int) -> str:
    return f"Cellule trop longue : {format_number(len(text))} caractères pour {format_number(limit)} au plus."


class RowParser:
    """Cells to values, column by column; each distinct cell of a parsed column is parsed once per file
    (dates, flags and codes repeat: a file of 100 000 rows holds a few thousand distinct dates).
    A cell longer than its column takes, or holding a NUL character (`nul`: the file holds one), is a row error."""

    def __init__(self, header: list[str], *, nul: bool = False):
        self.header, self.nul = header, nul
        self.plan = [(column, column in REQUIRED_COLUMNS, PARSERS.get(column), CELL_LIMITS.get(column, CELL_LIMIT))
                     for column in header]
        self.memos: dict[str, dict] = {column: {} for column in header if column in PARSERS}

    def _cell(self, column: str, parser, raw: str, limit: int):
        memo = self.memos[column]
        found = memo.get(raw)
        if found is None:
            if len(raw) > limit:  # not kept: a long cell is not a value that repeats
                return _Invalid(too_long(raw.strip(), limit))
            text = raw.strip()
            try:
                found = parser(text) if text else _EMPTY
            except ValueError as exc:
                found = _Invalid(str(exc))
            if len(memo) >= MEMO_LIMIT:
                memo.clear()
            memo[raw] = found
        return found

    def parse(self, line: int, cells: list[str], errors: list) -> Row | None:
        header = self.header
        if len(cells) != len(header):
            errors.append(row_error(line, "", f"{len(cells)} cellules pour {len(header)} colonnes."))
            return None
        values = {}
        for (column, required, parser, limit), raw in zip(self.plan, cells):
            if self.nul and "\x00" in raw:
                errors.append(row_error(line, column, NUL_MESSAGE))
                continue
            if parser is None:
                value = raw.strip() or _EMPTY
                if value is not _EMPTY and len(value) > limit:
                    errors.append(row_error(line, column, too_long(value, limit)))
                    continue
            else:
                value = self._cell(column, parser, raw, limit)
                if type(value) is _Invalid:
                    errors.append(row_error(line, column, value))
                    continue
            if value is _EMPTY:
                if required:
                    errors.append(row_error(line, column, "Valeur obligatoire manquante."))
                continue
            values[column] = value
        if ("exit_type" in values) != ("exit_date" in values) and not any(
                e.line == line and e.column in ("exit_type", "exit_date") for e in errors[-len(header):]):
            missing = "exit_date" if "exit_type" in values else "exit_type"
            errors.append(row_error(line, missing, "Type et date de sortie vont ensemble."))
        if "birth_date" in values and "entry_date" in values and not born_before(values["birth_date"], values["entry_date"]):
            errors.append(row_error(line, "birth_date", BORN_AFTER_ENTRY))
        if "exit_date" in values and "entry_date" in values and values["exit_date"] < values["entry_date"]:
            errors.append(row_error(line, "exit_date", "Date de sortie avant la date d'entrée."))
        return Row(line, values)


def imported_fields(values: dict, exit_kind: str = "", exit_date: date | None = None) -> dict:
    """The pathway's fields set by a row's non-empty cells (an empty cell is unknown and never erases what
    is held). `exit_kind` and `exit_date`: the exit already recorded, which `exit_validated` alone confirms."""
    fields = {column: values[column] for column in ("qpv", "rsa", "long_term_unemployed", "prescriber_type")
              if column in values}
    if "rqth" in values:
        fields["rqth"] = "yes" if values["rqth"] else "no"
    if "qualification_level" in values:
        level = values["qualification_level"]
        fields["qualification_level"], fields["qualification_nomenclature"] = level.level, level.nomenclature
    if "exit_type" in values:
        kind, on = values["exit_type"], values["exit_date"]
        validated = values.get("exit_validated", False) and kind in POSITIVE_EXIT_KINDS
        fields.update(status=EXITED, exit_kind=kind, exit_date=on, exit_source=FROM_IMPORT,
                      exit_category=CATEGORY_OF_KIND[kind] if validated else "",
                      exit_validated_on=on if validated else None,
                      exit_reason="Sortie reprise de l'outil précédent" + (
                          "" if validated or kind not in POSITIVE_EXIT_KINDS else " (non validée)") + ".")
    elif "exit_validated" in values and exit_kind in POSITIVE_EXIT_KINDS and exit_date:
        validated = values["exit_validated"]
        fields["exit_category"] = CATEGORY_OF_KIND[exit_kind] if validated else ""
        fields["exit_validated_on"] = exit_date if validated else None
    return fields


# ---------------------------------------------------------------- import


class Importer:
    """One import run: parse, check and write chunk by chunk; roll back on any error or on a dry run."""

    def __init__(self, *, protocol, by, dry_run: bool, progress: Callable[[int, int], None] | None = None):
        from levier.territories.services import CompositionsByDate

        self.protocol, self.by, self.dry_run, self.progress = protocol, by, dry_run, progress or (lambda done, total: None)
        self.compositions = CompositionsByDate(protocol.territory)
        self.communes: dict[str, tuple[int, str, str] | None] = {}
        # Memory must not grow with the file: what earlier chunks wrote is found in the database (a pathway
        # this import created or updated carries `updated_at` ≥ `started`); external ids and identities are
        # kept in memory only for the current chunk — and for the rest of the file once an error stops the
        # writing. A repeat found in the database is located (line of its first occurrence) at the end.
        self.started = timezone.now()
        self.recent: dict[str, int] = {}  # external id → line
        self.new_keys: dict[tuple, int] = {}  # identity of each new participant → its line
        self.repeated: list[tuple[str, int]] = []
        self.errors: list[RowError] = []
        self.result = ImportResult(dry_run=dry_run)
        self.audit: list = []  # (action, pathway id, changes) of the audit entries to write
        self.logs: list = []  # (pathway id, from status, to status, action, reason) of the workflow log

    def run(self, path: Path) -> ImportResult:
        digest, encoding, total_lines, nul = _scan(path)
        rows = _rows(path, encoding)
        try:
            _line, header = next(rows, (1, []))
        except Unreadable as exc:  # the header itself
            raise InvalidInput([exc.error]) from None
        header = [h.strip().lower() for h in header]
        self._check_header(header)
        if self.errors:
            raise InvalidInput(self.errors)
        try:
            with transaction.atomic(), workflow.bulk(Pathway):
                self.record = PathwayImport.objects.create(protocol=self.protocol, by=self._actor(), file_name=path.name,
                                                           file_sha256=digest, rows=0, created=0, updated=0)
                chunk: list[Row] = []
                parser = RowParser(header, nul=nul)
                try:
                    for line, cells in rows:
                        if not (cells and (cells[0].strip() or any(c.strip() for c in cells))):
                            continue  # a blank line
                        row = parser.parse(line, cells, self.errors)
                        self.result.rows += 1
                        if row is not None:
                            chunk.append(row)
                        if len(chunk) >= CHUNK:
                            self._chunk(chunk)
                            chunk = []
                        if self.result.rows % 500 == 0:
                            self.progress(self.result.rows, total_lines - 1)
                except Unreadable as exc:  # the rest of the file cannot be read: what was found, and where it stopped
                    self.errors.append(exc.error)
                    raise InvalidInput(self._sorted_errors()) from None
                self._chunk(chunk)
                self.progress(self.result.rows, total_lines - 1)
                self._report_repeats(path, encoding, header)
                if self.errors:
                    raise InvalidInput(self._sorted_errors())
                self.record.rows, self.record.created, self.record.updated = (self.result.rows, self.result.created,
                                                                              self.result.updated)
                self.record.save(update_fields=["rows", "created", "updated"])
                self._flush_audit()
                if self.dry_run:
                    raise _DryRun
        except _DryRun:
            return self.result
        self.result.record = self.record
        return self.result

    def _sorted_errors(self) -> list[RowError]:
        return sorted(self.errors, key=lambda e: (e.line, COLUMNS.index(e.column) if e.column in COLUMNS else -1))

    def _report_repeats(self, path: Path, encoding: str, header: list[str]) -> None:
        """The same external_id twice in the file: each repeat names the line of the first occurrence."""
        if not self.repeated:
            return
        wanted = {external_id for external_id, _ in self.repeated}
        first: dict[str, int] = {}
        column = header.index("external_id")
        for line, cells in _rows(path, encoding):
            if line > 1 and len(cells) > column:
                value = cells[column].strip()
                if value in wanted and value not in first:
                    first[value] = line
        for external_id, line in self.repeated:
            self.errors.append(row_error(line, "external_id", f"Identifiant « {external_id} » déjà présent "
                                                              f"à la ligne {first.get(external_id, '?')}."))

    def _actor(self):
        return self.by if getattr(self.by, "is_authenticated", False) else None

    def _check_header(self, header: list[str]) -> None:
        for index, column in enumerate(header):
            if column not in COLUMNS:
                self.errors.append(row_error(1, column or f"colonne {index + 1}", f"Colonne inconnue : « {column} »."))
            elif header.count(column) > 1 and header.index(column) != index:
                self.errors.append(row_error(1, column, "Colonne en double."))
        for column in REQUIRED_COLUMNS:
            if column not in header:
                self.errors.append(row_error(1, column, "Colonne obligatoire absente."))

    # -------------------------------------------------------- one chunk

    def _chunk(self, chunk: list[Row]) -> None:
        if not chunk:
            return
        if not self.errors:  # what earlier chunks wrote is in the database
            self.recent, self.new_keys = {}, {}
        self._resolve_communes(chunk)
        chunk = [row for row in chunk if self._check_row(row)]
        ids = [row.values["external_id"] for row in chunk if "external_id" in row.values]
        existing = {p.external_id: p for p in Pathway.objects.filter(id__in=self._known_ids(ids)).select_related("person")}
        written = {external_id for external_id, p in existing.items() if p.updated_at >= self.started}
        if written:  # written by an earlier chunk of this file: a repeat
            self.repeated.extend((row.values["external_id"], row.line) for row in chunk
                                 if row.values.get("external_id") in written)
            chunk = [row for row in chunk if row.values.get("external_id") not in written]
        new_rows = [row for row in chunk if row.values.get("external_id") not in existing]
        matches = self._identity_matches(new_rows)
        if self.errors:  # nothing more will be written: only keep checking
            for row in chunk:
                pathway = existing.get(row.values.get("external_id"))
                if pathway is not None:
                    self._entry_after_exit(row, pathway)
                    self._move_error(row, pathway)
                elif not self._match_error(row, matches):
                    self._twin_error(row)
            return
        creates, updates = [], []
        for row in chunk:
            pathway = existing.get(row.values.get("external_id"))
            if pathway is None:
                if self._match_error(row, matches) or self._twin_error(row):
                    continue
                creates.append(row)
            elif not (self._entry_after_exit(row, pathway) | self._move_error(row, pathway)):
                updates.append((row, pathway))
        if not self.errors:
            self._create(creates, matches)
            self._update(updates)

    def _known_ids(self, external_ids: list[str]) -> list[int]:
        """Ids of this protocol's pathways with one of these external ids (usually none: a first import)."""
        return self._protocol_pathway_ids("external_id", "text", external_ids)

    def _resolve_communes(self, chunk: list[Row]) -> None:
        from levier.territories.enums import COMMUNE_LEVEL
        from levier.territories.models import Territory

        wanted = {row.values["commune_insee"].upper() for row in chunk if "commune_insee" in row.values} - set(self.communes)
        if wanted:
            found = {code: (pk, code, name) for pk, code, name in Territory.objects.filter(
                kind__in=COMMUNE_LEVEL, code__in=wanted).values_list("id", "code", "name")}
            for code in wanted:
                self.communes[code] = found.get(code)

    def _check_row(self, row: Row) -> bool:
        values, line, ok = row.values, row.line, True
        external_id = values.get("external_id")
        if external_id is not None:
            if external_id in self.recent:
                self.errors.append(row_error(line, "external_id", f"Identifiant « {external_id} » déjà présent "
                                                                  f"à la ligne {self.recent[external_id]}."))
                ok = False
            else:
                self.recent[external_id] = line
        code = values.get("commune_insee")
        if code is not None:
            commune = self.communes.get(code.upper())
            if commune is None:
                self.errors.append(row_error(line, "commune_insee", f"Code commune inconnu : « {code} »."))
                ok = False
            else:
                row.commune = commune
                entry = values.get("entry_date")
                if entry is not None and commune[0] not in self.compositions.on(entry).commune_ids:
                    self.errors.append(row_error(line, "commune_insee", in_territory_message(
                        commune[2], commune[1], self.protocol, entry)))
                    ok = False
        entry = values.get("entry_date")
        if entry is not None and entry > self.protocol.ends_on:
            self.errors.append(row_error(line, "entry_date", f"Date d'entrée après la fin du protocole "
                                                             f"({format_date(self.protocol.ends_on)})."))
            ok = False
        return ok and all(column in values for column in REQUIRED_COLUMNS)

    def _identity_matches(self, rows: list[Row]) -> dict[tuple, Pathway]:
        keys = {self._key(r) for r in rows
                if r.commune and all(c in r.values for c in ("last_name", "first_name", "birth_date"))}
        if not keys:
            return {}
        # Pathways of the persons with one of these (name, birth date) pairs, read as light tuples; only
        # those whose commune matches too are loaded (memory does not grow with what is already imported).
        matched: dict[tuple, tuple[int, int]] = {}
        for pk, protocol_id, *key in sorted(self._same_person(keys)):
            key = tuple(key)
            if key in keys and (key not in matched or protocol_id == self.protocol.id):
                matched[key] = (pk, protocol_id)
        loaded = Pathway.objects.select_related("person", "protocol").in_bulk([pk for pk, _ in matched.values()])
        found: dict[tuple, Pathway] = {key: loaded[pk] for key, (pk, _) in matched.items()}
        # A person met in another protocol may already have a pathway here (under another commune): that one.
        elsewhere = {p.person_id: key for key, p in found.items() if p.protocol_id != self.protocol.id}
        if elsewhere:
            for pathway in Pathway.objects.filter(id__in=self._pathways_of(list(elsewhere))).select_related("person"):
                found[elsewhere[pathway.person_id]] = pathway
        return found

    def _pathways_of(self, person_ids: list[int]) -> list[int]:
        """Ids of this protocol's pathways of these persons, probing the unique index (protocol, person)."""
        return self._protocol_pathway_ids("person_id", "bigint", person_ids)

    def _protocol_pathway_ids(self, column: str, pg_type: str, values: list) -> list[int]:
        """Ids of this protocol's pathways whose `column` (a column of a unique index with the protocol) holds
        one of `values`, probing that index once per value."""
        if not values:
            return []
        table = Pathway._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # arrays: a statement of constant size, probing the unique index
                # The protocol comes with each probe, not as a constant: the statistics predate this import's rows
                # (a new protocol looks empty), and with `protocol_id = constant` the planner read every pathway
                # of the protocol through (protocol, entry date) once per chunk, the rows written so far included:
                # a chunk's lookup grew with its position in the file (1,1 s per 2 000 rows after 6 000 rows).
                with planner_settings(**INDEX_PROBES):
                    cursor.execute(f"SELECT w.id FROM unnest(%s::bigint[], %s::{pg_type}[]) AS e (protocol_id, {column}) "
                                   f"JOIN {table} w ON w.protocol_id = e.protocol_id AND w.{column} = e.{column}",
                                   [[self.protocol.id] * len(values), values])
                    return [row[0] for row in cursor.fetchall()]
            found = []
            for part in _batches(values, params_each=1, params_more=1):
                cursor.execute(f"SELECT id FROM {table} WHERE protocol_id = %s AND {column} IN "
                               f"({', '.join(['%s'] * len(part))})", [self.protocol.id, *part])
                found += [row[0] for row in cursor.fetchall()]
            return found

    @staticmethod
    def _same_person(keys: set[tuple]) -> Iterator[tuple]:
        """(pathway id, protocol id, match key, birth date, commune id) of the pathways whose person has one of
        the keys' (match key, birth date) pairs: one statement per batch of pairs, through `person_match`."""
        pairs = sorted({(key[0], key[1]) for key in keys})
        select = (f"SELECT w.id, w.protocol_id, p.match_key, p.birth_date, w.commune_id FROM {Pathway._meta.db_table} w "
                  f"JOIN {Person._meta.db_table} p ON p.id = w.person_id ")
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # two arrays: a statement of constant size
                with planner_settings(**INDEX_PROBES):
                    cursor.execute(select + "JOIN unnest(%s::text[], %s::date[]) AS k (match_key, birth_date) "
                                   "ON p.match_key = k.match_key AND p.birth_date = k.birth_date",
                                   [[key for key, _ in pairs], [birth for _, birth in pairs]])
                    rows = cursor.fetchall()
                yield from rows
                return
            for part in _batches(pairs, params_each=2):
                cursor.execute(select + f"WHERE (p.match_key, p.birth_date) IN (VALUES {', '.join(['(%s, %s)'] * len(part))})",
                               [value for key, birth in part for value in (key, birth.isoformat())])
                yield from cursor.fetchall()

    @staticmethod
    def _key(row: Row) -> tuple:
        if row.key is None:
            row.key = (match_key(row.values["last_name"], row.values["first_name"]), row.values["birth_date"],
                       row.commune[0])
        return row.key

    def _match_error(self, row: Row, matches) -> bool:
        if not row.commune or not all(c in row.values for c in ("last_name", "first_name", "birth_date")):
            return False
        match = matches.get(self._key(row))
        if match is not None and match.protocol_id == self.protocol.id:
            self.errors.append(row_error(row.line, "external_id", (
                f"Même nom, date de naissance et commune que le participant {match.person} "
                f"(identifiant « {match.external_id or match.pk} », entré le {format_date(match.entry_date)}) : "
                "utiliser son identifiant pour le mettre à jour.")))
            return True
        return False

    def _entry_after_exit(self, row: Row, pathway: Pathway) -> bool:
        """A new entry date after the exit already recorded (the file giving no exit date)."""
        if "exit_date" in row.values or not pathway.exit_date or pathway.exit_date >= row.values["entry_date"]:
            return False
        self.errors.append(row_error(row.line, "entry_date", f"Date d'entrée après la sortie enregistrée "
                                                             f"({format_date(pathway.exit_date)})."))
        return True

    def _move_error(self, row: Row, pathway: Pathway) -> bool:
        """An exit in the file for a pathway whose state does not lead to an exit (pending, refused, carried
        over): checked against the pathway's workflow, like any exit recorded in Levier."""
        if "exit_type" not in row.values:
            return False
        message = PATHWAY_WORKFLOW.refusal(pathway.status, EXITED)
        if message is None:
            return False
        self.errors.append(row_error(row.line, "exit_type", f"Parcours « {pathway.external_id} » : {message}"))
        return True

    def _twin_error(self, row: Row) -> bool:
        """The same person twice in the file under two identifiers."""
        if not row.commune or not all(c in row.values for c in ("last_name", "first_name", "birth_date")):
            return False
        key = self._key(row)
        if key in self.new_keys:
            self.errors.append(row_error(row.line, "external_id", (
                f"Même nom, date de naissance et commune qu'à la ligne {self.new_keys[key]} : "
                "une même personne ne peut avoir deux parcours dans un protocole.")))
            return True
        self.new_keys[key] = row.line
        return False

    # -------------------------------------------------------- writing

    def _create(self, rows: list[Row], matches) -> None:
        """New pathways (and persons, unless known in another protocol), written in bulk with their audit entries."""
        if not rows:
            return
        now, protocol_id = timezone.now(), self.protocol.id
        person_ids = iter(reserve_ids(Person, sum(1 for row in rows if self._key(row) not in matches)))
        persons, pathways = [], []
        for row, pk in zip(rows, reserve_ids(Pathway, len(rows)), strict=True):
            values = row.values
            match = matches.get(row.key)
            if match is not None:
                person_id = match.person_id
                self.result.attached.append(f"ligne {row.line} : rattaché à {match.person}, connu dans {match.protocol}.")
            else:
                person_id = next(person_ids)
                persons.append((person_id, now, now, values["last_name"], values["first_name"], values["sex"],
                                values["birth_date"], row.key[0]))
            fields = NEW_PATHWAY | imported_fields(values)
            pathways.append((pk, now, now, protocol_id, person_id, values["external_id"], values["entry_date"],
                             row.commune[0], ELIGIBILITY_REASON, *(fields[f] for f in IMPORTED_FIELDS)))
            self.audit.append((CREATED, pk, None))
            self.logs.append((pk, "", fields["status"], self._action("Entrée reprise"), fields["exit_reason"]))
        BulkWriter(Person, PERSON_COLUMNS).write(persons)
        BulkWriter(Pathway, NEW_PATHWAY_COLUMNS).write(pathways)
        self.result.created += len(pathways)
        self._flush_audit()

    def _update(self, pairs: list[tuple[Row, Pathway]]) -> None:
        if not pairs:
            return
        persons, pathways, now = [], [], timezone.now()  # written without `save()`: `auto_now` is set here
        for row, pathway in pairs:
            person = pathway.person
            person.updated_at = pathway.updated_at = now
            for column in ("last_name", "first_name", "sex", "birth_date"):
                if column in row.values:
                    setattr(person, column, row.values[column])
            person.match_key = match_key(person.last_name, person.first_name)
            before = {f: getattr(pathway, f) for f in PATHWAY_IMPORT_FIELDS}
            pathway.entry_date, pathway.commune_id = row.values["entry_date"], row.commune[0]
            for name, value in imported_fields(row.values, pathway.exit_kind, pathway.exit_date).items():
                setattr(pathway, name, value)
            changes = {f: [str(before[f]), str(getattr(pathway, f))] for f in PATHWAY_IMPORT_FIELDS
                       if before[f] != getattr(pathway, f)}
            persons.append(person)
            pathways.append(pathway)
            self.audit.append((UPDATED, pathway.pk, changes))
            if before["status"] != pathway.status:
                self.logs.append((pathway.pk, before["status"], pathway.status, self._action("Mise à jour"),
                                  pathway.exit_reason))
        update_rows(Person, ["last_name", "first_name", "sex", "birth_date", "match_key", "updated_at"], persons)
        update_rows(Pathway, PATHWAY_IMPORT_FIELDS + ["updated_at"], pathways)
        self.result.updated += len(pathways)
        self._flush_audit()

    def _action(self, what: str) -> str:
        return f"{what} par import (fichier « {self.record.file_name} »)"

    def _flush_audit(self) -> None:
        """Per-record audit entries and workflow log entries, written in bulk (no signal per row)."""
        from auditlog.models import LogEntry

        actor = self._actor()
        actor_id, now = (actor.pk if actor else None), timezone.now()
        if self.logs:
            workflow.log_rows(Pathway, self.logs, by=actor)
            self.logs = []
        if not self.audit:
            return
        content_type = ContentType.objects.get_for_model(Pathway).id
        additional = JsonText(json.dumps({"import": self.record.pk, "file_sha256": self.record.file_sha256}))
        created = JsonText(json.dumps({"import": [None, self.record.file_name]}, ensure_ascii=False))
        ids = reserve_ids(LogEntry, len(self.audit))
        BulkWriter(LogEntry, AUDIT_COLUMNS).write(
            (entry_id, content_type, str(pk), pk, f"Parcours n° {pk}", action, changes or created, actor_id,
             additional, now)
            for entry_id, (action, pk, changes) in zip(ids, self.audit, strict=True))
        self.audit = []


IMPORTED_FIELDS = ["qpv", "rsa", "long_term_unemployed", "prescriber_type", "rqth", "qualification_level",
                   "qualification_nomenclature", "status", "exit_kind", "exit_date", "exit_source", "exit_category",
                   "exit_validated_on", "exit_reason"]
PATHWAY_IMPORT_FIELDS = ["entry_date", "commune_id", *IMPORTED_FIELDS]
# What a new pathway holds where its row says nothing (unknown: null for the yes/no questions).
NEW_PATHWAY = {"qpv": None, "rsa": None, "long_term_unemployed": None, "prescriber_type": "", "rqth": "",
               "qualification_level": "", "qualification_nomenclature": "", "status": ACTIVE, "exit_kind": "",
               "exit_date": None, "exit_source": "", "exit_category": "", "exit_validated_on": None, "exit_reason": ""}
NEW_PATHWAY_COLUMNS = ["id", "created_at", "updated_at", "protocol_id", "person_id", "external_id", "entry_date",
                       "commune_id", "eligibility_reason", *IMPORTED_FIELDS]
PERSON_COLUMNS = ["id", "created_at", "updated_at", "last_name", "first_name", "sex", "birth_date", "match_key"]
AUDIT_COLUMNS = ["id", "content_type_id", "object_pk", "object_id", "object_repr", "action", "changes", "actor_id",
                 "additional_data", "timestamp"]
CREATED, UPDATED = 0, 1  # auditlog's LogEntry.Action.CREATE and UPDATE


def _batches(values: list, *, params_each: int, params_more: int = 0) -> Iterator[list]:
    """`values` in slices small enough for the database's limit of parameters per statement (SQLite), each
    value taking `params_each` of them and the statement `params_more` besides."""
    size = ((connection.features.max_query_params or 10_000) - params_more) // params_each
    for start in range(0, len(values), size):
        yield values[start:start + size]


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


@with_collector_paused
def import_pathways(*, protocol, path: Path, by=None, dry_run: bool = False,
                    progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Import a CSV file into `protocol` (atomic: any error, nothing written; `dry_run`: nothing written)."""
    if not path.is_file():
        raise InvalidInput.single("fichier", f"Fichier introuvable : {path}.")
    return Importer(protocol=protocol, by=by, dry_run=dry_run, progress=progress).run(path)

