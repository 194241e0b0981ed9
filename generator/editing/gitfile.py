"""Git for one record and the new files it needs: their diff and a commit of those files alone. Never pushes.

The author is whoever git config names (the user's own identity); a repository without
one gets git's own refusal, in Chinese words around git's.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


class GitError(Exception):
    """git refused or is missing; the message is Chinese."""


def _git(cwd: Path, *args: str, ok: tuple[int, ...] = (0,)) -> str:
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotePath=false", *args], cwd=cwd, capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"无法运行 git：{exc}") from exc
    if done.returncode not in ok:
        raise GitError(f"git {args[0]} 失败：{(done.stderr or done.stdout).strip()}")
    return done.stdout


def repository(path: Path) -> Path | None:
    """The top folder of the git repository holding path, or None."""
    try:
        return Path(_git(path if path.is_dir() else path.parent, "rev-parse", "--show-toplevel").strip())
    except GitError:
        return None


def _rel(top: Path, path: Path) -> str:
    return path.resolve().relative_to(top.resolve()).as_posix()


def uncommitted(paths: list[Path]) -> list[Path]:
    """Those of paths the last commit does not have (new files a commit of a record needs with it);
    a changed file already in the last commit is the user's own business and stays out."""
    top = repository(paths[0]) if paths else None
    if top is None:
        return []
    rels = [_rel(top, p) for p in paths]
    known = set(_git(top, "ls-tree", "-r", "--name-only", "-z", "HEAD", "--", *rels, ok=(0, 128)).split("\0"))
    return [p for p, rel in zip(paths, rels, strict=True) if rel not in known]


def diff(paths: list[Path]) -> str:
    """What the working files change against the last commit; a new file in full."""
    top = repository(paths[0]) if paths else None
    if top is None:
        return ""
    out = []
    for path in paths:
        rel = _rel(top, path)
        if _git(top, "ls-files", "--", rel).strip():
            out.append(_git(top, "diff", "--no-color", "HEAD", "--", rel))
        else:
            out.append(_git(top, "diff", "--no-color", "--no-index", "--", "/dev/null", rel, ok=(0, 1)))
    return "".join(out)


def commit(paths: list[Path], message: str) -> str:
    """Commit paths alone (whatever else is staged stays staged); returns the new commit's id."""
    top = repository(paths[0]) if paths else None
    if top is None:
        raise GitError("档案目录不在 git 仓库中，无法提交")
    if not message.strip():
        raise GitError("提交说明不能为空")
    rels = [_rel(top, p) for p in paths]
    _git(top, "add", "--", *rels)
    _git(top, "commit", "--quiet", "--only", "-m", message.strip(), "--", *rels)
    return _git(top, "rev-parse", "HEAD").strip()
