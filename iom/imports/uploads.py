"""Uploaded files held on the server between the preview and the confirmation.

Each upload lives in its own folder under instance/, named by a random token and bound to the
person who uploaded it; the browser only ever sends the token back, never a path. The files
hold personal data: owner-only permissions, deleted on confirm or cancel, and swept away
after UPLOAD_LIFETIME."""
import json
import os
import re
import secrets
import shutil
from dataclasses import dataclass

from flask import current_app

from iom.clock import utcnow

UPLOAD_LIFETIME_S = 2 * 60 * 60
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")
MANIFEST = "manifest.json"


@dataclass
class HeldUpload:
    token: str
    folder: str
    manifest: dict

    def files(self) -> list[tuple[str, bytes]]:
        result = []
        for index, name in enumerate(self.manifest["names"]):
            with open(os.path.join(self.folder, f"{index}.bin"), "rb") as handle:
                result.append((name, handle.read()))
        return result


def upload_root() -> str:
    return current_app.config.get("IMPORT_UPLOAD_FOLDER") or os.path.join(current_app.instance_path,
                                                                           "import-uploads")


def _write(path: str, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)


def _now() -> float:
    return utcnow().timestamp()


def _held_at(folder: str, fallback: float) -> float:
    """When an upload was held, by the app's clock (its manifest); the folder's time if unreadable."""
    try:
        with open(os.path.join(folder, MANIFEST), "rb") as handle:
            return float(json.loads(handle.read()).get("held_at", fallback))
    except (OSError, ValueError, TypeError, AttributeError):
        return fallback


def sweep(root: str, now: float | None = None) -> None:
    """Delete uploads older than their lifetime, and claimed ones left by a failed request."""
    now = now or _now()
    for entry in os.scandir(root):
        try:
            if entry.is_dir() and now - _held_at(entry.path, entry.stat().st_mtime) > UPLOAD_LIFETIME_S:
                shutil.rmtree(entry.path, ignore_errors=True)
        except FileNotFoundError:
            continue


def hold(files: list[tuple[str, bytes]], user_id: int, details: dict) -> str:
    """Keep the files for this user; returns the token that names them."""
    root = upload_root()
    os.makedirs(root, mode=0o700, exist_ok=True)
    sweep(root)
    token = secrets.token_urlsafe(32)
    folder = os.path.join(root, token)
    os.mkdir(folder, 0o700)
    for index, (_, content) in enumerate(files):
        _write(os.path.join(folder, f"{index}.bin"), content)
    manifest = {"user_id": user_id, "held_at": _now(), "names": [name for name, _ in files], **details}
    _write(os.path.join(folder, MANIFEST), json.dumps(manifest).encode())
    return token


def find(token: str, user_id: int) -> HeldUpload | None:
    """The upload this token names, if it is this user's and still fresh."""
    if not TOKEN_PATTERN.match(token or ""):
        return None
    folder = os.path.join(upload_root(), token)
    try:
        with open(os.path.join(folder, MANIFEST), "rb") as handle:
            manifest = json.loads(handle.read())
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return None
    if manifest.get("user_id") != user_id:
        return None
    if _now() - manifest.get("held_at", 0) > UPLOAD_LIFETIME_S:
        discard(folder)
        return None
    return HeldUpload(token, folder, manifest)


def claim(token: str, user_id: int) -> HeldUpload | None:
    """Take the upload for confirming: a rename, so a second click cannot import it twice."""
    held = find(token, user_id)
    if held is None:
        return None
    claimed = f"{held.folder}.claimed-{secrets.token_hex(8)}"
    try:
        os.rename(held.folder, claimed)
    except OSError:
        return None
    return HeldUpload(token, claimed, held.manifest)


def discard(folder: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)
