"""Reddit alert latency: from a comment becoming visible to its alert reaching Slack.

Run by hand (prints figures, asserts nothing)::

    .venv/bin/python -m bench.reddit_latency --comments 40 --over 180 --interval 5

Runs the product's real path: ``earful run`` as a child process, whose Reddit
source streams one subreddit's comments through PRAW every ``--interval``
seconds (no jitter) from the replay server of ``tests/servers/reddit.py``;
mentions go to SQLite (or ``--database-url``), the default sentiment model
scores them, the alert rule queues the negative ones and slack-sdk posts them
to the local Slack of ``tests/servers/slack.py``. Both servers run in this
process. After a warm-up comment has reached Slack (the model is loaded), the
server releases ``--comments`` comments at random moments over ``--over``
seconds: negative tweets of the TweetEval validation split (``../shared/data``)
addressed to the brand. Each comment's path is read back from the servers'
logs and the database: visible → the stream request that returned it → stored
(``mentions.collected_at``) → scored (``sentiment_results.scored_at``) → Slack
received its message. The baseline, measured in the same run, is the wait for
the poll, which no faster scoring or delivery can remove.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, select

from storage import Alert, AlertState, Mention, SentimentResult
from tests.servers.reddit import RedditServer, Scenario
from tests.servers.slack import SlackServer

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("EARFUL_SHARED", REPO.parent / "shared"))
SUBREDDIT = "acmebench"
MIN_NEGATIVE = 0.5
WARM_UP = "@Acme this is the worst service I have ever had. Terrible."
CONFIG = """
database_url = "{url}"

[[brands]]
name = "Acme"
terms = ["acme"]

[[sources]]
name = "reddit"
type = "reddit"
subreddits = ["{sub}"]
search = false
stream_submissions = false
interval = {interval}
jitter = 0
api_url = "{reddit}"

[[alerts]]
name = "acme-negative"
brands = ["Acme"]
channel = "#acme"
min_negative = {min_negative}

[slack]
base_url = "{slack}"

[daemon]
score_every = {score_every}
deliver_every = {deliver_every}
"""


class TimedSlack(SlackServer):
    """The local Slack, noting when each message arrived (by its ``ts``)."""

    def __init__(self, slack_fixtures: Path) -> None:
        self.arrived: dict[str, float] = {}
        super().__init__(slack_fixtures)

    def next_ts(self) -> str:
        """A message's ``ts``, called as the message arrives."""
        ts = super().next_ts()
        self.arrived[ts] = time.monotonic()
        return ts


@dataclass
class Trip:
    """One released comment's way through the stages (monotonic seconds)."""

    visible: float
    polled: float | None = None
    stored: float | None = None
    scored: float | None = None
    delivered: float | None = None
    alerted: bool = False


@dataclass
class Run:
    """What one benchmark run released and saw."""

    released: dict[str, Trip] = field(default_factory=dict)
    polls: list[float] = field(default_factory=list)


def negative_tweets(n: int, seed: int) -> list[str]:
    """``n`` tweets labelled negative (TweetEval validation), addressed to the brand."""
    data = SHARED / "data" / "tweeteval-sentiment"
    texts = (data / "val_text.txt").read_text(encoding="utf-8").splitlines()
    labels = (data / "val_labels.txt").read_text(encoding="utf-8").split()
    negative = [
        t.strip() for t, label in zip(texts, labels, strict=True) if label == "0"
    ]
    return [f"@Acme {t}" for t in random.Random(seed).sample(negative, n)]  # noqa: S311


def wait_until(condition: Callable[[], bool], deadline_s: float, what: str) -> None:
    """Wait for ``condition``; raise ``TimeoutError`` after ``deadline_s``."""
    deadline = time.monotonic() + deadline_s
    while not condition():
        if time.monotonic() > deadline:
            msg = f"timed out after {deadline_s:.0f} s waiting for {what}"
            raise TimeoutError(msg)
        time.sleep(0.1)


def release_over_time(
    scenario: Scenario, texts: Sequence[str], over: float, seed: int
) -> Run:
    """Release ``texts`` at random moments within ``over`` seconds from now."""
    rnd = random.Random(seed)  # noqa: S311 - timing, not secrets
    start = time.monotonic()
    moments = sorted(rnd.uniform(0, over) for _ in texts)
    run = Run()
    for at, text in zip(moments, texts, strict=True):
        time.sleep(max(0.0, start + at - time.monotonic()))
        name = scenario.release(SUBREDDIT, text, author="bench")["name"]
        run.released[name] = Trip(visible=time.monotonic())
    return run


def trace(run: Run, scenario: Scenario, slack: TimedSlack, url: str) -> None:
    """Fill in each released comment's poll, store, score and delivery times."""
    offset = time.time() - time.monotonic()  # database times are wall-clock UTC
    with scenario.lock:
        run.polls = [t for t, r in scenario.requests if f"/r/{SUBREDDIT}/comments" in r]
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(
                    Mention.external_id,
                    Mention.collected_at,
                    SentimentResult.scored_at,
                    Alert.slack_ts,
                    Alert.state,
                )
                .outerjoin(SentimentResult, SentimentResult.mention_id == Mention.id)
                .outerjoin(Alert, Alert.mention_id == Mention.id)
            ).all()
    finally:
        engine.dispose()
    for name, stored, scored, ts, state in rows:
        trip = run.released.get(name)
        if trip is None:
            continue
        trip.polled = next((t for t in run.polls if t >= trip.visible), None)
        trip.stored = stored.timestamp() - offset
        trip.scored = scored.timestamp() - offset if scored else None
        trip.alerted = state is not None
        if state == AlertState.SENT and ts in slack.arrived:
            trip.delivered = slack.arrived[ts]


def settled(run: Run, url: str, min_negative: float) -> bool:
    """Every released comment is scored, and each negative one's alert is sent."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(
                    Mention.external_id,
                    SentimentResult.label,
                    SentimentResult.negative,
                    Alert.state,
                )
                .join(SentimentResult, SentimentResult.mention_id == Mention.id)
                .outerjoin(Alert, Alert.mention_id == Mention.id)
            ).all()
    finally:
        engine.dispose()
    done = {
        name
        for name, label, negative, state in rows
        if state == AlertState.SENT
        or not (label == "negative" and negative >= min_negative)
    }
    return set(run.released) <= done


def measure(args: argparse.Namespace, folder: Path) -> Run:
    """Start the servers and the daemon, warm up, release, wait, and trace."""
    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"  # daemon migrates
    texts = negative_tweets(args.comments, args.seed)
    with (
        RedditServer([REPO / "tests" / "fixtures", SHARED / "fixtures"]) as reddit,
        TimedSlack(SHARED / "fixtures" / "slack") as slack,
    ):
        client_id, scenario = reddit.scenario()
        scenario.release(SUBREDDIT, WARM_UP, author="bench")
        config = folder / "earful.toml"
        config.write_text(
            CONFIG.format(
                url=url,
                sub=SUBREDDIT,
                interval=args.interval,
                reddit=reddit.url,
                slack=slack.api_url,
                score_every=args.score_every,
                deliver_every=args.deliver_every,
                min_negative=MIN_NEGATIVE,
            ),
            encoding="utf-8",
        )
        env = {
            **os.environ,
            "REDDIT_CLIENT_ID": client_id,
            "REDDIT_CLIENT_SECRET": "bench",  # the replay server ignores it
            "REDDIT_USER_AGENT": "earful-bench",
            "SLACK_BOT_TOKEN": "xoxb-ok",
            "SLACK_WEBHOOK_URL": "",
            "SLACK_APP_TOKEN": "",
        }
        log = (folder / "daemon.log").open("w")
        daemon = subprocess.Popen(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "earful", "run", "--config", str(config)],
            stderr=log,
            env=env,
            cwd=folder,
        )
        try:
            warm = args.score_every + args.deliver_every + args.interval + 120
            wait_until(lambda: len(slack.arrived) >= 1, warm, "the warm-up alert")
            run = release_over_time(scenario, texts, args.over, args.seed)
            late = args.interval + args.score_every + args.deliver_every + 60
            wait_until(
                lambda: settled(run, url, MIN_NEGATIVE), late, "the last comments"
            )
            trace(run, scenario, slack, url)
        except TimeoutError as exc:
            tail = (folder / "daemon.log").read_text(encoding="utf-8")[-3000:]
            sys.exit(f"{exc}; the daemon's log ends:\n{tail}")
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=30)
            log.close()
    return run


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile ``q`` (0 to 100) of ``values``."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def report(run: Run, args: argparse.Namespace) -> None:
    """Print p50 / p95 / max per stage and of the total."""
    paths = list(run.released.values())
    sent = [p for p in paths if p.delivered is not None]
    stages: list[tuple[str, list[float]]] = [
        ("wait until poll (baseline)", [p.polled - p.visible for p in paths if p.polled]),
        ("fetch + store", [p.stored - p.polled for p in paths if p.stored and p.polled]),
        ("stored -> scored", [p.scored - p.stored for p in paths if p.scored and p.stored]),
        ("scored -> delivered", [p.delivered - p.scored for p in sent if p.scored]),
        ("total: visible -> Slack", [p.delivered - p.visible for p in sent]),
    ]  # fmt: skip
    gaps = [b - a for a, b in zip(run.polls, run.polls[1:], strict=False)]
    print(
        f"poll every {args.interval:g} s, score_every {args.score_every:g} s, "
        f"deliver_every {args.deliver_every:g} s; {len(paths)} comments over "
        f"{args.over:g} s: {sum(p.stored is not None for p in paths)} stored, "
        f"{sum(p.scored is not None for p in paths)} scored, "
        f"{sum(p.alerted for p in paths)} alerted, {len(sent)} delivered"
    )
    if gaps:
        print(
            f"{len(run.polls)} stream requests, median gap {percentile(gaps, 50):.2f} s"
        )
    print(f"\n{'stage (seconds)':<27} {'p50':>7} {'p95':>7} {'max':>7} {'mean':>7}")
    for name, values in stages:
        if values:
            print(
                f"{name:<27} {percentile(values, 50):>7.2f} "
                f"{percentile(values, 95):>7.2f} {max(values):>7.2f} "
                f"{sum(values) / len(values):>7.2f}"
            )
    base = [p.polled - p.visible for p in sent if p.polled]  # the same comments
    total = stages[-1][1]
    if base and total:
        ratios = [percentile(total, q) / percentile(base, q) for q in (50, 95)]
        print(
            f"\ntotal / wait until poll, of the delivered comments: p50 "
            f"{ratios[0]:.2f}x, p95 {ratios[1]:.2f}x; goal p95 < 30 s: "
            f"{'met' if percentile(total, 95) < 30 else 'missed'}"
        )


def main() -> None:
    """Parse arguments, run the benchmark, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=40)
    parser.add_argument("--over", type=float, default=180.0, help="seconds")
    parser.add_argument("--interval", type=float, default=5.0, help="Reddit poll")
    parser.add_argument("--score-every", type=float, default=30.0)
    parser.add_argument("--deliver-every", type=float, default=15.0)
    parser.add_argument("--database-url", help="default: SQLite in a temp folder")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run = measure(args, Path(tmp))
    report(run, args)


if __name__ == "__main__":
    main()
