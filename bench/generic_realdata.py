"""The generic extractor's precision and recall on the real pages of tests/realdata.

    .venv/bin/python bench/generic_realdata.py [--shared ../shared] [--pages]

Runs ``crawlers.generic`` alone (no recipe, no schema.org) on every page of
``tests/realdata/manifest.toml`` and compares what it takes with the facts read
from each page: its ``count`` and its ``authors`` in page order.

- An extracted block is a true post when one of the page's authors not yet
  matched is named in its author field (or, without one, in its first 80
  characters of text): a real post read with a mangled author ("X sagt:")
  still counts as found, and ``author exact`` says how many came out clean.
- Precision is true posts over blocks taken; recall is true posts over the
  posts the pages hold. A page that holds none counts every block as junk.
  Pages whose posts name no author (``authors = []`` with ``count`` > 0) are
  left out of both, and listed.
"""

from __future__ import annotations

import argparse
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.http import HtmlResponse
from w3lib.encoding import html_body_declared_encoding

from crawlers.encoding import decode_body
from crawlers.guessed import generic_items

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "tests" / "realdata" / "manifest.toml"
CRAWL_TIME = datetime(2026, 12, 1, tzinfo=UTC)  # relative dates read against it


def _blocks(shared: Path, entry: dict[str, Any]) -> list[Any]:
    body = (shared / "fixtures" / entry["file"]).read_bytes()
    charset = decode_body(body, (html_body_declared_encoding(body),)).encoding
    response = HtmlResponse(url=entry["url"], body=body, encoding=charset)
    return generic_items(response, "bench", "reviews", CRAWL_TIME)[0]


def score(entry: dict[str, Any], items: list[Any]) -> tuple[int, int]:
    """(true posts, clean authors) among ``items`` for the page ``entry``."""
    left = [a.casefold() for a in entry["authors"]]
    true = clean = 0
    for item in items:
        said = (item.author or item.text[:80]).casefold()
        found = next((a for a in left if a and a in said), None)
        if found is None:
            continue
        left.remove(found)
        true += 1
        clean += (item.author or "").casefold() == found
    return true, clean


def main() -> None:
    """Print each page's figures, then precision and recall over the layer."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--pages", action="store_true", help="one line per page")
    args = parser.parse_args()
    pages = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))["page"]
    taken = true = clean = held = 0
    left_out = []
    for entry in pages:
        if entry["count"] and not entry["authors"]:
            left_out.append(Path(entry["file"]).stem)
            continue
        items = _blocks(args.shared, entry)
        page_true, page_clean = score(entry, items)
        taken, true, clean = taken + len(items), true + page_true, clean + page_clean
        held += entry["count"]
        if args.pages:
            print(
                f"{Path(entry['file']).stem[:48]:48} holds {entry['count']:3}  "
                f"took {len(items):3}  true {page_true:3}  clean {page_clean:3}"
            )
    precision = true / taken if taken else 1.0
    recall = true / held if held else 1.0
    print(
        f"generic extractor on {len(pages) - len(left_out)} real pages: "
        f"{taken} blocks taken, {true} true posts of {held} held, "
        f"{clean} with the author exact\n"
        f"precision {precision:.2f}  recall {recall:.2f}\n"
        f"left out (posts without authors): {', '.join(left_out)}"
    )


if __name__ == "__main__":
    main()
