"""Benchmark harness: time and peak memory of every stage, against the floors of the same run.

    python benchmarks/run.py                      # 1,000 and 10,000 records
    python benchmarks/run.py --sizes 1000,10000,50000 --out benchmarks/out

For each size it writes a synthetic archive (benchmarks/synth.py) and, in a fresh
process, runs zhibu stage by stage: YAML load, validation, reference resolution,
derived views, Markdown rendering and writing, the MkDocs build and Pagefind
indexing. In the same process it measures two floors: the bare
yaml.CSafeLoader parse of the same files and a plain `mkdocs build` of the same
generated Markdown with no zhibu code. It also times a rebuild with nothing
changed and a rebuild after one record changed. Peak memory is the process's
high-water mark (RSS) after each stage. Results go to results.json and a table.
Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

TODAY = date(2026, 1, 1)


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


def cli_seconds(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "generator", *args], check=True, capture_output=True)
    return time.perf_counter() - start


def measure(size: int, work: Path) -> dict[str, object]:
    from synth import generate

    root = work / f"n{size}"
    shutil.rmtree(root, ignore_errors=True)
    generate(root / "content", size)
    output = subprocess.run(
        [sys.executable, __file__, "--inner", str(root)], check=True, capture_output=True, text=True
    )
    result = json.loads(output.stdout.strip().splitlines()[-1])
    content, site = root / "content", root / "cli-site"
    today = ["--today", TODAY.isoformat(), "--quiet"]
    result["cli_cold"] = cli_seconds("build", "--content", str(content), "--site", str(site), *today)
    docs = content.parent / ".zhibu" / "docs"
    before = {p: p.stat().st_mtime_ns for p in docs.rglob("*.md")}
    result["cli_unchanged"] = cli_seconds("build", "--content", str(content), "--site", str(site), *today)
    result["rewritten_unchanged"] = sum(1 for p, t in before.items() if p.stat().st_mtime_ns != t)
    one = next(iter(sorted((content / "meetings").rglob("*.yaml"))))
    one.write_text(one.read_text(encoding="utf-8").replace("title: ", "title: 改", 1), encoding="utf-8")
    before = {p: p.stat().st_mtime_ns for p in docs.rglob("*.md")}
    result["cli_one_changed"] = cli_seconds("build", "--content", str(content), "--site", str(site), *today)
    result["rewritten_one_changed"] = sum(1 for p, t in before.items() if p.stat().st_mtime_ns != t)
    result["check"] = cli_seconds("check", "--content", str(content), *today)
    return result


def table(results: dict[str, dict[str, object]]) -> str:
    sizes = list(results)
    rows = [("stage", *(f"{s} records" for s in sizes))]
    stage_names = ["load", "validate", "resolve", "derive", "render", "write", "mkdocs", "index"]
    for name in stage_names:
        rows.append((name, *(_cell(results[s]["stages"][name]) for s in sizes)))  # type: ignore[index]
    own = {s: sum(results[s]["stages"][n]["seconds"] for n in stage_names[:6]) for s in sizes}  # type: ignore[index]
    rows.append(("zhibu stages (load..write)", *(f"{own[s]:.2f} s" for s in sizes)))
    rows.append(("floor: bare CSafeLoader parse", *(f"{results[s]['floor_parse']:.2f} s" for s in sizes)))
    rows.append(("ratio zhibu / parse", *(f"{own[s] / results[s]['floor_parse']:.1f}×" for s in sizes)))  # type: ignore[operator]
    rows.append(("floor: plain mkdocs build", *(f"{results[s]['floor_mkdocs']:.2f} s" for s in sizes)))
    rows.append(
        (
            "ratio mkdocs stage / floor",
            *(f"{results[s]['stages']['mkdocs']['seconds'] / results[s]['floor_mkdocs']:.2f}×" for s in sizes),
        )
    )  # type: ignore[index]
    for key, label in (
        ("check", "zhibu check (CLI)"),
        ("cli_cold", "zhibu build, cold (CLI)"),
        ("cli_unchanged", "zhibu build, nothing changed"),
        ("cli_one_changed", "zhibu build, one record changed"),
    ):
        rows.append((label, *(f"{results[s][key]:.1f} s" for s in sizes)))  # type: ignore[str-format]
    rows.append(("Markdown files rewritten, nothing changed", *(str(results[s]["rewritten_unchanged"]) for s in sizes)))
    rows.append(
        ("Markdown files rewritten, one record changed", *(str(results[s]["rewritten_one_changed"]) for s in sizes))
    )
    rows.append(
        ("peak memory (RSS)", *(f"{max(v['peak_mb'] for v in results[s]['stages'].values()):.0f} MB" for s in sizes))
    )  # type: ignore[union-attr]
    rows.append(("pages", *(str(results[s]["pages"]) for s in sizes)))
    rows.append(("Pagefind index on disk", *(f"{results[s]['pagefind_bytes'] / 1e6:.1f} MB" for s in sizes)))  # type: ignore[operator]
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _cell(stage: dict[str, float]) -> str:
    return f"{stage['seconds']:.2f} s / {stage['peak_mb']:.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--inner", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        print(json.dumps(inner(args.inner)))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"… {size} records", file=sys.stderr)
        results[str(size)] = measure(size, args.out)
    (args.out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(table(results))


if __name__ == "__main__":
    main()
