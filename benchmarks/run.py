"""Benchmark harness: issue 15's table, every row against the floors of the same run.

    python benchmarks/run.py                                  # 1,000 and 10,000 records
    python benchmarks/run.py --sizes 1000,10000,20000 --out benchmarks/out
    python benchmarks/run.py --sizes 1000,10000,20000 --jobs-at 1000,10000   # about 45 min idle

For each size it writes a synthetic archive (benchmarks/synth.py) and measures, each
command in a fresh process: `zhibu check` (first run and with its cache), `zhibu build`
cold (with the default --jobs; with 1, 2 and 4 worker processes at the sizes of --jobs-at,
all sizes unless given), with nothing changed and after one record changed, the seconds from saving a
record to `zhibu serve` showing it (benchmarks/serve_latency.py), and the peak memory
(largest process, Pagefind included). The floors come from the same run: the bare
yaml.CSafeLoader parse of the same files, a plain `mkdocs build` of the same generated
Markdown with no zhibu code, and Pagefind alone over the built site. A second table
times every stage of a cold build in one process (where the time goes). The machine's
load average is printed beside each size: on a shared machine, read numbers with it.
Results go to results.json (after each size) and two Markdown tables for the README.
Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

TODAY = date(2026, 1, 1)
JOBS = (1, 2, 4)  # worker processes of the cold builds compared


def rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return own / 1024


def inner(root: Path) -> dict[str, object]:
    """Run in a fresh process: every stage, timed, for the archive under root/content."""
    import yaml

    from generator.ledgers import compute as ledgers
    from generator.pipeline import Checked
    from generator.plugin import navigation
    from generator.stages import derive, load, privacy, resolve, validate
    from generator.stages.publish import run_mkdocs, template_dir

    content, docs, site = root / "content", root / "docs", root / "site"
    stages: dict[str, dict[str, float]] = {}

    def timed(name: str, start: float) -> None:
        stages[name] = {"seconds": time.perf_counter() - start, "peak_mb": rss_mb()}

    files = sorted(content.rglob("*.yaml"))
    start = time.perf_counter()
    for path in files:
        with path.open("rb") as handle:
            yaml.load(handle, Loader=yaml.CSafeLoader)
    floor_parse = time.perf_counter() - start

    start = time.perf_counter()
    loaded = load.load(content)
    timed("load", start)
    start = time.perf_counter()
    validated, problems = validate.validate(loaded.records)
    problems += privacy.scan(loaded.records, loaded.pages, validated.archive.data.pii_allowlist)
    timed("validate", start)
    start = time.perf_counter()
    full, more = resolve.resolve(validated, loaded)
    archive = resolve.published(full)
    timed("resolve", start)
    start = time.perf_counter()
    views = derive.derive(archive, TODAY)
    warnings = ledgers.warnings(full, TODAY)
    timed("derive", start)
    checked = Checked(content, loaded, archive, views, problems + more + warnings)
    plugin_box: list[object] = []

    def hand_over(config: object) -> None:
        plugin = config.plugins["zhibu"]  # type: ignore[attr-defined]
        plugin.checked = checked
        plugin_box.append(plugin)

    # The MkDocs build runs the zhibu plugin, which renders and writes the Markdown (timed into
    # checked.timings) and indexes the site after the build (timed by the plugin).
    start = time.perf_counter()
    run_mkdocs(template_dir() / "mkdocs.yml", docs, site, hand_over)
    total_build = time.perf_counter() - start
    plugin = plugin_box[0]
    for name in ("render", "write"):
        stages[name] = {"seconds": checked.timings[name], "peak_mb": stages["derive"]["peak_mb"]}
    index_seconds = plugin.index_seconds  # type: ignore[attr-defined]
    own = checked.timings["render"] + checked.timings["write"]
    stages["mkdocs"] = {"seconds": total_build - index_seconds - own, "peak_mb": rss_mb()}
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    stages["index"] = {"seconds": index_seconds, "peak_mb": children}
    pages = plugin.page_count  # type: ignore[attr-defined]

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    floor_site = Path(tempfile.mkdtemp(dir=root))
    config = load_config(
        config_file=str(template_dir() / "mkdocs.yml"),
        docs_dir=str(docs),
        site_dir=str(floor_site),
        plugins=[],
        nav=navigation(checked),
        # zhibu's own Markdown extension left out too: the generated pages' HTML passes as is.
        markdown_extensions=["tables", "admonition", "sane_lists", {"toc": {"permalink": False}}],
    )
    start = time.perf_counter()
    build(config)
    floor_mkdocs = time.perf_counter() - start
    index_bytes = sum(p.stat().st_size for p in (site / "pagefind").rglob("*") if p.is_file())
    return {
        "records": len(loaded.records),
        "pages": pages,
        "files": len(files),
        "stages": stages,
        "floor_parse": floor_parse,
        "floor_mkdocs": floor_mkdocs,
        "pagefind_bytes": index_bytes,
        "key_index_bytes": sum(p.stat().st_size for p in (site / "search" / "keys").rglob("*.json")),
    }


MEASURED = (
    "import json, resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "subprocess.run(sys.argv[1:], check=True, capture_output=True)\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
    "print(json.dumps([time.perf_counter() - start, peak]))"
)


def measured(*args: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB, the largest process, Pagefind included) of one command,
    run from a fresh intermediate process so earlier commands do not count."""
    out = subprocess.run([sys.executable, "-c", MEASURED, *args], check=True, capture_output=True, text=True)
    seconds, peak = json.loads(out.stdout)
    return seconds, peak


def zhibu(*args: str) -> tuple[float, float]:
    return measured(sys.executable, "-m", "generator", *args)


def load() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def measure(size: int, work: Path, jobs: tuple[int, ...]) -> dict[str, object]:
    from serve_latency import latencies
    from synth import generate

    from generator.stages.index import RECORD_PAGES
    from generator.stages.publish import default_jobs

    root = work / f"n{size}"
    shutil.rmtree(root, ignore_errors=True)
    generate(root / "content", size)
    result: dict[str, object] = {"load_before": load()}
    output = subprocess.run(
        [sys.executable, __file__, "--inner", str(root)], check=True, capture_output=True, text=True
    )
    result.update(json.loads(output.stdout.strip().splitlines()[-1]))
    content, site = root / "content", root / "cli-site"
    today = ["--today", TODAY.isoformat(), "--quiet"]
    build = ("build", "--content", str(content), "--site", str(site), *today)
    shutil.rmtree(root / ".zhibu", ignore_errors=True)
    result["check_first"] = zhibu("check", "--content", str(content), *today)
    result["check"] = zhibu("check", "--content", str(content), *today)
    for count in sorted({*jobs, default_jobs()}):  # cold: no site, no generated docs, no check cache
        shutil.rmtree(root / ".zhibu", ignore_errors=True)
        shutil.rmtree(site, ignore_errors=True)
        result[f"cli_cold_{count}"] = zhibu(*build, "--jobs", str(count))
    result["cli_cold"] = result[f"cli_cold_{default_jobs()}"]
    docs = root / ".zhibu" / "docs"
    before = {p: p.stat().st_mtime_ns for p in docs.rglob("*.md")}
    result["cli_unchanged"] = zhibu(*build)
    result["rewritten_unchanged"] = sum(1 for p, t in before.items() if p.stat().st_mtime_ns != t)
    one = next(iter(sorted((content / "meetings").rglob("*.yaml"))))
    one.write_text(one.read_text(encoding="utf-8").replace("title: ", "title: 改", 1), encoding="utf-8")
    before = {p: p.stat().st_mtime_ns for p in docs.rglob("*.md")}
    result["cli_one_changed"] = zhibu(*build)
    result["rewritten_one_changed"] = sum(1 for p, t in before.items() if p.stat().st_mtime_ns != t)
    floor_index = site / "pagefind-floor"
    result["floor_pagefind"] = measured(
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site),
        "--output-subdir",
        floor_index.name,
        "--glob",
        RECORD_PAGES,
    )
    shutil.rmtree(floor_index, ignore_errors=True)
    result["serve"] = latencies(content, edits=3)
    result["load_after"] = load()
    return result


def issue_table(results: dict[str, dict[str, Any]]) -> str:
    """The rows of issue 15's table, each beside its target and the floors of the same run."""
    from generator.stages.publish import default_jobs

    sizes = list(results)
    rows = [("", *(f"{int(s):,} records" for s in sizes), "target")]

    def row(label: str, cell: Callable[[dict[str, Any]], str], target: str) -> None:
        rows.append((label, *(cell(results[s]) for s in sizes), target))

    row(
        "`zhibu check` vs bare CSafeLoader parse",
        lambda r: f"{r['check'][0]:.2f} s vs {r['floor_parse']:.2f} s ({r['check'][0] / r['floor_parse']:.1f}×)",
        "≤ 2.5× parse + 1 s",
    )
    row("`zhibu check`, first run (no cache)", lambda r: f"{r['check_first'][0]:.2f} s", "")
    row("`zhibu build`, cold", lambda r: f"{r['cli_cold'][0]:.1f} s", "≤ 90 s at 10k, linear growth")
    row(
        f"`zhibu build`, cold, --jobs {' / '.join(map(str, JOBS))}",
        lambda r: " / ".join(f"{r[f'cli_cold_{j}'][0]:.1f}" if f"cli_cold_{j}" in r else "–" for j in JOBS) + " s",
        f"default --jobs: {default_jobs()} (cores)",
    )
    row(
        "`zhibu build`, nothing changed",
        lambda r: f"{r['cli_unchanged'][0]:.2f} s ({r['cli_unchanged'][0] / r['check'][0]:.1f}× check)",
        "≤ 1.5× `zhibu check`",
    )
    row("`zhibu build`, one record changed", lambda r: f"{r['cli_one_changed'][0]:.1f} s", "≤ 20 s at 10k")
    row(
        "`zhibu serve`, change visible (median of 3)",
        lambda r: f"{statistics.median(r['serve']):.2f} s",
        "≤ 1 s at 1k, ≤ 3 s at 10k",
    )
    row("peak memory (cold build, largest process)", lambda r: f"{r['cli_cold'][1]:.0f} MB", "≤ 1 GB at 20k")
    row("floor: bare CSafeLoader parse", lambda r: f"{r['floor_parse']:.2f} s", "")
    row("floor: plain `mkdocs build` of the same Markdown", lambda r: f"{r['floor_mkdocs']:.1f} s", "")
    row(
        "floor: Pagefind alone",
        lambda r: f"{r['floor_pagefind'][0]:.1f} s / {r['floor_pagefind'][1]:.0f} MB",
        "",
    )
    row("pages", lambda r: f"{r['pages']:,}", "")
    row("machine load (1/5/15 min) before → after", lambda r: f"{r['load_before']} → {r['load_after']}", "")
    return markdown_table(rows)


def stage_table(results: dict[str, dict[str, Any]]) -> str:
    """Time and peak memory of every stage in one process (the profile of a cold build)."""
    sizes = list(results)
    rows = [("stage", *(f"{int(s):,} records" for s in sizes))]
    stage_names = ["load", "validate", "resolve", "derive", "render", "write", "mkdocs", "index"]
    for name in stage_names:
        rows.append((name, *(_cell(results[s]["stages"][name]) for s in sizes)))
    own = {s: sum(results[s]["stages"][n]["seconds"] for n in stage_names[:6]) for s in sizes}
    rows.append(("zhibu stages (load..write)", *(f"{own[s]:.2f} s" for s in sizes)))
    rows.append(("ratio zhibu stages / parse", *(f"{own[s] / results[s]['floor_parse']:.1f}×" for s in sizes)))
    rows.append(
        (
            "ratio MkDocs stage / plain mkdocs build",
            *(f"{results[s]['stages']['mkdocs']['seconds'] / results[s]['floor_mkdocs']:.2f}×" for s in sizes),
        )
    )
    rows.append(("Markdown files rewritten, nothing changed", *(str(results[s]["rewritten_unchanged"]) for s in sizes)))
    rows.append(
        ("Markdown files rewritten, one record changed", *(str(results[s]["rewritten_one_changed"]) for s in sizes))
    )
    rows.append(("Pagefind index on disk", *(f"{results[s]['pagefind_bytes'] / 1e6:.1f} MB" for s in sizes)))
    return markdown_table(rows)


def markdown_table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _cell(stage: dict[str, float]) -> str:
    return f"{stage['seconds']:.2f} s / {stage['peak_mb']:.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument(
        "--jobs-at",
        metavar="SIZES",
        help="sizes at which cold builds are also timed with --jobs 1, 2 and 4 (default: every size); "
        "the other sizes time the default --jobs only",
    )
    parser.add_argument("--inner", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        print(json.dumps(inner(args.inner)))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    results = {}
    sizes = [int(s) for s in args.sizes.split(",")]
    compared = sizes if args.jobs_at is None else [int(s) for s in args.jobs_at.split(",") if s]
    for size in sizes:
        print(f"… {size} records", file=sys.stderr)
        results[str(size)] = measure(size, args.out, JOBS if size in compared else ())
        (args.out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(issue_table(results))
    print()
    print(stage_table(results))


if __name__ == "__main__":
    main()
