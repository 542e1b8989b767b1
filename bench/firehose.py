"""The Bluesky firehose: posts per second through the whole path, at 10 and 1,000 brands.

Run by hand (prints figures, asserts nothing)::

    .venv/bin/python -m bench.firehose                 # 10 s per size
    .venv/bin/python -m bench.firehose --seconds 600   # the 10-minute memory run

A local WebSocket server in a child process (pinned to the other core) streams
synthetic Jetstream commit events without end: post texts of realistic length
(Bluesky's average is about 100 characters, its limit 300), about 60 % Japanese
and 35 % English, 1 % naming a watched brand. This process is pinned to one
core and runs Earful's ``JetstreamCollector`` against it (the 10 brands are
the first 10 of the 1,000, and the 1 % name one of those 10, so both sizes
store the same posts): receive, match with
the multi-pattern matcher, store the matches in SQLite with the cursor, and
wake the scoring job of a running APScheduler, as ``earful run`` does.

Printed, measured side by side in one run:

- the baseline: a bare ``websockets`` client that only receives and decodes
  (the transport's ceiling), before and after the other runs, since the load
  of a shared machine moves it;
- the matcher alone on the same texts, at 10 and 1,000 brands, and the ratio;
- the whole path at 10 and 1,000 brands, and the ratio;
- the resident memory (RSS) at the start and end of each run, and its range
  every 10 s over the run, so growth shows.

The goal in the issue: at least 5,000 posts/s at 1,000 brands on one core.
The machine may be shared: its load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from websockets.sync.client import connect
from websockets.sync.server import ServerConnection, serve

from crawlers.bluesky import JetstreamCollector, JetstreamParams
from crawlers.match import BrandRule, Matcher
from storage import open_database
from storage.queries import set_cursor

KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
SYLLABLES = [
    "ka",
    "zen",
    "tro",
    "vi",
    "ra",
    "mo",
    "lux",
    "bel",
    "dor",
    "qui",
    "sa",
    "nex",
]
JA_WORDS = [
    "今日は",
    "天気が",
    "いい",
    "ですね",
    "新しい",
    "カフェに",
    "行った",
    "電車が",
    "遅れて",
    "最悪",
    "ラーメン",
    "美味しかった",
    "仕事",
    "終わった",
    "週末は",
    "映画を",
    "見たい",
    "猫が",
    "かわいい",
    "雨",
    "降ってきた",
    "スマホの",
    "充電が",
    "すぐ",
    "切れる",
    "コーヒー",
    "飲みながら",
    "本を",
    "読む",
    "明日から",
    "旅行",
    "楽しみ",
]
EN_WORDS = [
    "just",
    "finished",
    "the",
    "new",
    "episode",
    "and",
    "honestly",
    "it",
    "was",
    "great",
    "but",
    "the",
    "ending",
    "felt",
    "rushed",
    "anyone",
    "else",
    "think",
    "so",
    "weather",
    "is",
    "nice",
    "today",
    "going",
    "for",
    "a",
    "walk",
    "with",
    "my",
    "dog",
    "coffee",
    "first",
    "then",
    "work",
    "this",
    "app",
    "keeps",
    "crashing",
    "on",
    "my",
    "phone",
    "again",
    "lol",
]
DID = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
RSS_EVERY_S = 10.0


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def brands(count: int, rng: random.Random) -> list[BrandRule]:
    """Brands with a Latin and a katakana name; every tenth by query, every seventh
    with an exclude."""
    rules = []
    for i in range(count):
        latin = "".join(rng.choice(SYLLABLES) for _ in range(3)) + str(i)
        kana = "".join(rng.choice(KANA) for _ in range(5))
        exclude = (f"{latin} jobs",) if i % 7 == 0 else ()
        if i % 10 == 0:
            query = f'({latin} OR {kana}) NOT "求人"'
            rules.append(BrandRule(f"B{i}", (), exclude, query=query))
        else:
            rules.append(BrandRule(f"B{i}", (latin, kana), exclude))
    return rules


def texts(count: int, rules: list[BrandRule], rng: random.Random) -> list[str]:
    """Post texts: 60 % Japanese, 35 % English, 5 % mixed; 1 % name one of ``rules``."""
    names = [t for r in rules for t in r.terms]
    out = []
    for i in range(count):
        kind = rng.random()
        if kind < 0.6:
            words = [rng.choice(JA_WORDS) for _ in range(rng.randint(6, 40))]
            text = "".join(words) + "。"
        elif kind < 0.95:
            words = [rng.choice(EN_WORDS) for _ in range(rng.randint(5, 45))]
            text = " ".join(words)
        else:
            text = " ".join(rng.choice(JA_WORDS + EN_WORDS) for _ in range(12))
        if i % 100 == 0:
            text = (
                f"{rng.choice(names)} {text}"
                if rng.random() < 0.5
                else (f"{text} {rng.choice(names)}が壊れた")
            )
        out.append(text[:300])
    return out


def _stream(connection: ServerConnection, messages: list[str]) -> None:
    """Send the posts over and over, each with a fresh rkey and time_us."""
    n = 0
    try:
        while True:
            for record in messages:
                now = time.time_ns() // 1000
                connection.send(
                    f'{{"did":"{DID}","time_us":{now + n % 1000},"kind":"commit",'
                    f'"commit":{{"rev":"3lbench{n}","operation":"create",'
                    f'"collection":"app.bsky.feed.post","rkey":"3lb{n:09d}",'
                    f'"record":{record},"cid":"bafyreibench{n}"}}}}'
                )
                n += 1
    except Exception:  # noqa: BLE001 - the client went away; the handler ends
        return


def serve_stream(records: list[str], port: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """The child process: a WebSocket server streaming the posts to each client."""
    os.sched_setaffinity(0, {1 % os.cpu_count()})  # type: ignore[operator]
    with serve(
        lambda c: _stream(c, records), "127.0.0.1", 0, compression=None
    ) as server:
        port.put(server.socket.getsockname()[1])
        server.serve_forever()


def receive_only(url: str, seconds: float) -> float:
    """Baseline: posts/s a bare client receives and decodes."""
    count, deadline = 0, time.monotonic() + seconds
    started = time.monotonic()
    with connect(url, compression=None, max_size=1 << 20) as socket:
        while time.monotonic() < deadline:
            json.loads(socket.recv())
            count += 1
    return count / (time.monotonic() - started)


def matcher_alone(rules: list[BrandRule], sample: list[str]) -> tuple[float, int]:
    matcher = Matcher(rules)
    started = time.perf_counter()
    hits = sum(bool(matcher.match(text)) for text in sample)
    return len(sample) / (time.perf_counter() - started), hits


def whole_path(url: str, rules: list[BrandRule], seconds: float) -> dict[str, float]:
    """Listen for ``seconds`` through the collector; posts/s, matches, RSS range."""
    folder = tempfile.mkdtemp(prefix="earful-firehose-")
    database_url = f"sqlite:///{folder}/earful.db"
    sessions = open_database(database_url)
    with sessions.begin() as session:  # start at the live tail, not at "now - margin"
        set_cursor(session, "bsky", {"time_us": time.time_ns() // 1000})
    scheduler = BackgroundScheduler()
    woken = []
    scheduler.add_job(lambda: woken.append(1), "interval", seconds=30, id="score")
    scheduler.start()

    def wake() -> None:  # as earful.scheduler.run_soon does
        scheduler.modify_job("score", next_run_time=datetime.now(UTC))

    collector = JetstreamCollector(
        JetstreamParams("bsky", url, replay_margin_s=0.0), Matcher(rules), sessions
    )
    stop, samples = threading.Event(), [rss_mb()]

    def sample_rss() -> None:
        while not stop.wait(RSS_EVERY_S):
            samples.append(rss_mb())

    sampler = threading.Thread(target=sample_rss, daemon=True)
    sampler.start()
    started = time.monotonic()
    outcome = collector.listen(seconds, threading.Event(), wake)
    elapsed = time.monotonic() - started
    stop.set()
    samples.append(rss_mb())
    scheduler.shutdown(wait=False)
    sessions.kw["bind"].dispose()
    if outcome.error:
        print(f"  error: {outcome.error}")
    return {
        "posts_s": outcome.counts["events"] / elapsed,
        "events": outcome.counts["events"],
        "stored": outcome.new,
        "woken": len(woken),
        "rss_start": samples[0],
        "rss_end": samples[-1],
        "rss_min": min(samples),
        "rss_max": max(samples),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per size")
    parser.add_argument("--sizes", default="10,1000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rng = random.Random(14)  # noqa: S311 - reproducible synthetic posts
    every = brands(max(sizes), rng)
    ruleset = {n: every[:n] for n in sizes}  # the small set is in the big one
    sample = texts(20_000, ruleset[min(sizes)], rng)  # 1 % match at every size
    records = [
        json.dumps(
            {
                "$type": "app.bsky.feed.post",
                "createdAt": "2026-12-01T05:00:00.000Z",
                "langs": ["ja" if any("\u3040" <= c <= "\u30ff" for c in t) else "en"],
                "text": t,
            },
            ensure_ascii=False,
        )
        for t in sample
    ]
    print(
        f"plan: {len(sample)} distinct posts, mean {sum(map(len, sample)) / len(sample):.0f}"
        f" chars, streamed without end; sizes {sizes}; {args.seconds:g} s per size"
    )
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    os.sched_setaffinity(0, {0})
    context = multiprocessing.get_context("spawn")
    ports = context.Queue()
    server = context.Process(target=serve_stream, args=(records, ports), daemon=True)
    server.start()
    url = f"ws://127.0.0.1:{ports.get(timeout=60)}/subscribe"
    try:
        base = receive_only(url, min(args.seconds, 5.0))
        print(f"baseline, receive + decode only: {base:,.0f} posts/s")
        alone = {n: matcher_alone(ruleset[n], sample) for n in sizes}
        for n in sizes:
            rate, hits = alone[n]
            print(
                f"matcher alone, {n:>5} brands: {rate:,.0f} posts/s "
                f"({hits / len(sample):.1%} matched)"
            )
        path = {}
        for n in sizes:
            path[n] = result = whole_path(url, ruleset[n], args.seconds)
            print(
                f"whole path,    {n:>5} brands: {result['posts_s']:,.0f} posts/s "
                f"({result['events']:,.0f} posts, {result['stored']:,.0f} stored, "
                f"scoring woken {result['woken']:.0f}x); RSS {result['rss_start']:.0f} → "
                f"{result['rss_end']:.0f} MB (range {result['rss_min']:.0f}-"
                f"{result['rss_max']:.0f})"
            )
        after = receive_only(url, min(args.seconds, 5.0))
        print(f"baseline again, after the runs: {after:,.0f} posts/s")
        if len(sizes) == 2:
            small, big = sizes
            print(
                f"ratio {big} vs {small} brands: matcher alone "
                f"{alone[big][0] / alone[small][0]:.2f}x the speed, whole path "
                f"{path[big]['posts_s'] / path[small]['posts_s']:.2f}x"
            )
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
