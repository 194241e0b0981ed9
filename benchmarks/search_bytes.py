"""How much index data one search downloads: Chromium's network log on a built site.

    python benchmarks/search_bytes.py SITE_DIR 支委会 "阳极炉 攻关" 苏永刚

Prints, per query, the bytes fetched from /pagefind/ and /search/keys/ after the
search page has loaded (the page's own assets excluded), and their sum.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from conftest import CHROMIUM, CHROMIUM_ARGS, serve_dir


def main() -> None:
    site, queries = Path(sys.argv[1]), sys.argv[2:] or ["支委会"]
    with serve_dir(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for query in queries:
            page = browser.new_context().new_page()
            sizes: dict[str, int] = {}

            def record(response: object, sizes: dict[str, int] = sizes) -> None:
                url = response.url  # type: ignore[attr-defined]
                if "/pagefind/" in url or "/search/keys/" in url:
                    body = response.body()  # type: ignore[attr-defined]
                    sizes[url] = len(body)

            page.on("response", record)
            page.goto(f"{base}/search/?q={quote(query)}")
            page.wait_for_selector("#zhibu-search[data-state=done]", timeout=60000)
            # Pagefind's code: its scripts and its WebAssembly (`wasm.<language>.pagefind`), cached once loaded.
            code = sum(v for k, v in sizes.items() if k.endswith((".js", ".css", ".wasm")) or "/wasm." in k)
            index = sum(v for k, v in sizes.items() if "/pagefind/" in k) - code
            keys = sum(v for k, v in sizes.items() if "/search/keys/" in k)
            print(
                f"{query}\tindex {index / 1000:.0f} KB\tkeys {keys / 1000:.0f} KB\t"
                f"total data {(index + keys) / 1000:.0f} KB\t(+ {code / 1000:.0f} KB of Pagefind code, cached)"
            )
        browser.close()


if __name__ == "__main__":
    main()
