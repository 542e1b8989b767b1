"""A local Slack Web API and incoming-webhook server that answers like the real one.

Response bodies come from ``tests/servers/fixtures/slack_shapes.json``, written by
the team in the shapes of Slack's documentation (``Shapes.from_recordings`` reads
the real recordings in ``../shared/fixtures/slack`` instead, as a second layer).
Messages keep their ``metadata`` and ``thread_ts``; the history lists only thread
parents, as Slack's does. Like Slack, ``chat.postMessage`` takes a channel name or
ID, while ``chat.update``, ``conversations.history`` and ``conversations.replies``
take IDs only (a ``#name`` gets ``channel_not_found``); ``conversations.list``
pages the team's channels (``KNOWN_CHANNELS`` plus 250 more) with cursors. Like
python-slack-sdk's own test server, the token suffix picks the scenario
(``xoxb-<scenario>``):

==========================  ===============================================
``xoxb-ok`` (or anything)   ok, with a fresh ``ts``
``xoxb-invalid_auth``       200 ``{"ok": false, "error": "invalid_auth"}`` (any
                            code in ``ERROR_TOKENS`` works the same way)
``xoxb-ratelimited``        429 + ``Retry-After: 1`` + ``{"ok":false,"error":"ratelimited"}``
``xoxb-ratelimited_N``      429 on the first N calls, then ok
``xoxb-500`` / ``-503``     that HTTP status with ``{"ok": false}``
``xoxb-down_N``             503 with an HTML page on the first N calls, then ok
``xoxb-disconnect``         closes the connection without answering
``xoxb-store500_N``         the first N posts are stored, then answered 500
``xoxb-storedrop_N``        the first N posts are stored, then the connection drops
no token / not ``xoxb-``    ``not_authed`` / ``invalid_auth``
==========================  ===============================================

``fault`` set to one of ``FAULTS`` makes every API call fail until cleared (an
outage): ``down`` (503 page), ``500``, ``drop``, and ``store500`` / ``storedrop``
(posts are kept before the failure, as when Slack fails after storing).

``apps.connections.open`` wants the app-level token instead: ``xapp-<anything>``
answers ``{"ok": true, "url": "ws://127.0.0.1:…/link/?ticket=…"}``, a URL of the
local Socket Mode server (``socket_mode``, see ``tests/servers/socket_mode.py``);
``xapp-<code>`` for a code in ``ERROR_TOKENS`` fails with it, and a bot token
gets ``not_allowed_token_type``, as from Slack. ``click()`` sends that socket a
``block_actions`` payload for a button (or a ``users_select`` choice) in a posted
message, shaped like Slack's, with a ``trigger_id`` that ``views.open`` accepts
once, within three seconds (else ``invalid_trigger_id`` / ``expired_trigger_id``);
``views.open`` checks the modal as Slack does, and ``submit()`` sends the
``view_submission`` of an open modal. ``users.info`` knows the team in ``USERS``
and answers ``user_not_found`` for anyone else.

Channel ``#nope`` does not exist (channel_not_found); ``#not-in`` (not_in_channel)
and ``#archived`` (is_archived) fail; oversized or empty messages get Slack's
``invalid_blocks``, ``msg_too_long`` or ``no_text``. ``POST /hook/<name>``
answers like an incoming webhook: ``ok`` by default, ``ratelimited_N``,
``down_N``, or any name in ``HOOK_ERRORS``. Every request is recorded (headers
without Authorization, parsed payload) so tests can assert the exact payload;
``wait_answered`` waits until the server has finished answering some.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

import yaml

from tests.servers.http import LocalServer
from tests.servers.socket_mode import (
    APP_ID,
    TEAM_ID,
    SocketModeServer,
    block_actions,
)

ERROR_TOKENS = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "missing_scope"}
)
HOOK_ERRORS = {  # Slack changelog 2016-05-17, "Improving error conditions"
    "invalid_payload": 400,
    "user_not_found": 400,
    "action_prohibited": 403,
    "channel_not_found": 404,
    "no_service": 404,
    "channel_is_archived": 410,
    "rollup_error": 500,
}
FAULTS = frozenset({"down", "500", "drop", "store500", "storedrop"})
HTML_503 = "<html><body><h1>503 Service Unavailable</h1></body></html>"


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it (the Authorization header is left out)."""

    method: str
    path: str
    headers: dict[str, str]
    payload: dict[str, Any]


# The team's members as users.info answers (docs.slack.dev, "users.info").
USERS: dict[str, dict[str, Any]] = {
    "U061F7AUR": {"name": "dana", "real_name": "Dana Scully", "deleted": False},
    "U0G9QF9C6": {"name": "kenji", "real_name": "佐藤 健二", "deleted": False},
    "U0EVIL0001": {"name": "<!channel> mallory", "real_name": "M", "deleted": False},
}
SHAPES_FILE = Path(__file__).with_name("fixtures") / "slack_shapes.json"
FILLER_CHANNELS = 250  # so conversations.list takes several pages, as on a big team
KNOWN_CHANNELS = (
    "general", "random", "brand-alerts", "alerts", "acme", "a", "b", "o", "pr",
    "pr-team", "reviews", "loud", "calm", "legal", "ja", "exec", "big", "archived",
    "not-in",
)  # fmt: skip


@dataclass(frozen=True)
class Shapes:
    """Response bodies: Earful's own fixture in Slack's shapes, or the recordings."""

    auth_test: dict[str, Any]
    not_authed: dict[str, Any]
    post_message: dict[str, Any]
    update: dict[str, Any]
    history: dict[str, Any]
    channel: dict[str, Any]

    @classmethod
    def load(cls, path: Path = SHAPES_FILE) -> Shapes:
        """Read the shapes from the in-repo fixture (``tests/servers/fixtures``)."""
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            auth_test=data["auth.test"],
            not_authed=data["not_authed"],
            post_message=data["chat.postMessage"],
            update=data["chat.update"],
            history=data["conversations.history"],
            channel=data["channel"],
        )

    @classmethod
    def from_recordings(cls, slack_fixtures: Path) -> Shapes:
        """Read the shapes from the real recordings in ``shared/fixtures/slack``."""
        vcr = slack_fixtures / "slack-ruby-client-vcr"

        def cassette_body(name: str) -> dict[str, Any]:
            tape = yaml.safe_load((vcr / name).read_text(encoding="utf-8"))
            return dict(
                json.loads(tape["http_interactions"][0]["response"]["body"]["string"])
            )

        specs = slack_fixtures / "slack-api-specs"
        examples = json.loads((specs / "examples_extracted.json").read_text("utf-8"))
        openapi = json.loads((specs / "slack_web_openapi_v2.json").read_text("utf-8"))
        history = openapi["paths"]["/conversations.history"]["get"]["responses"]["200"]
        return cls(
            auth_test=cassette_body("auth_test_success.yml"),
            not_authed=cassette_body("auth_test_error.yml"),
            post_message=examples["chat.postMessage"]["responses"]["200"]["example"],
            update=examples["chat.update"]["responses"]["200"]["example"],
            history=history["examples"]["application/json"],
            channel=cls.load().channel,
        )


def is_channel_id(channel: str) -> bool:
    """Whether ``channel`` looks like a conversation ID (``C…``, ``G…``, ``D…``)."""
    return re.fullmatch(r"[CGD][A-Z0-9]{6,}", channel) is not None


def channel_id(channel: str) -> str:
    """A stable Slack-looking conversation ID for a channel name (``#`` optional)."""
    if is_channel_id(channel):
        return channel
    name = channel.removeprefix("#")
    return "C" + hashlib.sha1(name.encode()).hexdigest()[:10].upper()  # noqa: S324


def block_problem(blocks: list[dict[str, Any]]) -> str | None:  # noqa: PLR0911 - one per rule
    """Why Slack would refuse ``blocks`` with invalid_blocks, or None."""
    if len(blocks) > 50:
        return "more than 50 blocks"
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    if len(block_ids) != len(set(block_ids)) or any(len(i) > 255 for i in block_ids):
        return "block_id must be unique in a message and at most 255 characters"
    for block in blocks:
        if block.get("type") == "actions" and (
            problem := actions_problem(block.get("elements", []))
        ):
            return problem
        kind, text = block.get("type"), block.get("text") or {}
        if kind == "header" and (
            text.get("type") != "plain_text" or len(text.get("text", "")) > 150
        ):
            return "header text must be plain_text of at most 150 characters"
        if kind == "section" and len(text.get("text", "")) > 3000:
            return "section text longer than 3000 characters"
        if any(len(f.get("text", "")) > 2000 for f in block.get("fields", [])):
            return "section field longer than 2000 characters"
        for element in block.get("elements", []):
            url = element.get("url")
            if url is not None and (
                len(url) > 3000 or not url.startswith(("http://", "https://"))
            ):
                return "button url must be http(s) and at most 3000 characters"
    return None


TRIGGER_TTL_S = 3.0  # Slack: a trigger_id expires three seconds after it is issued


def view_problem(view: dict[str, Any]) -> str | None:  # noqa: PLR0911, PLR0912 - one per rule
    """Why Slack refuses a modal ``view`` in views.open, or None (docs: "Modals")."""
    if view.get("type") != "modal":
        return "view type must be modal"
    for key, limit in (("title", 24), ("submit", 24), ("close", 24)):
        part = view.get(key)
        if part is None and key != "title":
            continue
        if not isinstance(part, dict) or part.get("type") != "plain_text":
            return f"{key} must be a plain_text object"
        if not 0 < len(part.get("text", "")) <= limit:
            return f"{key} text must be 1 to {limit} characters"
    blocks = view.get("blocks") or []
    if not 0 < len(blocks) <= 100:
        return "a modal holds 1 to 100 blocks"
    inputs = [b for b in blocks if b.get("type") == "input"]
    if inputs and "submit" not in view:
        return "a modal with input blocks needs a submit button"
    if len(str(view.get("private_metadata", ""))) > 3000:
        return "private_metadata at most 3000 characters"
    if len(str(view.get("callback_id", ""))) > 255:
        return "callback_id at most 255 characters"
    for block in inputs:
        element = block.get("element") or {}
        if element.get("type") != "plain_text_input" or "action_id" not in element:
            return "input element must be a plain_text_input with an action_id"
        if len(str(element.get("initial_value", ""))) > 3000:
            return "initial_value at most 3000 characters"
        if "block_id" not in block:
            return "give input blocks a block_id to read their value back"
    return block_problem([b for b in blocks if b.get("type") != "input"])


def actions_problem(elements: list[dict[str, Any]]) -> str | None:
    """Why Slack refuses an actions block's ``elements``, or None."""
    if not 0 < len(elements) <= 25:
        return "an actions block holds 1 to 25 elements"
    ids = [e.get("action_id") for e in elements if e.get("action_id")]
    if len(ids) != len(set(ids)):
        return "action_id must be unique in a block"
    for e in elements:
        if e.get("type") == "button" and (
            len(e.get("text", {}).get("text", "")) > 75
            or len(str(e.get("value", ""))) > 2000
        ):
            return "button text at most 75 characters, value at most 2000"
        if e.get("type") == "users_select" and (
            e.get("placeholder", {}).get("type", "plain_text") != "plain_text"
        ):
            return "a users_select placeholder must be plain_text"
        if e.get("type") not in {"button", "users_select", "static_select"}:
            return f"unsupported element {e.get('type')!r}"
    return None


class SlackServer(LocalServer):
    """The local Slack: ``api_url`` for ``WebClient``, ``hook_url(name)`` for webhooks."""

    def __init__(self, shapes: Shapes | None = None) -> None:
        self.shapes = shapes or Shapes.load()
        self.fault: str | None = None  # see ``FAULTS``: every API call, until cleared
        self.channels: dict[str, dict[str, Any]] = {}
        self.requests: list[RecordedRequest] = []
        self.answered: list[RecordedRequest] = []
        self.history: dict[str, list[dict[str, Any]]] = {}
        self.counts: Counter[str] = Counter()
        self.lock = threading.Condition()
        self._ts = itertools.count(1)
        self.socket_mode = SocketModeServer()
        self.triggers: dict[str, float] = {}  # trigger_id → when Slack issued it
        self.views: dict[str, dict[str, Any]] = {}  # open modals by view id
        super().__init__(type("BoundSlackHandler", (SlackHandler,), {"slack": self}))
        with self.lock:
            for name in KNOWN_CHANNELS:
                self.add_channel(name)
            for n in range(FILLER_CHANNELS):
                self.add_channel(f"team-{n:03d}")

    def __enter__(self) -> Self:
        self.socket_mode.__enter__()
        return super().__enter__()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        super().__exit__(exc_type, exc, tb)
        self.socket_mode.__exit__(exc_type, exc, tb)

    @property
    def api_url(self) -> str:
        """Base URL for ``WebClient(base_url=...)``."""
        return f"{self.url}/api/"

    def hook_url(self, name: str = "ok") -> str:
        """URL of the incoming webhook ``name`` (which also picks its scenario)."""
        return f"{self.url}/hook/{name}"

    def reset(self) -> None:
        """Forget requests, messages, faults and scenario counters (between tests)."""
        with self.lock:
            self.requests.clear()
            self.answered.clear()
            self.history.clear()
            self.counts.clear()
            self.triggers.clear()
            self.views.clear()
            self.fault = None
            self.channels.clear()
            for name in KNOWN_CHANNELS:
                self.add_channel(name)
            for n in range(FILLER_CHANNELS):
                self.add_channel(f"team-{n:03d}")
        self.socket_mode.reset()

    def add_channel(self, name: str, *, member: bool = True) -> str:
        """Create public channel ``name`` (``archived`` and ``not-in`` are special)."""
        name = name.removeprefix("#")
        cid = channel_id(name)
        with self.lock:
            self.channels[cid] = {
                **self.shapes.channel,
                "id": cid,
                "name": name,
                "name_normalized": name,
                "is_archived": name == "archived",
                "is_member": member and name != "not-in",
            }
        return cid

    def conversation(self, channel: str, *, by_name: bool) -> dict[str, Any] | None:
        """The channel an API call names: by ID, or also by name where Slack allows."""
        with self.lock:
            if is_channel_id(channel):
                return self.channels.get(channel)
            if not by_name:
                return None
            return self.channels.get(channel_id(channel))

    def posts(self, channel: str) -> list[dict[str, Any]]:
        """Messages in ``channel`` (name or ID), thread replies included, oldest first."""
        with self.lock:
            return list(self.history.get(channel_id(channel), []))

    def calls(self, path_suffix: str) -> list[RecordedRequest]:
        """Recorded requests whose path ends with ``path_suffix``."""
        with self.lock:
            return [r for r in self.requests if r.path.endswith(path_suffix)]

    def wait_answered(
        self, path_suffix: str, count: int = 1, timeout: float = 20.0
    ) -> list[RecordedRequest]:
        """The requests to ``path_suffix`` once ``count`` of them have been answered."""

        def done() -> list[RecordedRequest]:
            return [r for r in self.answered if r.path.endswith(path_suffix)]

        with self.lock:
            if not self.lock.wait_for(lambda: len(done()) >= count, timeout):
                msg = f"timed out waiting for {count} answered {path_suffix} calls"
                raise TimeoutError(msg)
            return done()

    def click(
        self,
        channel: str,
        ts: str,
        action_id: str,
        user: dict[str, str],
        *,
        selected_user: str | None = None,
    ) -> str:
        """``user`` clicks button ``action_id`` of a posted message; the envelope id.

        For a ``users_select``, ``user`` chooses ``selected_user`` in it.
        """
        cid = channel_id(channel)
        with self.lock:
            [message] = [m for m in self.history.get(cid, []) if m["ts"] == ts]
            message = json.loads(json.dumps(message))
        payload = block_actions(
            message,
            action_id,
            user,
            channel={"id": cid, "name": channel.lstrip("#")},
            response_url=f"{self.url}/actions/{TEAM_ID}/{uuid.uuid4().hex}",
            selected_user=selected_user,
        )
        with self.lock:
            self.triggers[payload["trigger_id"]] = time.monotonic()
        return self.socket_mode.interactive(payload)

    def submit(self, view_id: str, user: dict[str, str], text: str) -> str:
        """``user`` submits open modal ``view_id`` with ``text`` typed in its input.

        Sends the ``view_submission`` payload Slack documents (docs.slack.dev,
        "view_submission payload"): the view with its ``state.values``, keyed by
        block id and action id. Returns the envelope id.
        """
        with self.lock:
            view = json.loads(json.dumps(self.views.pop(view_id)))
        [(block_id, action_id)] = [
            (b["block_id"], b["element"]["action_id"])
            for b in view["blocks"]
            if b["type"] == "input"
        ]
        value = {"type": "plain_text_input", "value": text}
        view["state"] = {"values": {block_id: {action_id: value}}}
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM_ID, "domain": "example"},
            "user": {**user, "team_id": TEAM_ID},
            "api_app_id": APP_ID,
            "token": "verification-token-placeholder",
            "trigger_id": f"{time.time():.6f}.{uuid.uuid4().hex}",
            "view": view,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self.socket_mode.interactive(payload)

    def next_ts(self) -> str:
        """A fresh, increasing message timestamp like Slack's ``1503435956.000247``."""
        return f"{int(time.time())}.{next(self._ts):06d}"


class SlackHandler(BaseHTTPRequestHandler):
    """Routes ``/api/<method>`` and ``/hook/<name>``; scenario from token or name."""

    slack: SlackServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Keep test output quiet."""

    def do_GET(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def _payload(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        if self.headers.get("Content-Type", "").startswith("application/json"):
            data: dict[str, Any] = json.loads(raw or "{}")
        else:
            data = {k: v[0] for k, v in parse_qs(raw).items()}
        data = {**query, **data}
        for key in ("blocks", "attachments"):
            if isinstance(data.get(key), str):
                data[key] = json.loads(data[key])
        return data

    def _route(self) -> None:
        payload = self._payload()
        path = urlsplit(self.path).path
        headers = {
            k: v for k, v in self.headers.items() if k.lower() != "authorization"
        }
        token = payload.pop("token", None)
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            token = auth.removeprefix("Bearer ")
        with self.slack.lock:
            self.slack.requests.append(
                RecordedRequest(self.command, path, headers, payload)
            )
        try:
            if path.startswith("/hook/"):
                self._hook(path.removeprefix("/hook/"), payload)
            elif path.startswith("/api/"):
                self._api(path.removeprefix("/api/"), token, payload)
            else:
                self._send(404, "text/html", "<html>not found</html>")
        finally:
            with self.slack.lock:
                self.slack.answered.append(
                    RecordedRequest(self.command, path, headers, payload)
                )
                self.slack.lock.notify_all()

    def _count(self, key: str) -> int:
        with self.slack.lock:
            self.slack.counts[key] += 1
            return self.slack.counts[key]

    def _scenario_status(self, scenario: str) -> int | None:
        """The HTTP failure this call of ``scenario`` gets, or None to answer normally."""
        name, _, n = scenario.rpartition("_")
        if scenario == "ratelimited":
            return 429
        if scenario.isdigit():
            return int(scenario)
        if (
            name in {"ratelimited", "down"}
            and n.isdigit()
            and self._count(scenario) <= int(n)
        ):
            return 429 if name == "ratelimited" else 503
        return None

    def _api(  # noqa: PLR0911 - one answer per scenario
        self, method: str, token: str | None, payload: dict[str, Any]
    ) -> None:
        if not token:
            return self._json(self.slack.shapes.not_authed)
        if method == "apps.connections.open":
            return self._json(self._connections_open(token))
        if not token.startswith("xoxb-"):
            return self._json({"ok": False, "error": "invalid_auth"})
        scenario = token.removeprefix("xoxb-")
        fault = self.slack.fault or self._store_then_fail(scenario, method)
        if fault is not None:
            return self._fail(fault, method, payload)
        if scenario == "disconnect":
            self.close_connection = True
            return None
        if scenario in ERROR_TOKENS:
            return self._json({"ok": False, "error": scenario})
        status = self._scenario_status(scenario)
        if status == 429:
            return self._json(
                {"ok": False, "error": "ratelimited"}, 429, {"Retry-After": "1"}
            )
        if status == 503 and scenario.startswith("down_"):
            return self._send(503, "text/html", HTML_503)
        if status is not None:
            return self._json({"ok": False}, status)
        handlers = {
            "auth.test": lambda p: dict(self.slack.shapes.auth_test),
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "conversations.history": self._history,
            "conversations.replies": self._replies,
            "conversations.list": self._list,
            "users.info": self._user_info,
            "views.open": self._views_open,
        }
        if method not in handlers:
            return self._json({"ok": False, "error": "unknown_method"}, 404)
        return self._json(handlers[method](payload))

    def _store_then_fail(self, scenario: str, method: str) -> str | None:
        """``store500_N`` / ``storedrop_N``: the first N posts are kept, then fail."""
        name, _, n = scenario.rpartition("_")
        if method != "chat.postMessage" or name not in FAULTS or not n.isdigit():
            return None
        return name if self._count(scenario) <= int(n) else None

    def _fail(self, fault: str, method: str, payload: dict[str, Any]) -> None:
        """Answer as Slack does in an outage; ``store…`` faults keep the post first."""
        if fault.startswith("store") and method == "chat.postMessage":
            self._post_message(payload)
        if fault.endswith("drop"):
            self.close_connection = True  # no answer at all: RemoteDisconnected
            return None
        if fault == "down":
            return self._send(503, "text/html", HTML_503)
        return self._json({"ok": False, "error": "fatal_error"}, 500)

    def _connections_open(self, token: str) -> dict[str, Any]:
        if not token.startswith("xapp-"):
            code = (
                "not_allowed_token_type" if token.startswith("xox") else "invalid_auth"
            )
            return {"ok": False, "error": code}
        if (scenario := token.removeprefix("xapp-")) in ERROR_TOKENS:
            return {"ok": False, "error": scenario}
        return {"ok": True, "url": self.slack.socket_mode.url()}

    def _message_error(  # noqa: PLR0911 - one answer per Slack error
        self, payload: dict[str, Any], *, by_name: bool = True
    ) -> str | None:
        """Why Slack refuses this post or update: chat.update wants an ID."""
        channel = str(payload.get("channel") or "")
        found = self.slack.conversation(channel, by_name=by_name)
        if found is None:
            return "channel_not_found"
        if found["is_archived"]:
            return "is_archived"
        if not found["is_member"]:
            return "not_in_channel"
        if not payload.get("text") and not payload.get("blocks"):
            return "no_text"
        if len(str(payload.get("text") or "")) > 40_000:
            return "msg_too_long"
        if block_problem(list(payload.get("blocks") or [])) is not None:
            return "invalid_blocks"
        return None

    def _post_message(self, payload: dict[str, Any]) -> dict[str, Any]:
        if (error := self._message_error(payload)) is not None:
            return {"ok": False, "error": error}
        shape = self.slack.shapes.post_message
        ts, channel = self.slack.next_ts(), channel_id(str(payload["channel"]))
        message = {k: v for k, v in shape["message"].items() if k != "attachments"}
        message.update(ts=ts, text=payload.get("text", ""))
        for key in ("blocks", "metadata", "thread_ts"):
            if payload.get(key):
                message[key] = payload[key]
        with self.slack.lock:
            self.slack.history.setdefault(channel, []).append(message)
        return {**shape, "channel": channel, "ts": ts, "message": message}

    def _update(self, payload: dict[str, Any]) -> dict[str, Any]:
        if (error := self._message_error(payload, by_name=False)) is not None:
            return {"ok": False, "error": error}
        channel = str(payload["channel"])
        with self.slack.lock:
            found = [
                m
                for m in self.slack.history.get(channel, [])
                if m["ts"] == payload.get("ts")
            ]
            if not found:
                return {"ok": False, "error": "message_not_found"}
            found[0].update(
                text=payload.get("text", ""), blocks=payload.get("blocks", [])
            )
        message = {
            **self.slack.shapes.update["message"],
            "text": payload.get("text", ""),
        }
        return {
            "ok": True,
            "channel": channel,
            "ts": payload["ts"],
            "text": message["text"],
            "message": message,
        }

    def _views_open(self, payload: dict[str, Any]) -> dict[str, Any]:
        """views.open: a fresh, unused trigger_id (3 s) and a valid modal view."""
        trigger = str(payload.get("trigger_id") or "")
        view = payload.get("view")
        if isinstance(view, str):
            view = json.loads(view)
        if not trigger or not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        with self.slack.lock:
            issued = self.slack.triggers.pop(trigger, None)
        if issued is None:
            return {"ok": False, "error": "invalid_trigger_id"}
        if time.monotonic() - issued > TRIGGER_TTL_S:
            return {"ok": False, "error": "expired_trigger_id"}
        if (problem := view_problem(view)) is not None:
            return {
                "ok": False,
                "error": "invalid_arguments",
                "response_metadata": {"messages": [f"[ERROR] {problem}"]},
            }
        view_id = "V" + uuid.uuid4().hex[:10].upper()
        stored = {
            **view,
            "id": view_id,
            "team_id": TEAM_ID,
            "app_id": APP_ID,
            "hash": uuid.uuid4().hex[:20],
            "state": {"values": {}},
        }
        with self.slack.lock:
            self.slack.views[view_id] = stored
        return {"ok": True, "view": stored}

    def _user_info(self, payload: dict[str, Any]) -> dict[str, Any]:
        """users.info: ``user`` is required, and must be a member's id."""
        user_id = str(payload.get("user") or "")
        if not user_id:
            return {"ok": False, "error": "invalid_arguments"}
        found = USERS.get(user_id)
        if found is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": {**found, "id": user_id, "team_id": TEAM_ID}}

    def _readable(self, payload: dict[str, Any]) -> str | None:
        """The conversation ID a read names, or None: reads take IDs only, as Slack's."""
        channel = str(payload.get("channel") or "")
        found = self.slack.conversation(channel, by_name=False)
        return None if found is None else channel

    def _history(self, payload: dict[str, Any]) -> dict[str, Any]:
        if (channel := self._readable(payload)) is None:
            return {"ok": False, "error": "channel_not_found"}
        oldest = float(payload.get("oldest") or 0)
        with self.slack.lock:
            messages = [  # like Slack: the channel's messages, not thread replies
                m
                for m in reversed(self.slack.history.get(channel, []))
                if m.get("thread_ts", m["ts"]) == m["ts"] and float(m["ts"]) > oldest
            ]
        return self._page(self.slack.shapes.history, "messages", messages, payload)

    def _replies(self, payload: dict[str, Any]) -> dict[str, Any]:
        if (channel := self._readable(payload)) is None:
            return {"ok": False, "error": "channel_not_found"}
        ts = payload.get("ts")
        with self.slack.lock:
            messages = [
                m
                for m in self.slack.history.get(channel, [])
                if ts in {m["ts"], m.get("thread_ts")}
            ]
        if not messages:
            return {"ok": False, "error": "thread_not_found"}
        return self._page(self.slack.shapes.history, "messages", messages, payload)

    def _list(self, payload: dict[str, Any]) -> dict[str, Any]:
        """conversations.list: public channels, ``limit`` a page, opaque cursors."""
        types = set(str(payload.get("types") or "public_channel").split(","))
        if not types <= {"public_channel", "private_channel", "mpim", "im"}:
            return {"ok": False, "error": "invalid_types"}
        archived = str(payload.get("exclude_archived", "")).lower() in {"1", "true"}
        with self.slack.lock:
            channels = [
                dict(c)
                for c in self.slack.channels.values()
                if "public_channel" in types and not (archived and c["is_archived"])
            ]
        return self._page({"ok": True}, "channels", channels, payload)

    def _page(
        self,
        shape: dict[str, Any],
        key: str,
        items: list[dict[str, Any]],
        payload: dict[str, Any],
    ) -> dict[str, Any]:
        """One page of ``items`` as Slack pages them: ``limit`` and ``next_cursor``."""
        limit = min(int(payload.get("limit") or 100), 1000)
        cursor = str(payload.get("cursor") or "")
        try:
            start = (
                int(base64.b64decode(cursor).decode().removeprefix("next:"))
                if cursor
                else 0
            )
        except ValueError:
            return {"ok": False, "error": "invalid_cursor"}
        page = items[start : start + limit]
        more = start + limit < len(items)
        token = base64.b64encode(f"next:{start + limit}".encode()).decode()
        return {
            **shape,
            key: page,
            **({"has_more": more} if key == "messages" else {}),
            "response_metadata": {"next_cursor": token if more else ""},
        }

    def _hook(self, name: str, payload: dict[str, Any]) -> None:
        status = self._scenario_status(name)
        if status is not None:
            extra = {"Retry-After": "1"} if status == 429 else {}
            return self._send(
                status,
                "text/html",
                "rate_limited" if status == 429 else HTML_503,
                extra,
            )
        if name in HOOK_ERRORS:
            return self._send(HOOK_ERRORS[name], "text/html", name)
        if not payload.get("text") and not payload.get("blocks"):
            return self._send(400, "text/html", "invalid_payload")
        if block_problem(list(payload.get("blocks") or [])) is not None:
            return self._send(400, "text/html", "invalid_blocks")
        return self._send(200, "text/html", "ok")

    def _json(
        self,
        body: dict[str, Any],
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        extra = {
            "X-Slack-Req-Id": uuid.uuid4().hex,
            **(headers or {}),
        }
        self._send(status, "application/json; charset=utf-8", json.dumps(body), extra)

    def _send(
        self,
        status: int,
        content_type: str,
        body: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)
