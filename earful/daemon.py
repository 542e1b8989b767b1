"""Signals for ``earful run``: stop gracefully on SIGINT/SIGTERM, reload the config on SIGHUP.

First SIGINT/SIGTERM: no job starts any more; running crawl children get
SIGTERM (Scrapy stops gracefully, committing what it stored); running jobs get
``STOP_GRACE_S`` seconds to finish and record their runs. A crawl still running
after that is killed (and recorded failed) and the process exits with status 0
within ``EXIT_WITHIN_S``. Whatever was committed stays committed; a scoring
batch cut short is rolled back and scored on the next start. A second signal
exits at once with status 1.

A dead scheduler thread, or a heartbeat failing for longer than
``[daemon] store_retry_for``, stops the daemon the same way and it exits with
status 1 (see ``earful.liveness``), to be restarted by its service manager.

SIGHUP re-reads the config: new sources start, removed ones stop, changed
schedules take effect; running jobs finish on the config they started with.
A config with errors is logged and the old one kept.

With the Slack app-level token set, the Socket Mode listener for the "Mark
handled" button (``alerts.listen``) runs alongside the scheduler in threads of
its own; it keeps the tokens and database it started with across reloads, and
a problem with it is logged without stopping anything else.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Collection
from pathlib import Path
from types import FrameType

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy.orm import Session, sessionmaker

from alerts import HandleListener, SocketModeError
from earful.config import Config
from earful.errors import DaemonDiedError, EarfulError
from earful.liveness import Heartbeat, problem
from earful.logs import write_now
from earful.pipeline import Pipeline
from earful.scheduler import (
    App,
    JobSpec,
    current_app,
    job_specs,
    running,
    set_app,
    sync_jobs,
)
from sentiment import SentimentError
from storage import StorageError

log = logging.getLogger(__name__)

STOP_GRACE_S = 6.0
EXIT_WITHIN_S = 9.0
LISTENER_CLOSE_S = 5.0  # closes while jobs finish, within STOP_GRACE_S
WAKE_EVERY_S = 0.5
CHILD_MARK = b"crawlers.crawl_child"


def crawl_children() -> list[int]:
    """Process ids of this process's running crawl children (Linux ``/proc``)."""
    pids: set[int] = set()
    for task in Path("/proc/self/task").glob("*"):
        try:
            pids.update(int(p) for p in (task / "children").read_text().split())
        except OSError:
            continue
    found = []
    for pid in pids:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if CHILD_MARK in cmdline:
            found.append(pid)
    return found


def _signal_children(signum: int) -> None:
    for pid in crawl_children():
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            continue


def handle_listener(
    config: Config,
    sessions: sessionmaker[Session],
    postable: Collection[str] = (),
) -> HandleListener | None:
    """The "Mark handled" button's listener, not started; None without an app token.

    Raises ``SocketModeError`` when the app token is set but unusable.
    """
    bot, app = config.slack_token, config.slack_app_token
    if app is None:
        return None
    if bot is None:
        msg = (
            f"{config.slack.app_token_env} is set but {config.slack.token_env} is "
            "not: the Socket Mode listener needs the bot token too"
        )
        raise SocketModeError(msg)
    return HandleListener(
        sessions,
        bot_token=bot.get_secret_value(),
        app_token=app.get_secret_value(),
        base_url=config.slack.base_url,
        templates=config.response.reply_templates(),
        app_token_env=config.slack.app_token_env,
        postable=postable,
    )


def _start_listener(pipeline: Pipeline) -> Callable[[], object]:
    """Start the "Mark handled" listener when configured; what stops it."""
    try:
        listener = handle_listener(
            pipeline.config, pipeline.sessions, postable=set(pipeline.posters)
        )
    except SocketModeError as exc:
        log.error(
            'Socket Mode listener not started, "Mark handled" will not work: %s', exc
        )
        listener = None
    if listener is None:
        return lambda: None
    listener.start()
    return lambda: listener.close(LISTENER_CLOSE_S)


def _reload(load: Callable[[], Config], retired: list[Pipeline]) -> Config | None:
    app = current_app()
    try:
        config = load()
        pipeline = Pipeline(config)
    except (EarfulError, StorageError, SentimentError) as exc:
        log.error("config reload failed, keeping the running config: %s", exc)
        return None
    old = app.pipeline
    if config.sentiment == old.config.sentiment:
        pipeline._scorer = old._scorer  # keep the loaded model
    retired.append(old)
    set_app(dataclasses.replace(app, pipeline=pipeline))  # same lock, jobs, owner
    log.info("config reloaded: %d sources", len(pipeline.enabled_sources()))
    return config


def _wait_for_jobs(deadline: float) -> bool:
    app = current_app()
    while time.monotonic() < deadline:
        with app.lock:
            if not app.running:
                return True
        time.sleep(0.1)
    return False


def _shut_down(
    scheduler: BaseScheduler,
    heartbeat: Heartbeat,
    stop_listener: Callable[[], object],
    *,
    forget: bool,
    on_stop: Callable[[], object],
) -> bool:
    """Stop scheduling, ask crawls to stop, wait for jobs; False if some would not."""
    started = time.monotonic()
    current_app().pipeline.stopping.set()  # scoring stops after its model batch
    scheduler.shutdown(wait=False)
    on_stop()
    _signal_children(signal.SIGTERM)
    heartbeat.stop(forget=forget)
    stop_listener()
    clean = _wait_for_jobs(started + STOP_GRACE_S)
    if not clean:
        log.warning("jobs still running after %.0f s: stopping them", STOP_GRACE_S)
        _signal_children(signal.SIGKILL)
        clean = _wait_for_jobs(started + EXIT_WITHIN_S)
    return clean


def _handle_signals(
    stop: threading.Event, wake: threading.Event, hup: threading.Event
) -> list[int]:
    """Install the SIGINT/SIGTERM/SIGHUP handlers; the list of stop signals received."""
    received: list[int] = []

    def on_stop(signum: int, _frame: FrameType | None) -> None:
        # No logging here: the handler may interrupt this thread inside a log
        # call, holding the locks logging needs. Committed work is safe anyway.
        if stop.is_set():
            write_now(logging.WARNING, "second signal: exiting now")
            os._exit(1)
        received.append(signum)
        stop.set()
        wake.set()

    def on_hup(_signum: int, _frame: FrameType | None) -> None:
        hup.set()
        wake.set()

    signal.signal(signal.SIGINT, on_stop)
    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGHUP, on_hup)
    return received


def run_forever(
    pipeline: Pipeline,
    load: Callable[[], Config] | None = None,
    *,
    specs: Callable[[Config], list[JobSpec]] = job_specs,
    check: Callable[[], str | None] = lambda: None,
    app: App | None = None,
    on_stop: Callable[[], object] = lambda: None,
) -> None:
    """Run the scheduler until SIGINT or SIGTERM; SIGHUP calls ``load`` to reload.

    ``specs`` gives the jobs (``earful.roles`` passes ones that queue tasks for
    workers), ``check`` another reason to stop, asked with the watchdog's, and
    ``app`` the context the jobs run in (a new one by default), and ``on_stop``
    what else to stop with the scheduler (``earful.roles``' worker).
    """
    stop = threading.Event()
    wake = threading.Event()
    hup = threading.Event()
    received = _handle_signals(stop, wake, hup)
    retired: list[Pipeline] = []
    died: str | None = None
    with running(pipeline, specs, app) as scheduler:
        log.info("earful running with %d jobs", len(scheduler.get_jobs()))
        heartbeat = Heartbeat(pipeline.sessions, current_app().owner, scheduler)
        heartbeat.start()
        stop_listener = _start_listener(pipeline)
        while not stop.is_set():
            # A timeout, because a signal delivered to another thread would not
            # wake an untimed wait, and Python runs handlers in this thread only.
            if not wake.wait(timeout=WAKE_EVERY_S):
                retry_for = current_app().pipeline.config.daemon.store_retry_for
                if (died := problem(heartbeat, retry_for) or check()) is not None:
                    log.critical("%s: stopping; exit status 1", died)
                    break
                continue
            wake.clear()
            if hup.is_set() and not stop.is_set() and load is not None:
                hup.clear()
                config = _reload(load, retired)
                if config is not None:
                    sync_jobs(scheduler, specs(config))
        if died is None:
            name = signal.Signals(received[0]).name if received else "signal"
            log.info("%s received: finishing running jobs", name)
        clean = _shut_down(
            scheduler, heartbeat, stop_listener, forget=died is None, on_stop=on_stop
        )
    if current_app().pipeline is not pipeline:  # the caller closes its own
        retired.append(current_app().pipeline)
    for old in retired[1:] if retired else ():
        old.close()
    log.info("earful stopped")
    if not clean:  # a job thread would keep the interpreter alive past the deadline
        logging.shutdown()
        sys.stdout.flush()
        os._exit(0 if died is None else 1)
    if died is not None:
        msg = f"earful run stopped because {died}; restart it (see earful status)"
        raise DaemonDiedError(msg)
