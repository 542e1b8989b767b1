"""Socket Mode (slack-bolt): the "Mark handled" button marks an alerted mention handled.

Slack sends each click over a WebSocket that the app opens itself, so no public
URL is needed: ``apps.connections.open``, called with the app-level token
(``xapp-…``, scope ``connections:write``), answers the socket's URL. slack-bolt
routes the ``block_actions`` payload; the listener acknowledges it at once
(Slack wants the ack within 3 s) and then calls ``alerts.handle.handle``, which
records who clicked and rewrites every Slack message about the mention with
``chat.update``: "Handled by NAME", and no button.

Everything runs in background threads. A rejected token is logged once and the
listener gives up, while the rest of the process goes on; Slack unreachable at
start is retried with backoff; once connected, slack-sdk's built-in client
reconnects by itself when the connection drops or Slack asks it to refresh.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPException
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from alerts.classify import (
    AUTH_ERRORS,
    CONFIG_ERRORS,
    api_error,
    error_code,
    network_error,
)
from alerts.deliver import SlackDeliverer
from alerts.draft import APPROVE_REPLY_ACTION, DRAFT_CALLBACK, DraftModal
from alerts.errors import (
    AlertError,
    SlackConfigError,
    SocketModeError,
    TransientDeliveryError,
)
from alerts.handle import CaseChange, HandleReport, apply, mention_of_alert
from alerts.render import (
    ASSIGN_ACTION,
    CASE_BLOCK,
    DRAFT_ACTION,
    HANDLE_ACTION,
    OPEN_ACTION,
    REOPEN_ACTION,
    REPLIED_ACTION,
    SLACK_USER,
    TAKE_ACTION,
    clean_text,
)
from alerts.reply import ReplyTemplate
from storage.cases import Actor, CaseError
from storage.ids import parse_id
from storage.models import CaseState
from storage.replies import approve as approve_reply

log = logging.getLogger(__name__)
# slack-sdk's Socket Mode client logs each (re)connection here, at INFO.
_sdk_log = logging.getLogger("alerts.listen.socket_mode")

DEFAULT_APP_TOKEN_ENV = "SLACK_APP_TOKEN"  # noqa: S105 - a variable's name


def socket_mode_hint(app_token_env: str) -> str:
    """How to fix the app-level token, naming the variable the config names."""
    return (
        f"set {app_token_env} to an app-level token (xapp-…) with the "
        "connections:write scope, and turn Socket Mode on in the Slack app's settings"
    )


RETRY_FIRST_S = 1.0
RETRY_CAP_S = 300.0
CLOSE_WITHIN_S = 5.0  # slack-sdk reads with a 3 s timeout, then stops its threads
PING_INTERVAL_S = 5.0  # slack-sdk calls a connection stale after 4 pings
MAX_NAME = 60
STATE_ACTIONS = {
    HANDLE_ACTION: CaseState.RESOLVED,
    REPLIED_ACTION: CaseState.REPLIED,
    REOPEN_ACTION: CaseState.IN_PROGRESS,
}


def _one_line(value: object) -> str:
    return " ".join(clean_text(str(value or "")).split())[:MAX_NAME]


def clicker(user: Mapping[str, Any] | None) -> str:
    """Who clicked, from a payload's ``user``: ``dana (U061F7AUR)``; untrusted text."""
    user = user or {}
    name = _one_line(user.get("name") or user.get("username"))
    uid = _one_line(user.get("id"))
    if name and uid:
        return f"{name} ({uid})"
    return name or uid or "someone in Slack"


def _app_token_error(response: SlackResponse, app_token_env: str) -> AlertError:
    code = error_code(response.data, response.status_code)
    if code in AUTH_ERRORS or code in CONFIG_ERRORS:
        hint = socket_mode_hint(app_token_env)
        return SocketModeError(f"Slack rejected the app-level token ({code}): {hint}")
    return TransientDeliveryError(
        f"Slack cannot open a Socket Mode connection for now ({code})", code=code
    )


def _bot_token_error(response: SlackResponse) -> AlertError:
    error = api_error(response, "")
    if isinstance(error, TransientDeliveryError):
        return error
    if isinstance(error, SlackConfigError):
        return SocketModeError(str(error))
    return SocketModeError(f"Slack refused auth.test with the bot token ({error.code})")


class HandleListener:
    """Answers the "Mark handled" button over Socket Mode, in background threads.

    ``start`` returns at once; ``close`` stops within ``CLOSE_WITHIN_S``. When a
    token is rejected, ``error`` says why and ``gave_up`` is set.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        bot_token: str,
        app_token: str,
        base_url: str | None = None,
        ping_interval: float = PING_INTERVAL_S,
        retry_cap: float = RETRY_CAP_S,
        templates: Sequence[ReplyTemplate] = (),
        app_token_env: str = DEFAULT_APP_TOKEN_ENV,
        postable: Collection[str] = (),
    ) -> None:
        self._app_token_env = app_token_env
        if not app_token.startswith("xapp-"):
            hint = socket_mode_hint(app_token_env)
            msg = f"the Socket Mode token is not an app-level token: {hint}"
            raise SocketModeError(msg)
        self._sessions = sessions
        self._app_token = app_token
        self._updater = SlackDeliverer(bot_token, base_url=base_url)
        self._workers = ThreadPoolExecutor(4, thread_name_prefix="earful-listen")
        self._app = App(
            token=bot_token,
            logger=log,
            token_verification_enabled=False,  # auth.test runs on start, classified
            listener_executor=self._workers,
        )
        # Bolt's App takes no base_url; WebClient wants one ending in "/".
        self._app.client.base_url = self._updater.base_url.rstrip("/") + "/"
        self._app.action(OPEN_ACTION)(self._on_open)
        for action_id in STATE_ACTIONS:
            self._app.action(action_id)(self._on_state)
        self._app.action(TAKE_ACTION)(self._on_take)
        self._app.action(ASSIGN_ACTION)(self._on_assign)
        self._drafts = DraftModal(sessions, templates, postable)
        self._app.action(DRAFT_ACTION)(self._on_draft)
        self._app.view(DRAFT_CALLBACK)(self._on_draft_submit)
        self._app.action(APPROVE_REPLY_ACTION)(self._on_approve_reply)
        self._ping_interval = ping_interval
        self._retry_cap = retry_cap
        self._stop = threading.Event()
        self._lock = threading.Lock()  # held while connecting and while closing
        self._handler: SocketModeHandler | None = None
        self.gave_up = threading.Event()
        self.error: str | None = None

    def __repr__(self) -> str:
        return f"HandleListener(base_url={self._updater.base_url!r})"

    def start(self) -> None:
        """Check the bot token and connect, in a background thread."""
        threading.Thread(
            target=self._connect_loop, name="earful-socket-mode", daemon=True
        ).start()

    def close(self, timeout: float = CLOSE_WITHIN_S) -> bool:
        """Disconnect; False if slack-sdk's threads did not stop within ``timeout``."""
        self._stop.set()
        closer = threading.Thread(target=self._close, name="earful-socket-close")
        closer.daemon = True
        closer.start()
        closer.join(timeout)
        if closer.is_alive():
            log.warning("Socket Mode listener still closing after %.0f s", timeout)
            return False
        return True

    def _close(self) -> None:
        with self._lock:
            if self._handler is not None:
                self._handler.client.close()
        self._workers.shutdown(wait=True, cancel_futures=True)

    def _connect_loop(self) -> None:
        delay = RETRY_FIRST_S
        while not self._stop.is_set():
            try:
                self._connect()
            except SocketModeError as exc:
                self._close()
                self.error = str(exc)
                log.error(
                    'Socket Mode listener stopped, the "Mark handled" button will '
                    "not work: %s",
                    exc,
                )
                self.gave_up.set()
                return
            except TransientDeliveryError as exc:
                reason = str(exc).removesuffix("; will retry")
                log.warning("Socket Mode: %s; retrying in %.0f s", reason, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, self._retry_cap)
            else:
                return

    def _connect(self) -> None:
        with self._lock:
            if self._stop.is_set():
                return
            handler = self._handler or self._make_handler()
            self._handler = handler
            try:
                handler.client.connect()
            except SlackApiError as exc:
                raise _app_token_error(exc.response, self._app_token_env) from None
            except (OSError, HTTPException) as exc:
                raise network_error(exc) from None
        if handler.client.is_connected():
            log.info('Socket Mode connected: the "Mark handled" button works')
        else:  # slack-sdk logged why; its monitor tries again every ping interval
            log.warning(
                "Socket Mode: the WebSocket did not open; retrying every %.0f s",
                self._ping_interval,
            )

    def _make_handler(self) -> SocketModeHandler:
        try:
            self._app.client.auth_test()  # a bad bot token is named here, clearly
        except SlackApiError as exc:
            raise _bot_token_error(exc.response) from None
        except (OSError, HTTPException) as exc:
            raise network_error(exc) from None
        return SocketModeHandler(
            self._app,
            self._app_token,
            logger=_sdk_log,
            ping_interval=self._ping_interval,
        )

    def _on_open(self, ack: Ack) -> None:
        """A link button: Slack still sends its click, and wants an ack."""
        ack()

    def _on_state(self, ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        """Replied, Resolved (once "Mark handled") or Reopen: ack, then move the case."""
        ack()
        state = STATE_ACTIONS[str(action.get("action_id"))]
        self._apply(action.get("value"), CaseChange(state=state), body)

    def _on_take(self, ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        """ "Take it": the clicker owns the case, which is now in progress."""
        ack()
        user = body.get("user") or {}
        what = CaseChange(
            state=CaseState.IN_PROGRESS,
            owner=clicker(user),
            owner_slack_id=_one_line(user.get("id")) or None,
        )
        self._apply(action.get("value"), what, body)

    def _on_assign(
        self, ack: Ack, body: dict[str, Any], action: dict[str, Any]
    ) -> None:
        """The user select: the chosen user owns the case (named via users.info)."""
        ack()
        block = str(action.get("block_id") or "")
        user_id = _one_line(action.get("selected_user"))
        if not user_id or not block.startswith(CASE_BLOCK):
            log.warning("Assign chosen without a user or outside an alert; ignored")
            return
        what = CaseChange(owner=self._user_name(user_id), owner_slack_id=user_id)
        self._apply(block.removeprefix(CASE_BLOCK), what, body)

    def _on_draft(self, ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        """ "Draft reply": open the modal at once (its trigger_id lives 3 s)."""
        ack()
        alert_id = parse_id(action.get("value"))
        if alert_id is None:
            log.warning("Draft reply with a bad alert id; ignored")
            return
        try:
            view = self._drafts.view(alert_id)
            self._app.client.views_open(trigger_id=str(body["trigger_id"]), view=view)
        except (
            AlertError,
            SQLAlchemyError,
            SlackApiError,
            OSError,
            HTTPException,
        ) as exc:
            log.warning("Draft reply for alert %s: modal not opened: %s", alert_id, exc)

    def _on_draft_submit(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any]
    ) -> None:
        """The edited draft goes into the alert's thread for approval, never outside."""
        ack()
        user = body.get("user") or {}
        alert_id = parse_id(view.get("private_metadata"))
        if alert_id is None:
            log.warning("a draft came back without its alert id; ignored")
            return
        try:
            channel, ts, message, blocks = self._drafts.approval(alert_id, view, user)
            self._app.client.chat_postMessage(
                channel=channel,
                thread_ts=ts,
                text=message,
                blocks=blocks,
                unfurl_links=False,
                unfurl_media=False,
            )
        except (
            AlertError,
            SQLAlchemyError,
            SlackApiError,
            OSError,
            HTTPException,
        ) as exc:
            log.warning("draft for alert %s not posted: %s", alert_id, exc)
            return
        what = CaseChange(state=CaseState.IN_PROGRESS)  # someone is answering
        self._apply(str(alert_id), what, body)

    def _on_approve_reply(
        self, ack: Ack, body: dict[str, Any], action: dict[str, Any]
    ) -> None:
        """ "Approve and post": record the approver; the daemon posts the reply."""
        ack()
        post_id = parse_id(action.get("value"))
        user = body.get("user") or {}
        by = clicker(user)
        if post_id is None:
            log.warning("Approve and post with a bad reply id; ignored")
            return
        actor = Actor(by, "slack", _one_line(user.get("id")) or None)
        try:
            with self._sessions() as session, session.begin():
                approve_reply(session, post_id, actor)
            message = body.get("message") or {}
            blocks = [b for b in message.get("blocks") or [] if b["type"] != "actions"]
            uid = _one_line(user.get("id"))
            who = f"<@{uid}>" if SLACK_USER.fullmatch(uid) else "someone"
            note = f":white_check_mark: Approved by {who}: posting as the brand."
            blocks.append(
                {"type": "context", "elements": [{"type": "mrkdwn", "text": note}]}
            )
            self._app.client.chat_update(
                channel=str((body.get("channel") or {}).get("id") or ""),
                ts=str(message.get("ts") or ""),
                text=str(message.get("text") or "") + "\n" + note,
                blocks=blocks,
            )
        except (
            CaseError,
            SQLAlchemyError,
            SlackApiError,
            OSError,
            HTTPException,
        ) as exc:
            log.warning("reply %s not approved by %s: %s", post_id, by, exc)
            return
        log.info("reply %s approved by %s", post_id, by)

    def _user_name(self, user_id: str) -> str:
        """``name (U…)`` from users.info; the bare id when Slack will not say."""
        try:
            found = self._app.client.users_info(user=user_id)
        except (SlackApiError, OSError, HTTPException) as exc:
            log.warning("users.info for %s failed (%s); showing the id", user_id, exc)
            return user_id
        return clicker(dict(found.get("user") or {}) | {"id": user_id})

    def _apply(self, value: object, what: CaseChange, body: dict[str, Any]) -> None:
        """Change the case of alert ``value`` (its id as Slack sends it, a string)."""
        by = clicker(body.get("user"))
        alert_id = parse_id(value)
        if alert_id is None:
            bad = str(value or "")[:20]
            log.warning("case action with a bad alert id %r; ignored", bad)
            return
        try:
            with self._sessions() as session:
                case_id = mention_of_alert(session, alert_id)
            report = apply(
                self._sessions,
                case_id,
                what,
                Actor(
                    by, "slack", _one_line((body.get("user") or {}).get("id")) or None
                ),
                updater=self._updater,
                buttons=True,
            )
        except (AlertError, SQLAlchemyError) as exc:
            log.warning("case change for alert %s by %s failed: %s", alert_id, by, exc)
            return
        _log_report(alert_id, report, by)


def _log_report(alert_id: int, report: HandleReport, by: str) -> None:
    updated = f"{report.updated} Slack message{'s' * (report.updated != 1)}"
    owner = f", owner {report.owner}" if report.owner else ""
    log.info(
        "alert %s: case %d is %s%s (by %s); %s updated",
        alert_id,
        report.mention_id,
        report.state.replace("_", " "),
        owner,
        by,
        updated,
    )
    for error in report.errors:
        log.warning("%s", error)
