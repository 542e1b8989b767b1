"""End to end: a Japanese Bluesky complaint on the firehose reaches the console alert.

``earful run`` as a subprocess listens to the local Jetstream, stores the post
that names the brand, wakes scoring (the default model) and delivery, and
prints the alert on stdout; SIGTERM then stops the listening job in time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.servers.jetstream import JetstreamServer, commit

REPO = Path(__file__).resolve().parents[2]
DID = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
COMPLAINT = "アクメの掃除機、買って三日で壊れた。サポートも最悪で返金もしてくれない。"
CONFIG = """
database_url = "sqlite:///{db}"

[[brands]]
name = "Acme"
terms = ["acme", "アクメ"]

[[alerts]]
name = "acme-negative"
brands = ["Acme"]
channel = "#brand-alerts"
min_negative = 0.5

[[sources]]
name = "bluesky"
type = "bluesky"
jetstream_url = "{url}"
"""


@pytest.mark.slow
def test_a_japanese_post_on_the_firehose_reaches_the_console_alert(tmp_path):
    lines: list[str] = []
    cond = threading.Condition()
    with JetstreamServer() as jetstream:
        config = tmp_path / "earful.toml"
        config.write_text(
            CONFIG.format(db=tmp_path / "earful.db", url=jetstream.url), "utf-8"
        )
        env = {**os.environ, "SLACK_BOT_TOKEN": "", "SLACK_WEBHOOK_URL": ""}
        proc = subprocess.Popen(
            [sys.executable, "-m", "earful", "run", "--config", str(config)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

        def read() -> None:
            assert proc.stdout is not None
            with proc.stdout:
                for line in proc.stdout:
                    with cond:
                        lines.append(line.rstrip("\n"))
                        cond.notify_all()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            jetstream.wait("the daemon to listen", lambda: jetstream.opened >= 1, 120)
            jetstream.publish(
                [
                    commit(DID, 1, "3lz1", text="今日はいい天気", langs=("ja",)),
                    commit(DID, 2, "3lz2", text=COMPLAINT, langs=("ja",)),
                ]
            )
            with cond:
                alerted = cond.wait_for(
                    lambda: any(COMPLAINT in line for line in lines), 240
                )
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        reader.join(timeout=5)
    output = "\n".join(lines)
    assert alerted, output
    assert code == 0, output
    assert "=== Negative mention of Acme → #brand-alerts" in output
    assert f"link:      https://bsky.app/profile/{DID}/post/3lz2" in output
    assert "今日はいい天気" not in output
