"""A file checked on the import page, held until the coordinator imports it (no second upload).

The file holds personal data: it is kept in a private folder (`settings.LEVIER_HELD_IMPORTS_DIR`, mode
0600), known only through the user's session, bound to one protocol and to the file's SHA-256 as
checked, and deleted once imported, when replaced by another check, at logout, or after `HOLD_HOURS`
(`purge_expired`, run whenever the import page opens).
"""

import hashlib
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

SESSION_KEY = "levier_held_import"
HOLD_HOURS = 24


@dataclass(frozen=True)
class HeldFile:
    token: str
    protocol: str  # slug
    name: str
    sha256: str

    @property
    def path(self) -> Path:
        return _folder() / self.token / self.name


def _folder() -> Path:
    return Path(settings.LEVIER_HELD_IMPORTS_DIR)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def hold(session, *, protocol_slug: str, source: Path) -> HeldFile:
    """Keep a checked file (moved from `source`) for this session and protocol; replaces any held before."""
    release(session)
    token = secrets.token_urlsafe(24)
    held = HeldFile(token=token, protocol=protocol_slug, name=source.name, sha256=_sha256(source))
    held.path.parent.mkdir(parents=True, mode=0o700)
    shutil.move(source, held.path)
    held.path.chmod(0o600)
    session[SESSION_KEY] = {"token": held.token, "protocol": held.protocol, "name": held.name, "sha256": held.sha256}
    return held


def held_file(session, *, protocol_slug: str, token: str) -> HeldFile | None:
    """The file this session held for this protocol under `token`, unchanged since it was checked; else None."""
    data = session.get(SESSION_KEY)
    if not data or data.get("protocol") != protocol_slug or not secrets.compare_digest(data.get("token", ""), token or ""):
        return None
    held = HeldFile(**data)
    if not held.path.is_file() or _sha256(held.path) != held.sha256:
        release(session)
        return None
    return held


def release(session) -> None:
    """Forget the session's held file and delete it."""
    data = session.pop(SESSION_KEY, None)
    if data and data.get("token"):
        shutil.rmtree(_folder() / Path(data["token"]).name, ignore_errors=True)


def release_on_logout(sender, request, user, **kwargs) -> None:
    """`user_logged_out` receiver: a file checked but not imported does not outlive the session."""
    if request is not None and hasattr(request, "session"):
        release(request.session)


def purge_expired(*, now: float | None = None) -> int:
    """Delete the held files older than HOLD_HOURS (abandoned checks); how many were deleted."""
    folder, limit = _folder(), (now if now is not None else time.time()) - HOLD_HOURS * 3600
    if not folder.is_dir():
        return 0
    expired = [entry for entry in folder.iterdir() if entry.is_dir() and entry.stat().st_mtime < limit]
    for entry in expired:
        shutil.rmtree(entry, ignore_errors=True)
    return len(expired)
