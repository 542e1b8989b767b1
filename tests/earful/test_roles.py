"""One scheduler, many workers on PostgreSQL: failover, kill -9, starting together.

The default role, ``all``, is both in one process; it fails over the same way.

Every test runs real ``earful run --role …`` processes on a fresh PostgreSQL
database, crawling the local sample site in real child processes and, for
delivery, posting to the local Slack with slack-sdk. Scoring runs hourly (no
model is loaded) except in the delivery test, which loads a tiny local model.
"""

from __future__ import annotations

import itertools
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from alerts.queue import insert_alert
from earful.cli import main as cli
from earful.config import Config
from earful.roles import defer_job, scheduler_specs
from earful.tasks import ABANDONED
from storage import Alert, AlertState
from tests.alerts.conftest import store_mention
from tests.earful.test_daemon import (
    EXIT_S,
    REPO,
    Daemon,
    crawl_runs,
    ids,
    wait_for,
    write_config,
)
from tests.earful.test_model_load import tiny_model
from tests.servers.site import SampleSite
from tests.servers.slack import SlackServer

pytestmark = [pytest.mark.timeout(420)]
ACTIVE = "earful running with"
STANDBY = "another scheduler is active: standing by"
WORKING = "earful worker running"
TAKEOVER_S = 30.0


def scheduler(config: Path) -> Daemon:
    return Daemon(config, "--role", "scheduler")


def worker(config: Path, env: dict[str, str] | None = None) -> Daemon:
    return Daemon(config, "--role", "worker", env=env)


def finished(sessions, source: str) -> int:
    return sum(r.finished_at is not None for r in crawl_runs(sessions, source))


def stop_all(daemons: list[Daemon]) -> list[int]:
    for d in daemons:
        if d.proc.poll() is None:
            d.signal(signal.SIGTERM)
    return [d.proc.wait(timeout=EXIT_S) for d in daemons]


def queue_rows(sessions, sql: str) -> list[tuple]:
    with sessions() as s:
        return [tuple(r) for r in s.execute(text(sql))]


@pytest.mark.postgres
def test_a_standby_takes_over_within_30_s_when_the_scheduler_is_killed(
    site: SampleSite, postgres_url, open_db, tmp_path
):
    sources = [
        ("acme-news", f"{site.url}/acme/news.xml", "interval = 2"),
        ("kitchen-feed", f"{site.url}/feeds/kitchen-rdf.rss", "interval = 2"),
    ]
    config = write_config(tmp_path / "earful.toml", postgres_url, sources)
    sessions = open_db(postgres_url)
    first = scheduler(config)
    daemons = [first]
    try:
        wait_for(lambda: ACTIVE in first.log(), "the first scheduler", first)
        second = scheduler(config)
        daemons += [second, worker(config)]
        wait_for(lambda: STANDBY in second.log(), "a standby", second)
        wait_for(
            lambda: all(finished(sessions, n) >= 2 for n, _, _ in sources),
            "crawls scheduled by the first scheduler",
            daemons[2],
        )
        first.kill()  # SIGKILL: no clean stop, no lock released by hand
        killed = time.monotonic()
        wait_for(lambda: ACTIVE in second.log(), "the standby to take over", second)
        took = time.monotonic() - killed
        counts = {n: finished(sessions, n) for n, _, _ in sources}
        wait_for(
            lambda: all(finished(sessions, n) >= counts[n] + 2 for n in counts),
            "crawls scheduled by the new scheduler",
            second,
        )
        codes = stop_all(daemons[1:])
    finally:
        for d in daemons:
            d.kill()
    assert took < TAKEOVER_S, second.log()
    assert codes == [0, 0], [d.log() for d in daemons[1:]]
    jobs = {row[0] for row in queue_rows(sessions, "SELECT job FROM scheduled_jobs")}
    assert jobs == {
        "source:acme-news",
        "source:kitchen-feed",
        "score",
        "alert",
        "recover",
    }
    assert ids(sessions, "acme-news") == ["acme-1", "acme-2", "acme-4"]
    for name, _, _ in sources:  # never two crawls of one source at once
        runs = [r for r in crawl_runs(sessions, name) if r.finished_at is not None]
        for earlier, later in itertools.pairwise(runs):
            assert later.started_at >= earlier.finished_at, name


@pytest.mark.postgres
def test_the_default_role_works_and_schedules_and_a_standby_takes_over_on_kill_9(
    site: SampleSite, postgres_url, open_db, tmp_path
):
    sources = [("acme-news", f"{site.url}/acme/news.xml", "interval = 2")]
    config = write_config(tmp_path / "earful.toml", postgres_url, sources)
    sessions = open_db(postgres_url)
    first = Daemon(config)
    daemons = [first]
    try:
        wait_for(lambda: ACTIVE in first.log(), "the first process to schedule", first)
        wait_for(lambda: WORKING in first.log(), "its worker", first)
        wait_for(lambda: finished(sessions, "acme-news") >= 2, "crawls", first)
        second = Daemon(config)
        daemons.append(second)
        wait_for(lambda: STANDBY in second.log(), "a standby", second)
        wait_for(lambda: WORKING in second.log(), "the standby's worker", second)
        first.kill()  # SIGKILL: the lock goes with its session
        killed = time.monotonic()
        wait_for(lambda: ACTIVE in second.log(), "the standby to take over", second)
        took = time.monotonic() - killed
        count = finished(sessions, "acme-news")
        wait_for(lambda: finished(sessions, "acme-news") >= count + 2, "crawls", second)
        [code] = stop_all([second])
    finally:
        for d in daemons:
            d.kill()
    assert took < TAKEOVER_S, second.log()
    assert code == 0, second.log()
    assert "earful stopped" in second.log()
    assert ids(sessions, "acme-news") == ["acme-1", "acme-2", "acme-4"]
    runs = [r for r in crawl_runs(sessions, "acme-news") if r.finished_at is not None]
    for earlier, later in itertools.pairwise(runs):  # never two crawls at once
        assert later.started_at >= earlier.finished_at


@pytest.mark.postgres
def test_a_worker_killed_mid_crawl_loses_nothing(
    site: SampleSite, postgres_url, open_db, tmp_path
):
    sources = [("slow-news", f"{site.url}/slow/acme/news.xml", "interval = 3600")]
    config = write_config(tmp_path / "earful.toml", postgres_url, sources)
    sessions = open_db(postgres_url)
    doomed = worker(config)
    daemons = [scheduler(config), doomed]
    try:
        wait_for(
            lambda: any(
                r.status == "running" for r in crawl_runs(sessions, "slow-news")
            ),
            "the slow crawl to start",
            doomed,
        )
        doomed.kill()
        daemons.append(worker(config))
        wait_for(
            lambda: any(r.status == "ok" for r in crawl_runs(sessions, "slow-news")),
            "the crawl to be retried by the other worker",
            daemons[2],
        )
        codes = stop_all([daemons[0], daemons[2]])
    finally:
        for d in daemons:
            d.kill()
    assert codes == [0, 0], [d.log() for d in daemons]
    assert ids(sessions, "slow-news") == ["acme-1", "acme-2", "acme-4"]
    runs = crawl_runs(sessions, "slow-news")
    assert [r.status for r in runs] == ["failed", "ok"]
    assert runs[0].error == ABANDONED
    assert runs[1].started_at >= runs[0].finished_at  # never together
    assert "was running on a worker that stopped beating: retrying" in "".join(
        d.log() for d in daemons
    )
    # The retried job succeeded and was deleted; nothing is left running.
    assert (
        queue_rows(
            sessions,
            "SELECT status FROM procrastinate_jobs WHERE task_name = 'earful:crawl'",
        )
        == []
    )


def seed_alerts(sessions, count: int) -> None:
    for i in range(count):
        mention = store_mention(
            sessions, text=f"Acme kettle {i} leaks — 取っ手が壊れた", title=None
        )
        with sessions.begin() as s:
            insert_alert(
                s,
                {
                    "key": f"mention:{mention}",
                    "mention_id": mention,
                    "rule": "acme-negative",
                    "channel": "#brand-alerts",
                },
            )


@pytest.mark.postgres
def test_a_worker_killed_mid_delivery_sends_each_alert_once(
    slack: SlackServer, postgres_url, open_db, tmp_path
):
    model = tiny_model(tmp_path / "model")
    config = write_config(tmp_path / "earful.toml", postgres_url, [], slack=slack)
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'deliver_every = "1h"', 'deliver_every = "2s"'
        )
        + f'\n[sentiment]\nmodel = "{model}"\n',
        encoding="utf-8",
    )
    sessions = open_db(postgres_url)
    seed_alerts(sessions, 8)  # Slack's pacing sends them a second apart
    env = {"SLACK_BOT_TOKEN": "xoxb-ok"}
    doomed = worker(config, env)
    daemons = [scheduler(config), doomed]
    try:
        wait_for(
            lambda: len(slack.calls("chat.postMessage")) >= 3, "some posts", doomed
        )
        doomed.kill()
        daemons.append(worker(config, env))

        def all_sent() -> bool:
            with sessions() as s:
                states = s.scalars(select(Alert.state)).all()
            return set(states) == {AlertState.SENT}

        wait_for(all_sent, "every alert sent", daemons[2])
        codes = stop_all([daemons[0], daemons[2]])
    finally:
        for d in daemons:
            d.kill()
    assert codes == [0, 0], [d.log() for d in daemons]
    keys = [
        p.payload["metadata"]["event_payload"]["key"]
        for p in slack.calls("chat.postMessage")
    ]
    assert len(keys) == 8
    assert len(set(keys)) == 8, keys


@pytest.mark.postgres
def test_four_workers_and_two_schedulers_start_together_on_an_empty_database(
    site: SampleSite, postgres_url, open_db, tmp_path
):
    sources = [("acme-news", f"{site.url}/acme/news.xml", "interval = 2")]
    config = write_config(tmp_path / "earful.toml", postgres_url, sources)
    daemons = [scheduler(config), scheduler(config)] + [
        worker(config) for _ in range(4)
    ]
    try:
        for d in daemons[2:]:
            wait_for(lambda d=d: WORKING in d.log(), "a worker start", d)
        wait_for(
            lambda: (
                sum(ACTIVE in d.log() for d in daemons[:2]) == 1
                and sum(STANDBY in d.log() for d in daemons[:2]) == 1
            ),
            "one active scheduler and one standby",
        )
        sessions = open_db(postgres_url)
        wait_for(lambda: finished(sessions, "acme-news") >= 3, "crawls", daemons[2])
        shown = status(config)
        codes = stop_all(daemons)
    finally:
        for d in daemons:
            d.kill()
    assert codes == [0] * 6, [d.log() for d in daemons]
    assert ids(sessions, "acme-news") == ["acme-1", "acme-2", "acme-4"]
    cluster = json.loads(shown.stdout)["cluster"]
    assert cluster["active_scheduler"].startswith("scheduler@")
    assert len(cluster["standby_schedulers"]) == 1
    assert len(cluster["workers"]) == 4
    assert not any(w["stale"] for w in cluster["workers"])
    assert {q["task"] for q in cluster["queue"]} <= {
        "crawl",
        "score",
        "deliver",
        "recover",
    }


def status(config: Path) -> subprocess.CompletedProcess[str]:
    """``earful status --format json``, as a monitoring check runs it."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "earful",
            "status",
            "--config",
            str(config),
            "--format",
            "json",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("role", ["scheduler", "worker"])
def test_the_roles_refuse_sqlite_and_say_why(role: str, sqlite_url, tmp_path):
    config = write_config(tmp_path / "earful.toml", sqlite_url, [])
    result = CliRunner().invoke(cli, ["run", "--role", role, "--config", str(config)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: --role {role} needs PostgreSQL (database_url = "
        "'postgresql+psycopg://…'); with SQLite run the default role, all\n"
    )


def test_once_takes_no_role(tmp_path):
    result = CliRunner().invoke(cli, ["run", "--once", "--role", "worker"])
    assert result.exit_code == 2
    assert "--once runs everything in one process: drop --role" in result.output


def test_the_scheduler_queues_every_job_and_recovers_stalled_ones(site: SampleSite):
    config = Config.model_validate(
        {
            "brands": [{"name": "Acme", "terms": ["acme"]}],
            "sources": [
                {
                    "name": "acme-news",
                    "type": "feed",
                    "url": f"{site.url}/acme/news.xml",
                }
            ],
            "digest": {"times": ["09:00"]},
        }
    )
    specs = scheduler_specs(config)
    assert [s.id for s in specs] == [
        "source:acme-news",
        "score",
        "alert",
        "digest:09:00",
        "recover",
    ]
    assert {s.func for s in specs} == {defer_job}
    assert all(s.args == (s.id,) for s in specs)
