"""A real `zhibu serve` on an archive in a temporary git repository, for the editor's tests."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from test_serve import _free_port


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def git_repo(root: Path) -> None:
    """root as a git repository with everything committed, by a configured author."""
    git(root, "init", "-q")
    git(root, "config", "user.name", "测试书记")
    git(root, "config", "user.email", "shuji@example.cn")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "初始档案")


@dataclass
class Served:
    url: str  # the preview's base URL, ending in /
    content: Path
    editor: str  # the editor's address as printed on the console
    output: list[str] = field(default_factory=list)
    csrf: str = ""

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None, raw: bytes | None = None
    ) -> tuple[int, dict[str, Any]]:
        """One request to the editor's API with the page's CSRF token (unless headers replace it)."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        sent = {"X-Zhibu-CSRF": self.csrf, "Content-Type": "application/json", **(headers or {})}
        request = urllib.request.Request(self.url + "_zhibu/edit/" + path, data=data, method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=60) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


@contextmanager
def serving(content: Path, host: str = "127.0.0.1", seconds: float = 180) -> Iterator[Served]:
    """`zhibu serve --content content --host host` until the block ends."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--content", str(content), "--port", str(port), "--host", host],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True)  # type: ignore[union-attr]
    reader.start()
    try:
        start = time.monotonic()
        while not any("编辑器地址" in line for line in lines):
            assert process.poll() is None and time.monotonic() - start < seconds, "".join(lines)
            time.sleep(0.2)
        editor = next(line for line in lines if "编辑器地址" in line).split("：", 1)[1].strip()
        served = Served(f"http://{host}:{port}/", content, editor, lines)
        status, page = _get(editor)
        if status == 200:
            served.csrf = re.search(r'name="zhibu-csrf" content="([^"]+)"', page)[1]  # type: ignore[index]
        yield served
    finally:
        process.terminate()
        process.wait(timeout=30)


def copy_archive(source: Path, root: Path) -> Path:
    """A copy of an archive's content folder under root (a git repository); returns it."""
    content = root / "content"
    shutil.copytree(source, content)
    git_repo(root)
    return content
