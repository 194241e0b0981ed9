"""Seconds from saving a record to `zhibu serve` showing the change.

    python benchmarks/serve_latency.py CONTENT_DIR [--port 8765]

Starts zhibu serve on the archive, edits the title of its first meeting, and
polls that meeting's page until the new title appears (three edits, each timed).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def page_has(url: str, text: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return text in response.read().decode("utf-8", errors="replace")
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("content", type=Path)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    meeting = sorted((args.content / "meetings").rglob("*.yaml"))[0]
    original = meeting.read_text(encoding="utf-8")
    url = f"http://127.0.0.1:{args.port}/meetings/{meeting.stem}/"
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--content", str(args.content), "--port", str(args.port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 600
        while not page_has(url, "title") and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(2)
        for n in range(1, 4):
            marker = f"延迟测量{n}"
            meeting.write_text(original.replace("title: ", f"title: {marker}", 1), encoding="utf-8")
            start = time.monotonic()
            while not page_has(url, marker):
                time.sleep(0.05)
            print(f"edit {n}: visible after {time.monotonic() - start:.2f} s")
            time.sleep(1)
    finally:
        meeting.write_text(original, encoding="utf-8")
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
