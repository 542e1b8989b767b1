"""A local YouTube Data API v3, as strict as Google's, one scenario per API key.

``YouTubeServer.scenario(...)`` returns an API key; every request carrying it
(``?key=``) is answered from that scenario. Threads, videos and search results
come from ``tests/fixtures/youtube/*.json`` (written by us in the documented
shapes), and tests add and edit comments as time goes on.

What it checks and answers, after the API reference:

- ``key`` absent or unknown → 400 ``API key not valid`` (``badRequest``,
  details ``API_KEY_INVALID``), as Google answers today.
- ``GET /youtube/v3/commentThreads``: ``part`` required (``id``, ``snippet``,
  ``replies``); exactly one of ``allThreadsRelatedToChannelId``, ``channelId``,
  ``id``, ``videoId``; ``maxResults`` 1-100; ``order`` time|relevance;
  ``textFormat`` html|plainText; ``pageToken`` one it gave out. Newest first.
  A video with comments off → 403 ``commentsDisabled``; an unknown video →
  404 ``videoNotFound``.
- ``GET /youtube/v3/videos`` (``id``, at most 50) and ``GET
  /youtube/v3/search`` (``maxResults`` 0-50, ``type=video``, ``publishedAfter``
  honoured; titles HTML-escaped as YouTube does).
- Units are counted per key as Google does (search 100, the others 1), and
  past the scenario's ``quota`` → 403 ``quotaExceeded``.
- Faults: ``500``/``503`` (``backendError``) and ``drop`` (no answer).
"""

from __future__ import annotations

import copy
import itertools
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from tests.servers.http import LocalServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "youtube"
COSTS = {"commentThreads": 1, "videos": 1, "search": 100}
FILTERS = ("allThreadsRelatedToChannelId", "channelId", "id", "videoId")


def _error(status: int, reason: str, message: str, domain: str) -> dict[str, Any]:
    return {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
        }
    }


KEY_INVALID = {
    "error": {
        "code": 400,
        "message": "API key not valid. Please pass a valid API key.",
        "errors": [
            {
                "message": "API key not valid. Please pass a valid API key.",
                "domain": "global",
                "reason": "badRequest",
            }
        ],
        "status": "INVALID_ARGUMENT",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "youtube.googleapis.com"},
            }
        ],
    }
}
QUOTA = _error(
    403,
    "quotaExceeded",
    "The request cannot be completed because you have exceeded your "
    '<a href="/youtube/v3/getting-started#quota">quota</a>.',
    "youtube.quota",
)


class BadRequestError(Exception):
    """A request Google would refuse: status and body."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


@dataclass
class Scenario:
    """One API key's channel, videos, threads, search results and faults."""

    channel_id: str
    videos: dict[str, dict[str, Any]]
    threads: list[dict[str, Any]]
    search: list[dict[str, Any]]
    disabled: set[str]
    quota: int = 10_000
    used: int = 0
    faults: list[str] = field(default_factory=list)  # per request: "503", "drop", "-"
    requests: list[dict[str, str]] = field(default_factory=list)
    _ids: ClassVar[itertools.count[int]] = itertools.count(1)

    def comment(self, video_id: str, text: str, published: str) -> str:
        """A new top-level comment on ``video_id``; returns its id."""
        template = copy.deepcopy(self.threads[0])
        cid = f"UgzNew{next(self._ids):07d}"
        template["id"] = template["snippet"]["topLevelComment"]["id"] = cid
        template["snippet"]["videoId"] = video_id
        snippet = template["snippet"]["topLevelComment"]["snippet"]
        snippet |= {
            "videoId": video_id,
            "textDisplay": text,
            "textOriginal": text,
            "publishedAt": published,
            "updatedAt": published,
            "likeCount": 0,
        }
        self.threads.append(template)
        return cid

    def edit(self, comment_id: str, text: str, updated: str) -> None:
        """The author edited the comment: new text and ``updatedAt``."""
        for thread in self.threads:
            if thread["id"] == comment_id:
                snippet = thread["snippet"]["topLevelComment"]["snippet"]
                snippet |= {"textDisplay": text, "textOriginal": text}
                snippet["updatedAt"] = updated


class _Handler(BaseHTTPRequestHandler):
    owner: ClassVar[YouTubeServer]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        scenario = self.owner.scenarios.get(params.pop("key", ""))
        if scenario is None:
            self._json(400, KEY_INVALID)
            return
        resource = url.path.removeprefix("/youtube/v3/")
        with self.owner.lock:
            scenario.requests.append({"resource": resource, **params})
            fault = scenario.faults.pop(0) if scenario.faults else None
            fault = None if fault == "-" else fault  # "-": this request goes through
            cost = COSTS.get(resource, 1)
            over = scenario.used + cost > scenario.quota
            scenario.used += 0 if over else cost
        if fault == "drop":
            self.close_connection = True
            self.connection.close()
            return
        if fault is not None:
            status = int(fault)
            self._json(
                status, _error(status, "backendError", "Backend Error", "global")
            )
            return
        if over:
            self._json(403, QUOTA)
            return
        try:
            params.pop("alt", None)
            answer = getattr(self, f"_{resource}", None)
            if answer is None:
                raise BadRequestError(
                    404, _error(404, "notFound", "Not Found", "global")
                )
            self._json(200, answer(scenario, params))
        except BadRequestError as exc:
            self._json(exc.status, exc.body)

    def _commentThreads(  # noqa: N802 - the resource's name
        self, scenario: Scenario, params: dict[str, str]
    ) -> dict[str, Any]:
        _require_part(params, {"id", "snippet", "replies"})
        given = [f for f in FILTERS if f in params]
        if len(given) != 1:
            raise BadRequestError(
                400,
                _error(
                    400,
                    "incompatibleParameters",
                    "The request specifies an invalid filter parameter.",
                    "youtube.parameter",
                ),
            )
        _choice(params, "order", {"time", "relevance"})
        _choice(params, "textFormat", {"html", "plainText"})
        size = _size(params, 1, 100, 20)
        if "videoId" in params:
            video = params["videoId"]
            if video in scenario.disabled:
                raise BadRequestError(
                    403,
                    _error(
                        403,
                        "commentsDisabled",
                        'The video identified by the <code><a href="/youtube/v3/'
                        'docs/commentThreads/list#videoId">videoId</a></code> '
                        "parameter has disabled comments.",
                        "youtube.commentThread",
                    ),
                )
            if video not in scenario.videos:
                raise BadRequestError(
                    404,
                    _error(
                        404,
                        "videoNotFound",
                        'The video identified by the <code><a href="/youtube/v3/'
                        'docs/commentThreads/list#videoId">videoId</a></code> '
                        "parameter could not be found.",
                        "youtube.commentThread",
                    ),
                )
            found = [t for t in scenario.threads if t["snippet"]["videoId"] == video]
        else:
            channel = params.get("allThreadsRelatedToChannelId") or params.get(
                "channelId"
            )
            found = [
                t for t in scenario.threads if t["snippet"]["channelId"] == channel
            ]
        found.sort(
            key=lambda t: t["snippet"]["topLevelComment"]["snippet"]["publishedAt"],
            reverse=True,
        )
        return _page("youtube#commentThreadListResponse", found, params, size)

    def _videos(self, scenario: Scenario, params: dict[str, str]) -> dict[str, Any]:
        _require_part(params, {"id", "snippet", "statistics", "contentDetails"})
        ids = [i for i in params.get("id", "").split(",") if i]
        if not ids or len(ids) > 50:
            raise BadRequestError(
                400,
                _error(
                    400, "invalidVideoId", "Invalid video id list.", "youtube.video"
                ),
            )
        items = [
            {
                "kind": "youtube#video",
                "etag": f"etag-v-{i}",
                "id": i,
                "snippet": {
                    "publishedAt": "2026-11-29T00:00:00Z",
                    "channelId": scenario.videos[i]["channelId"],
                    "title": scenario.videos[i]["title"],
                    "description": "",
                },
            }
            for i in ids
            if i in scenario.videos
        ]
        return {
            "kind": "youtube#videoListResponse",
            "items": items,
            "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
        }

    def _search(self, scenario: Scenario, params: dict[str, str]) -> dict[str, Any]:
        _require_part(params, {"snippet", "id"})
        size = _size(params, 0, 50, 5)
        _choice(params, "type", {"video", "channel", "playlist"})
        after = params.get("publishedAfter")
        found = [
            r
            for r in scenario.search
            if after is None
            or datetime.fromisoformat(r["snippet"]["publishedAt"])
            > datetime.fromisoformat(after)
        ]
        return _page("youtube#searchListResponse", found, params, size)

    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _require_part(params: dict[str, str], allowed: set[str]) -> None:
    parts = set(params.get("part", "").split(",")) - {""}
    if not parts or not parts <= allowed:
        raise BadRequestError(
            400,
            _error(
                400,
                "invalidPart" if parts else "required",
                f"Required parameter: part (one of {sorted(allowed)})",
                "youtube.parameter",
            ),
        )


def _choice(params: dict[str, str], name: str, allowed: set[str]) -> None:
    if name in params and params[name] not in allowed:
        raise BadRequestError(
            400,
            _error(400, "invalidParameter", f"Invalid value for {name}", "global"),
        )


def _size(params: dict[str, str], low: int, high: int, default: int) -> int:
    raw = params.get("maxResults", str(default))
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise BadRequestError(
            400,
            _error(
                400,
                "invalidParameter",
                f"Invalid value '{raw}'. Values must be within the range: "
                f"[{low}, {high}]",
                "youtube.parameter",
            ),
        )
    return int(raw)


def _page(
    kind: str, found: list[dict[str, Any]], params: dict[str, str], size: int
) -> dict[str, Any]:
    token = params.get("pageToken")
    start = 0
    if token:
        if not token.startswith("CAE") or not token[3:].isdigit():
            raise BadRequestError(
                400,
                _error(
                    400,
                    "invalidPageToken",
                    "The request specifies an invalid page token.",
                    "youtube.parameter",
                ),
            )
        start = int(token[3:])
    body: dict[str, Any] = {
        "kind": kind,
        "pageInfo": {"totalResults": len(found), "resultsPerPage": size},
        "items": copy.deepcopy(found[start : start + size]),
    }
    if start + size < len(found):
        body["nextPageToken"] = f"CAE{start + size}"
    return body


class YouTubeServer(LocalServer):
    """The replay server; ``scenario()`` loads a fixture and returns an API key."""

    def __init__(self) -> None:
        super().__init__(type("Handler", (_Handler,), {"owner": self}))
        self.scenarios: dict[str, Scenario] = {}
        self.lock = threading.Lock()
        self._keys = itertools.count(1)

    @property
    def endpoint(self) -> str:
        """What ``client_options.api_endpoint`` takes."""
        return f"{self.url}/"

    def scenario(
        self,
        fixture: str = "acme_channel",
        *,
        quota: int = 10_000,
        faults: tuple[str, ...] = (),
    ) -> tuple[str, Scenario]:
        """A key (``AIza…`` like Google's) and its scenario."""
        data = json.loads((FIXTURES / f"{fixture}.json").read_text("utf-8"))
        key = f"AIzaSyEarfulTest{next(self._keys):04d}"
        scenario = Scenario(
            channel_id=data["channel_id"],
            videos=data["videos"],
            threads=data["threads"],
            search=data["search"],
            disabled=set(data["disabled"]),
            quota=quota,
            faults=list(faults),
        )
        self.scenarios[key] = scenario
        return key, scenario
