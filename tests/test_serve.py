"""`zhibu serve` under a bounded burst of local requests while a record is edited."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from conftest import write_archive

MEETING = "type: 支委会\ntitle: {title}\norg: zb\ndate: 2023-03-08\nattendees:\n  - zhang\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def _wait_for(url: str, text: str, seconds: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        try:
            status, body = _get(url)
            if status == 200 and text in body:
                return time.monotonic() - start
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not show {text!r} within {seconds} s")


def test_serve_keeps_serving_correct_pages_while_records_change(tmp_path: Path) -> None:
    content = write_archive(tmp_path, {"meetings/m1.yaml": MEETING.format(title="初版标题")})
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--content", str(content), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base + "/meetings/m1/", "初版标题", 60)
        failures: list[tuple[str, int]] = []
        pages = ["/", "/meetings/", "/meetings/m1/", "/orgs/zb/", "/people/zhang/", "/search/"]

        def client(n: int) -> None:
            for i in range(100):  # 20 clients x 100 requests = 2,000 requests
                path = pages[(n + i) % len(pages)]
                status, body = _get(base + path)
                if status != 200 or "</html>" not in body:
                    failures.append((path, status))

        def editor() -> None:
            for title in ("第二版标题", "第三版标题"):
                time.sleep(0.5)
                (content / "meetings" / "m1.yaml").write_text(MEETING.format(title=title), encoding="utf-8")

        threads = [threading.Thread(target=client, args=(n,)) for n in range(20)]
        threads.append(threading.Thread(target=editor))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert not failures, failures[:10]
        _wait_for(base + "/meetings/m1/", "第三版标题", 30)
    finally:
        server.terminate()
        server.wait(timeout=30)
