"""Use cases of the territory referential: load an edition, evaluate
compositions at a date, look communes up."""

import bisect
import json
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.core.cache import cache
from django.db import transaction

from levier.core.errors import InvalidInput

from . import edition as edition_module
from .enums import COMMUNE_LEVEL, TerritoryKind
from .models import Postcode, Qpv, ReferenceLoad, Territory, TerritoryLink
from .rules import is_insee_code, is_rural, normalize_name

DATASET = "decoupage-administratif"
COMPOSITIONS_FILE = edition_module.DATA_DIR / "compositions.json"
QPV_SEED_FILE = edition_module.DATA_DIR / "qpv-seeds.json"
MAX_DEPTH = 6


@dataclass(frozen=True)
class LoadSummary:
    edition: str
    communes: int
    arrondissements: int
    departements: int
    regions: int
    epci: int
    ept: int
    project_territories: int
    qpv: int
    links_opened: int
    links_closed: int

    def lines(self) -> list[str]:
        from levier.core.formats import format_number

        return [
            f"Édition {self.edition} du découpage administratif chargée.",
            f"{format_number(self.communes)} communes actuelles (métropole et DROM)",
            f"{format_number(self.arrondissements)} arrondissements municipaux (Paris, Lyon, Marseille)",
            f"{self.departements} départements, {self.regions} régions",
            f"{format_number(self.epci)} EPCI à fiscalité propre, {self.ept} EPT",
            f"{self.project_territories} territoire{'s' if self.project_territories > 1 else ''} de projet, "
            f"{self.qpv} QPV",
            f"{format_number(self.links_opened)} appartenances ouvertes, "
            f"{format_number(self.links_closed)} closes",
        ]


@dataclass(frozen=True)
class Composition:
    """Communes (and arrondissements) of a territory at a date."""

    territory: Territory
    on: date
    commune_ids: frozenset[int]
    verified: bool

    @property
    def warning(self) -> str:
        return "" if self.verified else "composition non vérifiée à cette date"


# ---------------------------------------------------------------- loading


def load_reference(
    *,
    edition_path: Path | None = None,
    compositions_path: Path | None = None,
    qpv_path: Path | None = None,
) -> LoadSummary:
    """Load the shipped edition, the hand-made compositions and the QPV fixture.

    Idempotent: loading the same edition twice changes nothing. Atomic: a
    malformed file raises InvalidInput before anything is written.
    """
    data = edition_module.read_edition(edition_path or edition_module.EDITION_FILE)
    compositions = _read_json(compositions_path or COMPOSITIONS_FILE, "compositions")
    qpv_fixture = _read_json(qpv_path or QPV_SEED_FILE, "qpv")
    effective = date.fromisoformat(data.meta["effective_date"])
    source = f"édition {data.meta['edition']}"
    with transaction.atomic():
        previous = ReferenceLoad.objects.filter(dataset=DATASET).order_by("-loaded_at").first()
        first_load = previous is None
        ids = _upsert_territories(data, source)
        opened, closed = _sync_edition_links(data, ids, source, effective, first_load)
        _sync_postcodes(data, ids)
        projects = _load_compositions(compositions)
        qpv_count = _load_qpv_fixture(qpv_fixture)
        summary = LoadSummary(
            edition=data.meta["edition"],
            communes=len(data.communes),
            arrondissements=len(data.arrondissements),
            departements=len(data.departements),
            regions=len(data.regions),
            epci=len(data.epci),
            ept=len(data.ept),
            project_territories=projects,
            qpv=qpv_count,
            links_opened=opened,
            links_closed=closed,
        )
        if first_load or previous.edition != data.meta["edition"] or opened or closed:
            ReferenceLoad.objects.create(
                dataset=DATASET, edition=data.meta["edition"], source=data.meta["source"], summary=summary.__dict__
            )
        compositions_changed()
    return summary


def _read_json(path: Path, label: str) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput.single(f"fichier.{label}", f"Fichier illisible ({Path(path).name}) : {exc}") from exc


def _territory_rows(data, source):
    """(kind, code) → field values, for every territory of the edition."""
    rows = {}
    for code, name, zone in data.regions:
        rows[(TerritoryKind.REGION, code)] = {"name": name, "zone": zone}
    for code, name, _region, zone in data.departements:
        rows[(TerritoryKind.DEPARTEMENT, code)] = {"name": name, "zone": zone}
    for code, name, _dep, zone, population, postcodes in data.communes:
        rows[(TerritoryKind.COMMUNE, code)] = {
            "name": name, "zone": zone, "population": population, "postcodes": postcodes,
            "is_rural": is_rural(population),
        }
    for code, name, _commune, population, postcodes in data.arrondissements:
        rows[(TerritoryKind.ARRONDISSEMENT, code)] = {"name": name, "population": population, "postcodes": postcodes}
    for code, name, epci_type, _members in data.epci:
        rows[(TerritoryKind.EPCI, code)] = {"name": name, "epci_type": epci_type}
    for code, name, _members in data.ept:
        rows[(TerritoryKind.EPT, code)] = {"name": name, "epci_type": "EPT"}
    for values in rows.values():
        values["search_name"] = normalize_name(values["name"])
        values["source"] = source
    return rows


def _upsert_territories(data, source) -> dict[tuple[str, str], int]:
    rows = _territory_rows(data, source)
    existing = {(t.kind, t.code): t for t in Territory.objects.filter(kind__in=[k for k, _ in rows])}
    to_create, to_update, fields = [], [], set()
    for key, values in rows.items():
        current = existing.get(key)
        if current is None:
            to_create.append(Territory(kind=key[0], code=key[1], **values))
            continue
        changed = [f for f, v in values.items() if getattr(current, f) != v]
        if changed or current.valid_to is not None:
            for f in changed:
                setattr(current, f, values[f])
            current.valid_to = None
            fields.update(changed)
            fields.add("valid_to")
            to_update.append(current)
    Territory.objects.bulk_create(to_create, batch_size=2000)
    if to_update:
        Territory.objects.bulk_update(to_update, sorted(fields), batch_size=2000)
    return {
        (kind, code): pk
        for kind, code, pk in Territory.objects.filter(kind__in=[k for k, _ in rows]).values_list("kind", "code", "id")
    }


def _edition_link_pairs(data, ids) -> set[tuple[int, int]]:
    t = TerritoryKind
    pairs = set()
    for code, _name, region, _zone in data.departements:
        pairs.add((ids[(t.REGION, region)], ids[(t.DEPARTEMENT, code)]))
    for code, _name, dep, *_ in data.communes:
        pairs.add((ids[(t.DEPARTEMENT, dep)], ids[(t.COMMUNE, code)]))
    for code, _name, commune, *_ in data.arrondissements:
        pairs.add((ids[(t.COMMUNE, commune)], ids[(t.ARRONDISSEMENT, code)]))
    for code, _name, _type, members in data.epci:
        pairs.update((ids[(t.EPCI, code)], ids[(t.COMMUNE, m)]) for m in members)
    for code, _name, members in data.ept:
        pairs.update((ids[(t.EPT, code)], ids[(t.COMMUNE, m)]) for m in members)
    return pairs


def _sync_edition_links(data, ids, source, effective: date, first_load: bool) -> tuple[int, int]:
    """Open links new in this edition, close those it no longer has.

    On the very first load the edition's links have no lower bound: earlier
    compositions are unknown, and marked unverified through
    `composition_verified_from` on EPCI and EPT.
    """
    wanted = _edition_link_pairs(data, ids)
    open_links = {
        (parent, child): pk
        for pk, parent, child in TerritoryLink.objects.filter(source__startswith="édition ", valid_to__isnull=True)
        .values_list("id", "parent_id", "child_id")
    }
    to_close = [pk for pair, pk in open_links.items() if pair not in wanted]
    TerritoryLink.objects.filter(pk__in=to_close).update(valid_to=effective - timedelta(days=1))
    valid_from = None if first_load else effective
    new_links = [
        TerritoryLink(parent_id=p, child_id=c, valid_from=valid_from, source=source)
        for p, c in wanted
        if (p, c) not in open_links
    ]
    TerritoryLink.objects.bulk_create(new_links, batch_size=5000)
    if first_load:
        Territory.objects.filter(kind__in=[TerritoryKind.EPCI, TerritoryKind.EPT], composition_verified_from=None).update(
            composition_verified_from=effective
        )
    return len(new_links), len(to_close)


def _sync_postcodes(data, ids) -> None:
    """Postcodes of a commune with arrondissements are carried by the arrondissements,
    so that 13001 resolves to Marseille 1er (13201), not to Marseille."""
    with_arrondissements = {commune for _c, _n, commune, *_ in data.arrondissements}
    wanted = set()
    for code, _n, _d, _z, _p, postcodes in data.communes:
        if code not in with_arrondissements:
            wanted.update((pc, ids[(TerritoryKind.COMMUNE, code)]) for pc in postcodes)
    for code, _n, _c, _p, postcodes in data.arrondissements:
        wanted.update((pc, ids[(TerritoryKind.ARRONDISSEMENT, code)]) for pc in postcodes)
    existing = set(Postcode.objects.values_list("code", "territory_id"))
    stale = existing - wanted
    for code, territory_id in stale:
        Postcode.objects.filter(code=code, territory_id=territory_id).delete()
    Postcode.objects.bulk_create(
        [Postcode(code=c, territory_id=t) for c, t in wanted - existing], batch_size=5000
    )


def _commune_id(code: str, field: str) -> int:
    territory = Territory.objects.commune_level().filter(code=code).only("id").first()
    if territory is None:
        raise InvalidInput.single(field, f"Code INSEE inconnu : {code}.")
    return territory.id


def _ensure_link(parent_id, child_id, *, valid_from=None, valid_to=None, source=""):
    TerritoryLink.objects.update_or_create(
        parent_id=parent_id, child_id=child_id, valid_from=valid_from,
        defaults={"valid_to": valid_to, "source": source},
    )


def _load_compositions(compositions: dict) -> int:
    count = 0
    for p_index, project in enumerate(compositions.get("project_territories", [])):
        verified_from = project.get("composition_verified_from")
        parent, _ = Territory.objects.update_or_create(
            kind=TerritoryKind.PROJECT, code=project["code"],
            defaults={
                "name": project["name"], "search_name": normalize_name(project["name"]),
                "source": project["source"][:200],
                "composition_verified_from": date.fromisoformat(verified_from) if verified_from else None,
            },
        )
        count += 1
        for b_index, bassin in enumerate(project.get("bassins", [])):
            child, _ = Territory.objects.update_or_create(
                kind=TerritoryKind.BASSIN, code=bassin["code"],
                defaults={
                    "name": bassin["name"], "search_name": normalize_name(bassin["name"]),
                    "source": project["source"][:200], "composition_verified_from": parent.composition_verified_from,
                },
            )
            _ensure_link(parent.id, child.id, source=project["code"])
            for c_index, member in enumerate(bassin["communes"]):
                member = member if isinstance(member, dict) else {"code": member}
                field = f"compositions.project_territories[{p_index}].bassins[{b_index}].communes[{c_index}]"
                _ensure_link(
                    child.id, _commune_id(member["code"], field),
                    valid_from=_date_or_none(member.get("valid_from")),
                    valid_to=_date_or_none(member.get("valid_to")),
                    source=project["code"],
                )
    for h_index, epci in enumerate(compositions.get("historical_epci", [])):
        successor = Territory.objects.filter(kind=TerritoryKind.EPCI, code=epci.get("successor")).first()
        territory, _ = Territory.objects.update_or_create(
            kind=TerritoryKind.EPCI, code=epci["code"],
            defaults={
                "name": epci["name"], "search_name": normalize_name(epci["name"]),
                "epci_type": epci.get("epci_type", ""), "valid_to": _date_or_none(epci.get("valid_to")),
                "successor": successor, "source": epci["source"][:200],
                "composition_verified_from": None if epci.get("verified") else date.max,
            },
        )
        for c_index, code in enumerate(epci.get("communes", [])):
            field = f"compositions.historical_epci[{h_index}].communes[{c_index}]"
            _ensure_link(
                territory.id, _commune_id(code, field), valid_to=territory.valid_to, source=epci["code"]
            )
    return count


def load_project_territories(*, path: Path) -> int:
    """Define or update project territories from a JSON file shaped like data/compositions.json
    (any list of communes, over several départements, split in parts with dated memberships)."""
    data = _read_json(path, "territoires_de_projet")
    if not isinstance(data.get("project_territories"), list):
        raise InvalidInput.single("project_territories", "Liste des territoires de projet attendue.")
    with transaction.atomic():
        count = _load_compositions({"project_territories": data["project_territories"]})
        compositions_changed()
    return count


def _date_or_none(value):
    return date.fromisoformat(value) if value else None


def _load_qpv_fixture(fixture: dict) -> int:
    count = 0
    for index, row in enumerate(fixture.get("qpv", [])):
        existing = Qpv.objects.filter(code=row["code"]).first()
        if existing is not None and existing.verified:
            continue  # never overwrite an officially imported QPV with the hand-made fixture
        communes = [_commune_id(c, f"qpv[{index}].communes") for c in row["communes"]]
        qpv, _ = Qpv.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"], "generation": row["generation"], "verified": bool(fixture.get("verified")),
                "source": fixture["source"][:300],
            },
        )
        qpv.communes.set(communes)
        count += 1
    return count


# ---------------------------------------------------------------- compositions


def composition(territory: Territory, on: date) -> Composition:
    """Communes and municipal arrondissements of `territory` at `on`.

    A perimeter holding a commune with arrondissements holds them too
    (13055 Marseille → 13201…13216).
    """
    if territory.kind == TerritoryKind.ARRONDISSEMENT:
        found = {territory.id}
    else:
        found = {territory.id} if territory.kind == TerritoryKind.COMMUNE else set()
        frontier = {territory.id}
        for _ in range(MAX_DEPTH):
            if not frontier:
                break
            rows = list(
                TerritoryLink.objects.valid_on(on).filter(parent_id__in=frontier).values_list("child_id", "child__kind")
            )
            frontier = {child for child, _kind in rows}
            found.update(child for child, kind in rows if kind in COMMUNE_LEVEL)
    verified = territory.composition_verified_from is None or territory.composition_verified_from <= on
    return Composition(territory=territory, on=on, commune_ids=frozenset(found), verified=verified)


class CompositionsByDate:
    """Compositions of one territory at many dates (imports): computed once per period between two
    dated changes of the referential, since a composition changes only on those days."""

    def __init__(self, territory: Territory):
        self.territory = territory
        starts = TerritoryLink.objects.exclude(valid_from__isnull=True).values_list("valid_from", flat=True).distinct()
        ends = TerritoryLink.objects.exclude(valid_to__isnull=True).values_list("valid_to", flat=True).distinct()
        changes = set(starts) | {end + timedelta(days=1) for end in ends}
        if territory.composition_verified_from:
            changes.add(territory.composition_verified_from)
        self._changes = sorted(changes)
        self._by_period: dict[int, Composition] = {}

    def on(self, day: date) -> Composition:
        period = bisect.bisect_right(self._changes, day)
        found = self._by_period.get(period)
        if found is None:
            found = self._by_period[period] = composition(self.territory, day)
        return found


def ancestors(territory: Territory, on: date) -> set[int]:
    """Ids of every territory containing `territory` at `on` (itself excluded)."""
    found: set[int] = set()
    frontier = {territory.id}
    for _ in range(MAX_DEPTH):
        parents = set(TerritoryLink.objects.valid_on(on).filter(child_id__in=frontier).values_list("parent_id", flat=True))
        frontier = parents - found
        if not frontier:
            break
        found |= frontier
    return found


GENERATION_KEY = "territories:generation"
PLACE_TIMEOUT = 300


def compositions_changed() -> None:
    """Drop the cached places (now and once the transaction commits). Caches are per process
    unless a shared cache is configured: elsewhere, entries expire after PLACE_TIMEOUT."""
    token = lambda: cache.set(GENERATION_KEY, uuid.uuid4().hex, None)  # noqa: E731
    token()
    transaction.on_commit(token)


def _cached(name: str, compute):
    """`compute()`, cached under `name` until the referential's compositions change (compositions_changed)."""
    key = f"territories:{cache.get_or_set(GENERATION_KEY, lambda: uuid.uuid4().hex, None)}:{name}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, PLACE_TIMEOUT)
    return found


def place_and_ancestors(place: Territory, on: date) -> tuple[frozenset[int], frozenset[tuple[str, str]]]:
    """Ids, and (kind, code) pairs, of `place` and every territory containing it at `on` —
    cached, since every simulation and search by place asks it."""

    def compute():
        ids = frozenset(ancestors(place, on) | {place.id})
        return ids, frozenset(Territory.objects.filter(id__in=ids).values_list("kind", "code"))

    return _cached(f"place:{place.id}:{on.isoformat()}", compute)


def contains(perimeter: Territory, place: Territory, on: date) -> bool:
    """Does `perimeter` contain the commune or arrondissement `place` at `on`?"""
    return place.id == perimeter.id or perimeter.id in ancestors(place, on)


def perimeter_contains(perimeter: list[Territory], place: Territory, on: date) -> bool:
    """A perimeter made of several territories contains `place` if one of them does."""
    if not perimeter:
        return False
    above = ancestors(place, on) | {place.id}
    return any(t.id in above for t in perimeter)


# ---------------------------------------------------------------- lookups


def commune_by_code(code: str) -> Territory:
    """The commune or arrondissement with this INSEE code, or InvalidInput naming the field —
    cached like the places (every simulation and search by commune asks it)."""
    code = (code or "").strip().upper()
    if not is_insee_code(code):
        raise InvalidInput.single("code_insee", f"« {code} » n'est pas un code INSEE de commune (5 caractères).")

    def compute():
        territory = Territory.objects.commune_level().filter(code=code).first()
        if territory is None:  # not cached: raised again on the next call
            raise InvalidInput.single("code_insee", f"Code INSEE inconnu : {code}.")
        return territory

    return _cached(f"commune:{code}", compute)


def communes_by_postcode(postcode: str) -> list[Territory]:
    """Communes (or arrondissements) served by a postcode: 13001 → Marseille 1er (13201)."""
    postcode = (postcode or "").strip()
    return list(Territory.objects.filter(postcode_rows__code=postcode).order_by("code"))


def search(text: str, *, kinds=None, limit: int = 20) -> list[Territory]:
    """Territories whose name starts with, then contains, `text` — accents and case ignored;
    a 5-character code or postcode is looked up as such."""
    text = (text or "").strip()
    if not text:
        return []
    queryset = Territory.objects.all()
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    if is_insee_code(text.upper()) or text.isdigit():
        by_code = list(queryset.filter(code=text.upper())[:limit])
        by_postcode = list(queryset.filter(postcode_rows__code=text)[:limit])
        return list(dict.fromkeys(by_code + by_postcode))[:limit]
    needle = normalize_name(text)
    starts = list(queryset.filter(search_name__startswith=needle).order_by("-population", "name")[:limit])
    if len(starts) < limit:
        seen = {t.id for t in starts}
        more = queryset.filter(search_name__contains=needle).exclude(id__in=seen).order_by("-population", "name")
        starts += list(more[: limit - len(starts)])
    return starts


def departement_of(commune: Territory, on: date) -> Territory | None:
    return (
        Territory.objects.filter(kind=TerritoryKind.DEPARTEMENT, id__in=ancestors(commune, on)).first()
    )


def epci_of(commune: Territory, on: date) -> Territory | None:
    return Territory.objects.filter(kind=TerritoryKind.EPCI, id__in=ancestors(commune, on)).order_by("code").first()
