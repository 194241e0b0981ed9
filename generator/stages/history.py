"""When each record last changed, from git: one `git log` pass for the whole content dir.

Only the date and commit are kept: git account names are not meant for readers of the site.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Change:
    date: str  # YYYY-MM-DD
    commit: str


def last_changes(content_dir: Path) -> dict[str, Change]:
    """Path relative to content_dir -> its last commit; empty when not in a git repo."""

    def git(*args: str) -> str | None:
        try:
            result = subprocess.run(
                ["git", "-c", "core.quotePath=false", *args],
                cwd=content_dir,
                capture_output=True,
                text=True,
                encoding="utf-8",
                check=False,
                timeout=120,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return result.stdout if result.returncode == 0 else None

    prefix = git("rev-parse", "--show-prefix")
    if prefix is None:
        return {}
    prefix = prefix.strip()
    log = git("log", "--format=%x1e%H%x1f%as", "--name-only", "--", ".")
    changes: dict[str, Change] = {}
    for block in (log or "").split("\x1e")[1:]:
        head, _, names = block.partition("\n")
        commit, day = head.split("\x1f")
        for name in names.splitlines():
            if name.startswith(prefix):
                changes.setdefault(name[len(prefix) :], Change(day, commit))
    return changes
