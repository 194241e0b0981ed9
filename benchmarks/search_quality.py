"""How well search finds what people type: recall@1, recall@3 and MRR over tests/search_queries.yaml.

    python benchmarks/search_quality.py [SITE_DIR] [--content DIR] [--misses]

Runs every query of the set on the search page of a built site in Chromium (built
from --content, default content/, into a temporary folder when SITE_DIR is not
given) and through `zhibu search` (the same function the command calls), and
prints the three figures per query kind and overall for each. A query counts as
found at rank r when any of its expected records is the r-th result.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import yaml
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from conftest import CHROMIUM, CHROMIUM_ARGS, REPO, serve_dir

from generator.pipeline import check
from generator.search.query import Query, search

ROOT = REPO
QUERIES = ROOT / "tests" / "search_queries.yaml"


def expected(case: dict[str, Any]) -> list[str]:
    return case["expect"] if isinstance(case["expect"], list) else [case["expect"]]


def rank(found: list[str], wanted: list[str]) -> int | None:
    """1-based rank of the first expected result, None when it is not found."""
    return next((i for i, path in enumerate(found, start=1) if path in wanted), None)


def site_results(site: Path, cases: list[dict[str, Any]]) -> list[list[str]]:
    out = []
    with serve_dir(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(locale="zh-CN").new_page()
        for case in cases:
            page.goto(f"{base}/search/?q={quote(case['query'])}")
            page.wait_for_selector("#zhibu-search[data-state=done]", timeout=60000)
            hrefs = page.eval_on_selector_all(".zhibu-search__title", "els => els.map(e => e.href)")
            out.append([urlsplit(h).path for h in hrefs])
        browser.close()
    return out


def cli_results(content: Path, cases: list[dict[str, Any]]) -> list[list[str]]:
    archive = check(content, include_restricted=True).archive
    assert archive is not None
    out = []
    for case in cases:
        found = search(archive, Query(tuple(case["query"].split())))
        out.append([f"/{r.collection}/{r.id}/" for r in [*found.full, *found.partial]])
    return out


def report(name: str, cases: list[dict[str, Any]], results: list[list[str]], misses: bool) -> None:
    ranks: dict[str, list[int | None]] = defaultdict(list)
    for case, found in zip(cases, results, strict=True):
        r = rank(found, expected(case))
        ranks[case.get("kind", "其他")].append(r)
        ranks["全部"].append(r)
        if misses and (r is None or r > 3):
            print(f"  {name} 未进前三：{case['query']} → 第 {r} 位；前三：{found[:3]}")
    print(f"\n{name}（{len(cases)} 条查询）")
    print(f"{'类别':<10}{'条数':>5}{'recall@1':>10}{'recall@3':>10}{'MRR':>8}")
    for kind, found_ranks in sorted(ranks.items(), key=lambda item: (item[0] == "全部", item[0])):
        n = len(found_ranks)
        at1 = sum(r == 1 for r in found_ranks) / n
        at3 = sum(r is not None and r <= 3 for r in found_ranks) / n
        mrr = sum(1 / r for r in found_ranks if r) / n
        print(f"{kind:<10}{n:>5}{at1:>10.2f}{at3:>10.2f}{mrr:>8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", type=Path)
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--misses", action="store_true", help="list the queries not in the first three")
    args = parser.parse_args()
    cases = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            build = [sys.executable, "-m", "generator", "build", "--content", str(args.content), "--site", str(site)]
            subprocess.run(build, check=True, capture_output=True)
        report("站点搜索（Chromium）", cases, site_results(site, cases), args.misses)
    report("zhibu search", cases, cli_results(args.content, cases), args.misses)


if __name__ == "__main__":
    main()
