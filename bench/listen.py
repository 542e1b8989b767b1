"""The "Mark handled" button: ack and update latency over Socket Mode, and idle cost.

Run by hand (prints figures, asserts nothing)::

    .venv/bin/python -m bench.listen --clicks 50

The local Slack of ``tests/servers/slack.py`` (Web API and Socket Mode server)
runs in this process. The baseline, measured in the same run, is slack-sdk's
built-in Socket Mode client with a listener that only acks: the transport's
floor. Then Earful's ``HandleListener`` (slack-bolt on the same client) gets
``--clicks`` clicks, one at a time, each on its own alert in SQLite: the time
from sending the envelope to its ack (Slack wants it within 3 s), and to the
answered ``chat.update`` (database write, render, update). Also printed: CPU
used in ``--idle`` seconds while connected, against the same wait without a
listener, and how long ``close()`` takes. slack-bolt notices a listener's ack by
polling every 10 ms, which sets the floor of its ack latency.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import threading
import time
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from alerts import (
    AlertRule,
    HandleListener,
    SendPolicy,
    SlackDeliverer,
    deliver_pending,
    enqueue,
)
from alerts.pace import ChannelPacer
from storage import open_database
from storage.models import Mention
from storage.queries import Match, save_score, upsert_mention
from tests.servers.slack import SlackServer, channel_id

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("EARFUL_SHARED", REPO.parent / "shared")) / "fixtures"
CHANNEL = "#brand-alerts"
USER = {"id": "U061F7AUR", "username": "dana", "name": "dana"}


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def post_alerts(sessions, slack: SlackServer, n: int) -> list[str]:
    """``n`` mention alerts in the local Slack; their message timestamps."""
    rule = AlertRule(name="acme-negative", brands=("Acme",), channel=CHANNEL)
    match = Match(brand="Acme", competitor=False, terms=("acme",))
    with sessions() as session, session.begin():
        for i in range(n):
            values = {
                "source": "bench",
                "source_type": "reddit",
                "external_id": f"t3_{i}",
                "url": f"https://www.reddit.com/r/acme/comments/{i}/",
                "title": "Acme support is broken",
                "text": "Waited two weeks for a refund & still nothing.",
            }
            result = upsert_mention(session, values, [match])
            mention = session.get_one(Mention, result.mention_id)
            save_score(
                session,
                mention,
                model_id="bench",
                model_revision="r1",
                label="negative",
                probabilities={"negative": 0.9, "neutral": 0.1, "positive": 0.0},
            )
        enqueue(session, [rule], model_id="bench")
    deliverer = SlackDeliverer(
        "xoxb-ok", base_url=slack.api_url, pacer=ChannelPacer(interval=0.0)
    )
    policy = SendPolicy(handle_button=True)
    deliver_pending(sessions, deliverer, policy=policy, limit=n)
    return [str(m["ts"]) for m in slack.history[channel_id(CHANNEL)]]


def ms(values: list[float]) -> str:
    cut = sorted(values)[max(0, round(len(values) * 0.95) - 1)]
    return (
        f"median {statistics.median(values) * 1000:7.1f} ms, p95 {cut * 1000:7.1f} ms"
    )


def baseline_acks(slack: SlackServer, clicks: int) -> list[float]:
    """Ack latency of slack-sdk's bare built-in client that only acks."""

    def ack(client: SocketModeClient, request: SocketModeRequest) -> None:
        client.send_socket_mode_response(SocketModeResponse(request.envelope_id))

    web = WebClient(base_url=slack.api_url)
    client = SocketModeClient(app_token="xapp-bench", web_client=web)  # noqa: S106
    client.socket_mode_request_listeners.append(ack)
    client.connect()
    sockets = slack.socket_mode
    sockets.wait("a connection", lambda: sockets.connections)
    payload = {"type": "block_actions", "user": USER, "actions": []}
    times = []
    for _ in range(clicks):
        started = time.perf_counter()
        envelope = sockets.interactive(payload)
        sockets.wait("the ack", lambda e=envelope: {"envelope_id": e} in sockets.acks)
        times.append(time.perf_counter() - started)
    client.close()
    return times


def listener_clicks(
    slack: SlackServer, listener: HandleListener, stamps: list[str]
) -> tuple[list[float], list[float]]:
    sockets = slack.socket_mode
    sockets.wait("a connection", lambda: sockets.connections)
    acks, updates = [], []
    for n, ts in enumerate(stamps, start=1):
        started = time.perf_counter()
        envelope = slack.click(CHANNEL, ts, "earful_handle", USER)
        sockets.wait("the ack", lambda e=envelope: {"envelope_id": e} in sockets.acks)
        acks.append(time.perf_counter() - started)
        slack.wait_answered("chat.update", n)
        updates.append(time.perf_counter() - started)
    return acks, updates


def idle_cpu(seconds: float) -> float:
    before = cpu_s()
    threading.Event().wait(seconds)
    return cpu_s() - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clicks", type=int, default=50)
    parser.add_argument("--idle", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, SlackServer(SHARED / "slack") as slack:
        sessions = open_database(f"sqlite:///{tmp}/bench.db")
        stamps = post_alerts(sessions, slack, args.clicks)
        base = baseline_acks(slack, args.clicks)
        slack.socket_mode.reset()
        quiet = idle_cpu(args.idle)
        listener = HandleListener(
            sessions,
            bot_token="xoxb-ok",  # noqa: S106 - the local Slack's scenario
            app_token="xapp-bench",  # noqa: S106
            base_url=slack.api_url,
        )
        listener.start()
        acks, updates = listener_clicks(slack, listener, stamps)
        busy = idle_cpu(args.idle)
        started = time.perf_counter()
        listener.close()
        closed = time.perf_counter() - started
    print(f"{args.clicks} clicks, one at a time, SQLite, local Slack")
    print(f"baseline ack (bare slack-sdk client): {ms(base)}")
    print(f"HandleListener ack (slack-bolt):      {ms(acks)}")
    print(f"click to chat.update answered:        {ms(updates)}")
    ratio = statistics.median(acks) / statistics.median(base)
    print(f"ack median, listener / baseline:      {ratio:.2f}x")
    print(
        f"CPU over {args.idle:.0f} s idle: {quiet:.3f} s without a listener, "
        f"{busy:.3f} s connected"
    )
    print(f"close(): {closed:.2f} s")


if __name__ == "__main__":
    main()
