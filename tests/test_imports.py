"""Commands that never score stay light: torch and transformers load on first use."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("torch", "transformers", "onnxruntime")


def test_cli_and_crawl_child_import_no_model_runtime():
    code = (
        "import sys, earful.cli, crawlers.crawl_child, sentiment; "
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


# crawlers.metagraph and crawlers.tiktok.client hold the Meta and TikTok clients
NETWORK_CLIENTS = (
    "atproto",
    "mastodon",
    "googleapiclient",
    "praw",
    "crawlers.metagraph",
    "crawlers.tiktok.client",
    *HEAVY,
)


def test_earful_help_and_a_config_import_no_network_client():
    """The registry loads a kind's collector on first use, not to read settings."""
    code = (
        "import runpy, sys\n"
        "from earful.config import parse_config\n"
        "parse_config({'brands': [{'name': 'A', 'terms': ['a']}], 'sources': [\n"
        "    {'name': 'r', 'type': 'reddit'},\n"
        "    {'name': 'm', 'type': 'mastodon', 'instances': ['mstdn.jp']},\n"
        "    {'name': 'b', 'type': 'bluesky'},\n"
        "    {'name': 'y', 'type': 'youtube', 'videos': ['dQw4w9WgXcQ']},\n"
        "    {'name': 'i', 'type': 'instagram', 'user_id': '17841405822304914'},\n"
        "    {'name': 'f', 'type': 'facebook', 'page_id': '104857600000001'},\n"
        "    {'name': 't', 'type': 'threads', 'user_id': '25000000000000001'},\n"
        "    {'name': 'k', 'type': 'tiktok', 'business_id': '-000AcmeJp'},\n"
        "]}, environ=False)\n"
        "sys.argv = ['earful', '--help']\n"
        "try:\n"
        "    runpy.run_module('earful', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in {NETWORK_CLIENTS!r} if m in sys.modules),"
        " file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "Usage: earful" in done.stdout
    assert done.stderr.strip().splitlines()[-1] == "[]"
