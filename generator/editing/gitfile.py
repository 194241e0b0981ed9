"""Git for one record file: its diff and a commit of that file alone. Never pushes.

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
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
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


def diff(path: Path) -> str:
    """What the working file changes against the last commit; a new file in full."""
    top = repository(path)
    if top is None:
        return ""
    rel = path.resolve().relative_to(top.resolve()).as_posix()
    if _git(top, "ls-files", "--", rel).strip():
        return _git(top, "diff", "--no-color", "HEAD", "--", rel)
    return _git(top, "diff", "--no-color", "--no-index", "--", "/dev/null", rel, ok=(0, 1))


def commit(path: Path, message: str) -> str:
    """Commit path alone (whatever else is staged stays staged); returns the new commit's id."""
    top = repository(path)
    if top is None:
        raise GitError("档案目录不在 git 仓库中，无法提交")
    if not message.strip():
        raise GitError("提交说明不能为空")
    rel = path.resolve().relative_to(top.resolve()).as_posix()
    _git(top, "add", "--", rel)
    _git(top, "commit", "--quiet", "--only", "-m", message.strip(), "--", rel)
    return _git(top, "rev-parse", "HEAD").strip()
