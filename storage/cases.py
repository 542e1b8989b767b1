"""The response workflow: who owns a mention, where its answer is, and every change.

Rules a reader must know:

- One case per mention (``cases``), opened when its first alert is sent or when
  someone first acts on it; every Slack message about the mention, the
  dashboard and the CLI read and change that one row.
- States go new → in_progress → replied → resolved, but any move is allowed
  (a reopened case goes back to in_progress); a move to the state it is in
  records nothing. ``replied`` means answered in public, ``resolved`` that the
  customer was satisfied or updated the review.
- Every change appends a ``case_events`` row: who, from where (``VIA``), when,
  from and to which state, and the owner after it. Rows are never updated.
- A case keeps the first time of each step (first action, reply, resolution),
  so response-time KPIs read ``cases`` alone. Only people's actions count as a
  first action; a reply a collector saw counts as the reply.
- Whoever moves an unowned case owns it, unless a collector moved it; a new
  case that gets an owner is in progress.
- "Handled" (the older single flag on ``mentions``) means resolved: resolving
  sets ``handled_at``/``handled_by``, leaving resolved clears them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.errors import StorageError
from storage.models import Case, CaseEvent, CaseState, Mention, utcnow

Via = Literal["slack", "dashboard", "cli", "collector"]
VIA: Final = ("slack", "dashboard", "cli", "collector")
MAX_NAME = 100
OPEN_STATES = (CaseState.NEW, CaseState.IN_PROGRESS)


class CaseError(StorageError):
    """A case change names a mention that does not exist, or an unknown state."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who changes a case, and from where (``via``: slack, dashboard, cli, collector)."""

    name: str
    via: Via
    slack_id: str | None = None  # where known: an unowned case they move is theirs

    @property
    def label(self) -> str:
        """The name, one line, cut to the column's size."""
        return " ".join(self.name.split())[:MAX_NAME] or "someone"


def parse_state(value: str) -> CaseState:
    """``value`` as a state (``in progress`` and ``in-progress`` too), or CaseError."""
    key = value.strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return CaseState(key)
    except ValueError:
        names = ", ".join(s.value for s in CaseState)
        msg = f"unknown state {value!r}: use one of {names}"
        raise CaseError(msg) from None


def open_case(session: Session, mention_id: int, now: datetime | None = None) -> Case:
    """The mention's case, opened (state new) if it has none; CaseError if no mention."""
    case = session.get(Case, mention_id)
    if case is not None:
        return case
    mention = session.get(Mention, mention_id)
    if mention is None:
        msg = f"mention {mention_id} not found"
        raise CaseError(msg)
    case = Case(
        mention_id=mention_id,
        state=CaseState.NEW,
        source=mention.source,
        source_type=mention.source_type,
        published_at=mention.published_at,
        updated_at=now or utcnow(),
    )
    if mention.replied_at is not None:  # answered in public before anyone looked
        case.state, case.replied_at = CaseState.REPLIED, mention.replied_at
    session.add(case)
    session.flush()
    return case


def note_alerted(session: Session, mention_id: int, at: datetime) -> Case:
    """Record that the mention was alerted at ``at`` (the first alert's time counts)."""
    case = open_case(session, mention_id, at)
    if case.alerted_at is None or at < case.alerted_at:
        case.alerted_at = at
    _wait(case)
    return case


def _wait(case: Case) -> None:
    """Keep ``waiting_since`` set exactly while the case is alerted and open."""
    waiting = case.alerted_at is not None and case.state in OPEN_STATES
    case.waiting_since = (case.published_at or case.alerted_at) if waiting else None


def change(
    session: Session,
    mention_id: int,
    actor: Actor,
    *,
    state: CaseState | None = None,
    owner: str | None = None,
    owner_slack_id: str | None = None,
    now: datetime | None = None,
) -> Case:
    """Move the case to ``state`` and/or give it to ``owner``; append the event.

    Nothing changes, and no event is written, when both are what they were.
    """
    now = now or utcnow()
    case = open_case(session, mention_id, now)
    before = case.state
    new_owner = " ".join(owner.split())[:MAX_NAME] if owner is not None else None
    if new_owner and state is None and before == CaseState.NEW:
        state = CaseState.IN_PROGRESS  # someone is on it now
    moved = state is not None and state != before
    assigned = new_owner is not None and (
        new_owner != case.owner or owner_slack_id != case.owner_slack_id
    )
    if not (moved or assigned):
        return case
    if assigned:
        case.owner, case.owner_slack_id = new_owner, owner_slack_id
    if state is not None and moved:
        _enter(session, case, state, actor, now)
        if case.owner is None and actor.via != "collector":
            case.owner = actor.label  # whoever moves an unowned case owns it
            case.owner_slack_id = actor.slack_id
    if actor.via != "collector" and case.first_action_at is None:
        case.first_action_at = now
    case.updated_at = now
    session.add(
        CaseEvent(
            mention_id=mention_id,
            at=now,
            actor=actor.label,
            via=actor.via,
            from_state=before.value,
            to_state=case.state.value,
            owner=case.owner,
        )
    )
    session.flush()
    return case


def _enter(
    session: Session, case: Case, state: CaseState, actor: Actor, now: datetime
) -> None:
    """Set ``state`` and its first time; keep the mention's handled flag in step."""
    case.state = state
    _wait(case)
    if state == CaseState.REPLIED and case.replied_at is None:
        case.replied_at = now
    mention = session.get_one(Mention, case.mention_id)
    if state == CaseState.RESOLVED:
        case.resolved_at = case.resolved_at or now
        mention.handled_at, mention.handled_by = now, actor.label
    else:
        mention.handled_at = mention.handled_by = None


def note_public_reply(
    session: Session, mention_id: int, at: datetime, actor: str
) -> bool:
    """A collector saw a public reply: an open case becomes replied (at ``at``)."""
    case = session.get(Case, mention_id)
    if case is None or case.state not in OPEN_STATES:
        return False
    change(session, mention_id, Actor(actor, "collector"), state=CaseState.REPLIED)
    case.replied_at = min(at, case.replied_at) if case.replied_at else at
    return True


def case_events(session: Session, mention_id: int) -> list[CaseEvent]:
    """The mention's case history, oldest first."""
    stmt = select(CaseEvent).where(CaseEvent.mention_id == mention_id)
    return list(session.scalars(stmt.order_by(CaseEvent.at, CaseEvent.id)))


def cases_of(session: Session, mention_ids: list[int]) -> dict[int, Case]:
    """The cases of these mentions, by mention id (mentions without one left out)."""
    if not mention_ids:
        return {}
    stmt = select(Case).where(Case.mention_id.in_(mention_ids))
    return {case.mention_id: case for case in session.scalars(stmt)}
