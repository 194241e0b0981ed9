"""Seconds from saving a record to `zhibu serve` showing the change.

    python benchmarks/serve_latency.py CONTENT_DIR [--port 8765] [--edits 3]

Starts zhibu serve on the archive, edits the title of its first meeting, and polls
that meeting's page until the new title appears, then the attendance ledger (the
largest page; listings and ledgers are built after the record's own page). Each
edit starts once the previous one is shown everywhere. Prints each edit, the
medians and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

LEDGER = "ledgers/attendance/"  # lists every meeting: among the last pages a save rebuilds


def page_has(url: str, text: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return text in response.read().decode("utf-8", errors="replace")
    except OSError:
        return False


def timings(content: Path, port: int = 8765, edits: int = 3, extra: tuple[str, ...] = ()) -> list[tuple[float, float]]:
    """Start zhibu serve, wait for its first build, then time `edits` saved changes:
    (seconds until the record's page shows it, seconds until the ledger does)."""
    meeting = sorted((content / "meetings").rglob("*.yaml"))[0]
    original = meeting.read_text(encoding="utf-8")
    site = f"http://127.0.0.1:{port}/"
    url = f"{site}meetings/{meeting.stem}/"
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--content", str(content), "--port", str(port), *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seconds: list[tuple[float, float]] = []
    try:
        deadline = time.monotonic() + 1200
        while not page_has(url, "<title>"):
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("zhibu serve did not come up")
            time.sleep(0.5)
        time.sleep(2)
        for n in range(1, edits + 1):
            marker = f"延迟测量{n}"
            meeting.write_text(original.replace("title: ", f"title: {marker}", 1), encoding="utf-8")
            start = time.monotonic()
            while not page_has(url, marker):
                time.sleep(0.05)
            page = time.monotonic() - start
            while not page_has(site + LEDGER, marker):
                time.sleep(0.05)
            seconds.append((page, time.monotonic() - start))
            time.sleep(1)
    finally:
        meeting.write_text(original, encoding="utf-8")
        server.terminate()
        server.wait(timeout=30)
    return seconds


def latencies(content: Path, port: int = 8765, edits: int = 3, extra: tuple[str, ...] = ()) -> list[float]:
    """Seconds until the edited record's page shows each of `edits` saves."""
    return [page for page, _ in timings(content, port, edits, extra)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("content", type=Path)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--edits", type=int, default=3)
    args = parser.parse_args()
    before = os.getloadavg()
    found = timings(args.content, args.port, args.edits)
    for n, (page, ledger) in enumerate(found, 1):
        print(f"edit {n}: record page after {page:.2f} s, {LEDGER} after {ledger:.2f} s")
    pages, ledgers = zip(*found, strict=True)
    print(f"median: record page {statistics.median(pages):.2f} s, ledger {statistics.median(ledgers):.2f} s")
    print("load average before → after: {:.1f} {:.1f} {:.1f} → {:.1f} {:.1f} {:.1f}".format(*before, *os.getloadavg()))


if __name__ == "__main__":
    main()
