"""The per-file work cache under `.zhibu/cache/`: what a file yielded last time, by its content.

Entries are keyed by a SHA-256 of the work's name and its input text, so a changed
file is simply a miss. Values are plain data stored with `marshal`: reading the cache
can never construct an object or run code. The cache file's name carries zhibu's
version and a digest of zhibu's own source, so an upgrade (or an edited checkout)
starts from an empty cache. A missing, truncated or corrupt file is an empty cache;
deleting `.zhibu/` is always safe. Only entries used by the last run are kept, so the
file never grows beyond the archive.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from collections.abc import Callable
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


@cache
def code_version() -> str:
    """zhibu's version and a digest of its Python source and templates."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(version("zhibu").encode())
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".yml", ".html", ".md") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


class WorkCache:
    """Memoised per-file work, loaded once at the start of a run and saved at its end."""

    def __init__(self, folder: Path | None) -> None:
        self.path = folder / f"check-{code_version()}.marshal" if folder else None
        self.old: dict[bytes, Any] = self._read()
        self.used: dict[bytes, Any] = {}
        self.misses = 0
        # `zhibu serve` only (from its second run): each file's objects of the last run, in memory,
        # reused while the file is unchanged (stages/load.py and validate.py say how that is known).
        self.kept: dict[str, Any] | None = None

    def _read(self) -> dict[bytes, Any]:
        if self.path is None:
            return {}
        try:
            data = marshal.loads(self.path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, work: str, text: str, compute: Callable[[], T]) -> T:
        """compute()'s value for this work on this text, from the cache when it was done before."""
        key = hashlib.sha256(f"{work}\0{text}".encode()).digest()
        if key in self.used:
            return self.used[key]
        if key in self.old:
            value = self.old[key]
        else:
            value = compute()
            self.misses += 1
        self.used[key] = value
        return value

    def rotate(self) -> None:
        """Begin another run in the same process (`zhibu serve`): it starts from the last run's
        entries, in memory; save() writes them once, when the process ends."""
        if self.used:
            self.old, self.used = self.used, {}
        if self.kept is None:
            self.kept = {}

    def save(self) -> None:
        """Write the entries of this run (atomically; a failure to write is not an error)."""
        if self.path is None or (not self.misses and len(self.used) == len(self.old)):
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            for stale in self.path.parent.glob("check-*.marshal"):
                if stale != self.path:
                    stale.unlink(missing_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".cache-")
            with os.fdopen(handle, "wb") as out:
                marshal.dump(self.used, out)
            os.replace(temporary, self.path)
        except (OSError, ValueError):
            pass


def cache_dir(content_dir: Path) -> Path:
    """`.zhibu/cache` beside the content dir (where the generated docs live too)."""
    return content_dir.resolve().parent / ".zhibu" / "cache"
