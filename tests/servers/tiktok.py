"""A local TikTok API for Business (Accounts API v1.3), as strict as its reference.

``TikTokServer.account()`` serves one business account from
``tests/fixtures/tiktok/acme_jp.json`` (written by us in the reference's
shapes) under its own prefix. After business-api.tiktok.com/portal/docs
(Accounts API: business/get, business/video/list, business/comment/list):

- ``Access-Token`` header: missing → code 40104, unknown or revoked →
  40105, expired → 40102; every answer is ``{"code", "message",
  "request_id", "data"}`` with HTTP 200, as TikTok answers.
- ``business_id`` must be the account's (else 40002); ``fields`` is a JSON
  array and must name known fields.
- Comments: ``include_replies``, ``sort_field=create_time``,
  ``sort_order``, ``cursor`` (an offset), ``max_count`` at most 30,
  ``has_more``. A reply's ``parent_comment_id`` is its comment; a top-level
  comment's is the video.
- Rate limit: past ``allowance`` calls, code 40100.
"""

from __future__ import annotations

import copy
import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from tests.servers.http import LocalServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tiktok"
ACCOUNT_FIELDS = {
    "username",
    "display_name",
    "followers_count",
    "profile_image",
    "audience_countries",
}
VIDEO_FIELDS = {
    "item_id",
    "create_time",
    "caption",
    "share_url",
    "likes",
    "comments",
    "video_views",
    "shares",
    "thumbnail_url",
}


class _Fail(Exception):  # noqa: N818 - an answer, not a bug
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class Account:
    """One business account's videos and comments, its tokens and requests."""

    business_id: str
    profile: dict[str, Any]
    videos: list[dict[str, Any]]
    tokens: dict[str, str]
    allowance: int = 1000
    used: int = 0
    requests: list[dict[str, str]] = field(default_factory=list)
    _ids: ClassVar[itertools.count[int]] = itertools.count(7443000000000200001)

    def comment(self, text: str, username: str = "yuka_22") -> str:
        """A new top-level comment on the first video, newest of all."""
        video = self.videos[0]
        comment_id = str(next(self._ids))
        video["comments_list"].append(
            {
                "comment_id": comment_id,
                "video_id": video["item_id"],
                "create_time": 1764600000 + len(video["comments_list"]),
                "text": text,
                "likes": 0,
                "replies": 0,
                "owner": False,
                "status": "PUBLIC",
                "username": username,
                "parent_comment_id": video["item_id"],
            }
        )
        return comment_id

    def delete(self, comment_id: str) -> None:
        """The commenter deleted it."""
        video = self.videos[0]
        video["comments_list"] = [
            c for c in video["comments_list"] if c["comment_id"] != comment_id
        ]

    def answer(
        self, path: str, params: dict[str, str], token: str | None
    ) -> dict[str, Any]:
        if not token:
            raise _Fail(
                40104, "Access token is null, please check your request header."
            )
        state = self.tokens.get(token)
        if state is None:
            raise _Fail(40105, "Access token is incorrect or has been revoked.")
        if state == "expired":
            raise _Fail(40102, "Access token has expired.")
        if self.used > self.allowance:
            raise _Fail(40100, "Too many requests. Please retry in some time.")
        if params.get("business_id") != self.business_id:
            raise _Fail(
                40002, "business_id: the business account does not match the token."
            )
        if path == "business/get/":
            return {
                k: self.profile[k]
                for k in _fields(params, ACCOUNT_FIELDS)
                if k in self.profile
            }
        if path == "business/video/list/":
            wanted = _fields(params, VIDEO_FIELDS)
            videos = [
                {
                    k: v
                    for k, v in (
                        video | {"comments": len(video["comments_list"])}
                    ).items()
                    if k in wanted
                }
                for video in self.videos[: int(params.get("max_count") or 20)]
            ]
            return {"videos": videos, "cursor": 0, "has_more": False}
        if path == "business/comment/list/":
            return self._comments(params)
        raise _Fail(40006, "No permission to operate this API.")

    def _comments(self, params: dict[str, str]) -> dict[str, Any]:
        video = next(
            (v for v in self.videos if v["item_id"] == params.get("video_id")), None
        )
        if video is None:
            raise _Fail(40002, "video_id: the video does not belong to the account.")
        found = video["comments_list"]
        if params.get("include_replies") != "true":
            found = [c for c in found if c["parent_comment_id"] == video["item_id"]]
        found = sorted(
            found,
            key=lambda c: c["create_time"],
            reverse=params.get("sort_order") == "desc",
        )
        size = min(int(params.get("max_count") or 20), 30)
        start = int(params.get("cursor") or 0)
        page = found[start : start + size]
        return {
            "comments": page,
            "cursor": start + len(page),
            "has_more": start + size < len(found),
        }


def _fields(params: dict[str, str], allowed: set[str]) -> list[str]:
    try:
        fields = json.loads(params.get("fields") or "[]")
    except ValueError:
        raise _Fail(40002, "fields: must be a JSON array") from None
    unknown = [f for f in fields if f not in allowed]
    if unknown:
        raise _Fail(40002, f"fields: {unknown[0]} is not a valid field")
    return list(fields)


class _Handler(BaseHTTPRequestHandler):
    owner: ClassVar[TikTokServer]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        parts = url.path.split("/", 3)  # "", n, "v1.3", "business/..."
        account = self.owner.accounts.get(parts[1]) if len(parts) == 4 else None
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        body: dict[str, Any] = {
            "code": 0,
            "message": "OK",
            "request_id": "20261207000000A1B2C3",
        }
        if account is None:
            body |= {"code": 40006, "message": "Unknown path"}
        else:
            with self.owner.lock:
                account.requests.append({"path": parts[3], **params})
                account.used += 1
            try:
                body["data"] = account.answer(
                    parts[3], params, self.headers.get("Access-Token")
                )
            except _Fail as fail:
                body |= {"code": fail.code, "message": fail.message, "data": {}}
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class TikTokServer(LocalServer):
    """Serves many local business accounts; ``account()`` adds one."""

    def __init__(self) -> None:
        super().__init__(type("Handler", (_Handler,), {"owner": self}))
        self.accounts: dict[str, Account] = {}
        self.lock = threading.Lock()
        self._numbers = itertools.count(1)

    def account(self, tokens: dict[str, str], **settings: Any) -> tuple[str, Account]:
        """A new account's API root and state."""
        data = json.loads((FIXTURES / "acme_jp.json").read_text("utf-8"))
        key = str(next(self._numbers))
        account = Account(
            business_id=data["business_id"],
            profile=data["account"],
            videos=copy.deepcopy(data["videos"]),
            tokens=tokens,
            **settings,
        )
        self.accounts[key] = account
        return f"{self.url}/{key}/v1.3", account
