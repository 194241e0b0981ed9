"""Shared helpers: write a small archive from a dict in one line, run the real CLI."""

from __future__ import annotations

import functools
import http.server
import io
import os
import subprocess
import sys
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from generator.diagnostics import Diagnostic
from generator.pipeline import Checked, check

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "content"

# A minimal valid archive: a 党总支, a 党支部 with its secretary, a 党小组 with two members.
BASE: dict[str, str] = {
    "archive.yaml": "name: 测试档案\nowner: dzz\n",
    "orgs/dzz.yaml": "name: 测试党总支\nkind: 党总支\n",
    "orgs/zb.yaml": (
        "name: 第一党支部\nkind: 党支部\nparent: dzz\nofficers:\n"
        "  - person: zhang\n    role: 书记\n    from: 2020-01-01\n"
    ),
    "orgs/xz.yaml": "name: 甲班党小组\nkind: 党小组\nparent: zb\ncrew: 甲班\n",
    "people/zhang.yaml": "name: 张伟\nstatus: 正式党员\nmemberships:\n  - org: xz\n    from: 2020-01-01\n",
    "people/li.yaml": "name: 李娜\nstatus: 正式党员\nmemberships:\n  - org: xz\n",
}


def write_archive(root: Path, files: dict[str, str | bytes | None] | None = None) -> Path:
    """BASE plus files (None removes a BASE file); returns the content dir."""
    content = root / "content"
    merged: dict[str, str | bytes | None] = {**BASE, **(files or {})}
    for rel, body in merged.items():
        if body is None:
            continue
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8")
    return content


def meeting_yaml(kind: str, day: str, title: str, extra: str = "", summary: str = "") -> str:
    """A meeting of BASE's branch zb, hosted by 张伟 and recorded by 李娜."""
    return (
        f"type: {kind}\ntitle: {title}\norg: zb\ndate: {day}\ntime: 14:30-16:00\nlocation: 支部活动室\n"
        f"host: zhang\nrecorder: li\nattendees:\n  - zhang\n  - li\n"
        f"summary: {summary or title + '的会议总结。'}\n{extra}"
    )


def zhibu(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


# Test archives hold meetings of March 2023: checked as of its last day, no period is overdue.
TODAY = date(2023, 3, 31)


def check_at(content: Path, **kwargs: Any) -> Checked:
    return check(content, today=TODAY, **kwargs)


def diagnostics_of(tmp_path: Path, files: dict[str, str | bytes | None]) -> list[Diagnostic]:
    return check_at(write_archive(tmp_path, files)).diagnostics


def only_error(tmp_path: Path, files: dict[str, str | bytes | None]) -> Diagnostic:
    """The single error the files cause (warnings are ignored)."""
    errors = [d for d in diagnostics_of(tmp_path, files) if d.severity == "error"]
    assert len(errors) == 1, "\n".join(map(str, errors))
    return errors[0]


@pytest.fixture(scope="session")
def demo_checked() -> Checked:
    return check(DEMO)


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo archive built once by the real CLI."""
    target = tmp_path_factory.mktemp("demo") / "site"
    result = zhibu("build", "--content", DEMO, "--site", target)
    assert result.returncode == 0, result.stdout + result.stderr
    return target


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_dir(directory: Path) -> Iterator[str]:
    """Serve a folder on 127.0.0.1; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def demo_url(demo_site: Path) -> Iterator[str]:
    with serve_dir(demo_site) as url:
        yield url


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (Playwright never downloads a browser here)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run installs it with apt-get")
        pytest.skip("chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN")
    tab = context.new_page()
    yield tab
    context.close()


def _radicals(text: str) -> str:
    """The PDF's text maps some characters to the radical of the same shape (⽀ for 支): back."""
    return "".join(unicodedata.normalize("NFKC", c) if "\u2e80" <= c <= "\u2fdf" else c for c in text)


def pdf_pages(page: Any, url: str) -> list[tuple[str, tuple[int, int]]]:
    """(text, size in points) of each page Chromium prints."""
    from pypdf import PdfReader  # imported here: collecting the non-browser suite must not need it

    page.goto(url)
    reader = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    return [
        (_radicals(p.extract_text()), (round(float(p.mediabox.width)), round(float(p.mediabox.height))))
        for p in reader.pages
    ]
