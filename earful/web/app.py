"""The dashboard: overview charts, negative inbox, search and source health."""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from alerts.catalog import translations
from alerts.handle import HandleReport, update_messages
from alerts.recount import Updater
from earful.web import charts
from earful.web.compare import aspect_charts, compare_context
from storage import BrandMatch, Mention, utcnow
from storage.cases import Actor, CaseError, cases_of, change, parse_state
from storage.errors import SearchError
from storage.ids import parse_id
from storage.models import CaseState
from storage.precision import shown_date
from storage.response import duration, response_times, unanswered
from storage.search import LABELS, MentionQuery, find_mentions, set_handled
from storage.stats import Period, Window, share_of_voice, volume_by, volume_over_time

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
CSRF_COOKIE, TOKEN_COOKIE = "earful_csrf", "earful_token"
WEEKLY_AFTER_DAYS = 120  # longer periods chart weeks, not days
COMPARE_DAILY_DAYS = 31  # the comparison lists days up to a month, then weeks
MAX_DAYS = 3660  # ten years; timedelta overflows near 2.7 million days
_ASCII_NUMBER = re.compile(
    r"[0-9]{1,10}", re.ASCII
)  # int() takes other scripts' digits
MAX_OFFSET = 1_000_000  # past this a page is empty anyway; SQL bigints overflow
STATES = [(s.value, s.value.replace("_", " ")) for s in CaseState]
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@dataclass(frozen=True, slots=True)
class Dashboard:
    """What the app needs: the database, whose scores count, and who may look."""

    sessions: sessionmaker[Session]
    model_id: str
    token: str | None = None
    handled_by: str = "dashboard"
    response_target_s: float = 7200.0
    zone: str = "UTC"  # [daemon] timezone: times shown and where days begin
    language: str = "en"  # [ui] language: the catalogue the pages are read in
    brand_names: Mapping[str, str] = field(default_factory=dict)  # name → shown
    # Rewrites the case's Slack messages after a change (a bot's SlackDeliverer);
    # None: the next delivery run of `earful run` does (``alerts.handle``).
    slack: Updater | None = None
    slack_controls: bool = False  # a Socket Mode listener answers the buttons


class _App:
    """The request handlers, bound to one :class:`Dashboard`."""

    def __init__(self, dash: Dashboard) -> None:
        self.dash = dash
        self.templates = Jinja2Templates(directory=HERE / "templates")
        self.templates.env.tests["web_link"] = is_web_link
        env = self.templates.env
        env.filters["when"] = partial(shown_when, zone=dash.zone)
        env.filters["brand_name"] = lambda name: dash.brand_names.get(name, name)
        env.globals["zone"] = dash.zone
        env.globals["language"] = dash.language
        env.add_extension("jinja2.ext.i18n")
        env.install_gettext_translations(  # type: ignore[attr-defined]
            translations(dash.language), newstyle=True
        )

    def render(self, request: Request, name: str, **context: Any) -> Response:
        csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        response = self.templates.TemplateResponse(
            request, name, {"csrf": csrf, "page": name.removesuffix(".html"), **context}
        )
        response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict")
        return response

    def overview(self, request: Request) -> Response:
        days = _query_int(request, "days", 90, low=1, high=MAX_DAYS)
        brand = request.query_params.get("brand") or None
        since = utcnow() - timedelta(days=days)
        window = Window(self.dash.model_id, brand, since, zone=self.dash.zone)
        with self.dash.sessions() as s:
            series = volume_over_time(
                s, window, "week" if days > WEEKLY_AFTER_DAYS else "day"
            )
            sources = volume_by(s, window, "source")
            shares = share_of_voice(s, since)
            brands = list(s.scalars(select(BrandMatch.brand).distinct()))
            aspects = aspect_charts(s, window)
        return self.render(
            request,
            "overview.html",
            brand=brand,
            brands=sorted(brands),
            days=days,
            volume=charts.volume_chart(series),
            net=charts.net_chart(series),
            sources=charts.source_chart(sources),
            share=charts.share_chart(shares),
            aspects=aspects,
        )

    def compare(self, request: Request) -> Response:
        days = _query_int(request, "days", 90, low=1, high=MAX_DAYS)
        period: Period = "week" if days > COMPARE_DAILY_DAYS else "day"
        since = utcnow() - timedelta(days=days)
        with self.dash.sessions() as s:
            context = compare_context(
                s, self.dash.model_id, since, period, self.dash.zone
            )
        return self.render(request, "compare.html", days=days, **context)

    def inbox(self, request: Request) -> Response:
        query = MentionQuery(
            model_id=self.dash.model_id,
            sentiment="negative",
            handled=request.query_params.get("show") == "handled",
            sort="reach",
            limit=50,
            offset=_query_int(request, "offset", 0, low=0, high=MAX_OFFSET),
        )
        with self.dash.sessions() as s:
            rows = find_mentions(s, query)
            cases = cases_of(s, [r.id for r in rows])
        return self.render(
            request, "inbox.html", rows=rows, query=query, cases=cases, states=STATES
        )

    def response(self, request: Request) -> Response:
        """Response times per source and source type; the unanswered, oldest first."""
        days = _query_int(request, "days", 30, low=1, high=MAX_DAYS)
        brand = request.query_params.get("brand") or None
        since = utcnow() - timedelta(days=days)
        target = self.dash.response_target_s
        with self.dash.sessions() as s:
            tables = {
                by: response_times(s, since=since, by=by, target_s=target, brand=brand)
                for by in ("source", "source_type")
            }
            waiting = unanswered(s, limit=50, brand=brand)
        return self.render(
            request,
            "response.html",
            tables=tables,
            waiting=waiting,
            days=days,
            brand=brand,
            target=duration(target),
            duration=duration,
            now=utcnow(),
        )

    def search(self, request: Request) -> Response:
        params = request.query_params
        sentiment = params.get("sentiment")
        try:
            query = MentionQuery(
                model_id=self.dash.model_id,
                brands=tuple(b for b in [params.get("brand")] if b),
                sentiment=sentiment if sentiment in LABELS else None,
                text=params.get("q") or None,
                limit=100,
            )
        except SearchError as exc:
            raise HTTPException(400, str(exc)) from None
        with self.dash.sessions() as s:
            rows = find_mentions(s, query)
        return self.render(request, "search.html", rows=rows, params=params)

    def health(self, request: Request) -> Response:
        sql = text(
            "SELECT source, started_at, finished_at, status, pages_fetched, "
            "items_extracted, items_matched, items_seen, items_new, error, warning, "
            "last_success_at FROM source_health_view ORDER BY source"
        )
        with self.dash.sessions() as s:
            rows = [row._asdict() for row in s.execute(sql)]
        return self.render(request, "health.html", rows=rows)

    async def toggle_handled(self, request: Request) -> Response:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        sent = (form.get("csrf") or [""])[0]
        cookie = request.cookies.get(CSRF_COOKIE, "")
        if not cookie or not _same(sent, cookie) or not _same_origin(request):
            return PlainTextResponse("CSRF check failed: reload the page", 403)
        mention_id = parse_id(request.path_params["mention_id"]) or 0
        handled = (form.get("handled") or ["1"])[0] == "1"
        found = await run_in_threadpool(self._set_handled, mention_id, handled)
        if not found:
            return PlainTextResponse("No such mention", 404)
        back = (form.get("back") or ["/inbox"])[0]
        return RedirectResponse(back if back.startswith("/inbox") else "/inbox", 303)

    async def change_case(self, request: Request) -> Response:
        """The inbox's case form: a new state and/or owner, from the dashboard."""
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        sent = (form.get("csrf") or [""])[0]
        cookie = request.cookies.get(CSRF_COOKIE, "")
        if not cookie or not _same(sent, cookie) or not _same_origin(request):
            return PlainTextResponse("CSRF check failed: reload the page", 403)
        mention_id = parse_id(request.path_params["mention_id"]) or 0
        owner = (form.get("owner") or [""])[0].strip() or None
        try:
            state = parse_state((form.get("state") or [""])[0])
            found = await run_in_threadpool(self._change, mention_id, state, owner)
        except CaseError as exc:
            return PlainTextResponse(str(exc), 400)
        if not found:
            return PlainTextResponse("No such mention", 404)
        back = (form.get("back") or ["/inbox"])[0]
        return RedirectResponse(back if back.startswith("/inbox") else "/inbox", 303)

    def _change(self, mention_id: int, state: CaseState, owner: str | None) -> bool:
        with self.dash.sessions() as s, s.begin():
            if s.get(Mention, mention_id) is None:
                return False
            actor = Actor(self.dash.handled_by, "dashboard")
            change(s, mention_id, actor, state=state, owner=owner)
        self._show_in_slack(mention_id)
        return True

    def _set_handled(self, mention_id: int, handled: bool) -> bool:
        with self.dash.sessions() as s, s.begin():
            found = set_handled(s, mention_id, handled=handled, by=self.dash.handled_by)
        if found:
            self._show_in_slack(mention_id)
        return found

    def _show_in_slack(self, mention_id: int) -> None:
        """Rewrite the case's Slack messages; a failure is logged, the change kept."""
        report = HandleReport(mention_id)
        update_messages(
            self.dash.sessions,
            report,
            self.dash.slack,
            buttons=self.dash.slack_controls,
        )
        for error in report.errors:
            log.warning("case %d: %s", mention_id, error)


def shown_when(value: object, precision: str | None = None, *, zone: str) -> str:
    """A stored time in ``zone``, named; raw SQL on SQLite gives it as text."""
    if value is None or value == "":
        return ""
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return shown_date(when.replace(tzinfo=when.tzinfo or UTC), precision, zone)


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def is_web_link(url: object) -> bool:
    """Whether ``url`` may be a link: http(s) only, never ``javascript:`` or ``data:``."""
    return isinstance(url, str) and url.lower().startswith(("http://", "https://"))


def _query_int(
    request: Request, name: str, default: int, *, low: int, high: int
) -> int:
    """Query parameter ``name`` as an int in [low, high]; otherwise a clear 400."""
    value = request.query_params.get(name)
    if not value:
        return default
    number = int(value) if _ASCII_NUMBER.fullmatch(value) else low - 1
    if not low <= number <= high:
        msg = f"{name} must be a whole number from {low} to {high}"
        raise HTTPException(400, msg)
    return number


def _same_origin(request: Request) -> bool:
    """The Origin header, where the browser sends one, names this very host."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return origin.split("://", 1)[-1] == request.headers.get("host")


def create_app(dash: Dashboard, *, loopback: bool = True) -> Starlette:
    """The ASGI app; off loopback, every request needs the access token."""
    handlers = _App(dash)
    routes = [
        Route("/", handlers.overview),
        Route("/inbox", handlers.inbox),
        Route("/search", handlers.search),
        Route("/compare", handlers.compare),
        Route("/response", handlers.response),
        Route("/health", handlers.health),
        Route(
            "/mentions/{mention_id}/handled", handlers.toggle_handled, methods=["POST"]
        ),
        Route("/mentions/{mention_id}/case", handlers.change_case, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]

    async def guard(request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await _authorised(request, call_next, dash.token)
        response.headers.update(SECURITY_HEADERS)
        return response

    middleware = [Middleware(BaseHTTPMiddleware, dispatch=guard)]
    if loopback:  # refuses DNS-rebinding pages that reach 127.0.0.1 by another name
        middleware.append(
            Middleware(TrustedHostMiddleware, allowed_hosts=LOOPBACK_HOSTS)
        )
    return Starlette(routes=routes, middleware=middleware)


async def _authorised(
    request: Request, call_next: RequestResponseEndpoint, token: str | None
) -> Response:
    if token is None:
        return await call_next(request)
    offered = request.query_params.get("token")
    held = request.cookies.get(TOKEN_COOKIE) or ""
    bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
    if offered and _same(offered, token):
        response = RedirectResponse(request.url.path, 303)
        response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
        return response
    if _same(held, token) or _same(bearer, token):
        return await call_next(request)
    return PlainTextResponse(
        "Access token required: open the dashboard with ?token=…", 401
    )
