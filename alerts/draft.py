"""The "Draft reply" modal and the approval message it posts into the alert's thread.

"Draft reply" opens a Slack modal (``views.open`` with the click's
``trigger_id``) pre-filled from the best template for the mention's brand and
language (``alerts.reply``). On submit, the edited text is recorded as a draft
(``storage.replies``) and posted into the alert's thread for a colleague to
approve. Where the brand has an account on the mention's network
(``postable``), the message has an "Approve and post" button: once clicked,
Earful posts the reply there as the brand. Elsewhere the draft stays a draft
and the message says where a person must answer.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from alerts.errors import AlertError
from alerts.render import SLACK_USER, clean_text, fit, quote, source_line
from alerts.reply import MAX_DRAFT, ReplyTemplate, draft_for
from storage.cases import Actor
from storage.models import Alert, AlertKind
from storage.replies import draft as record_draft

DRAFT_CALLBACK = "earful_draft_modal"
DRAFT_BLOCK, DRAFT_INPUT = "earful_draft_text", "draft"
APPROVE_REPLY_ACTION = "earful_approve_reply"
MAX_EXCERPT = 600
MAX_SECTION = 3000  # a section block's text


class DraftModal:
    """Builds the modal for an alert and the approval message from its submission."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        templates: Sequence[ReplyTemplate],
        postable: Collection[str] = (),
    ) -> None:
        self._sessions = sessions
        self._templates = tuple(templates)
        self._postable = frozenset(postable)  # networks with a brand account

    def _alert(self, session: Session, alert_id: int) -> Alert:
        alert = session.get(Alert, alert_id)
        if alert is None or alert.kind != AlertKind.MENTION or alert.mention is None:
            msg = f"alert {alert_id} is not a mention alert"
            raise AlertError(msg)
        return alert

    def view(self, alert_id: int) -> dict[str, Any]:
        """The modal for alert ``alert_id``: the mention quoted, the draft to edit."""
        with self._sessions() as session:
            alert = self._alert(session, alert_id)
            mention = alert.mention
            assert mention is not None  # noqa: S101 - checked by _alert
            brands = sorted(mention.matches, key=lambda m: (m.competitor, m.brand))
            brand = brands[0].brand if brands else ""
            draft = draft_for(self._templates, mention, brand)
            where = fit(source_line(mention), 200)
            parts = [mention.title or "", mention.text]
            excerpt = clean_text("\n".join(p for p in parts if p)) or "(no text)"
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": DRAFT_INPUT,
            "multiline": True,
            "max_length": MAX_DRAFT,
        }
        if draft:
            element["initial_value"] = draft
        note = (
            f"Replying on {where}. The draft goes into the alert's thread for "
            "approval; Earful never posts it to the site."
        )
        return {
            "type": "modal",
            "callback_id": DRAFT_CALLBACK,
            "private_metadata": str(alert_id),
            "title": {"type": "plain_text", "text": "Draft reply"},
            "submit": {"type": "plain_text", "text": "Post for approval"},
            "close": {"type": "plain_text", "text": "Cancel"},
            "blocks": [
                {"type": "context", "elements": [{"type": "mrkdwn", "text": note}]},
                {
                    "type": "section",
                    "text": {
                        "type": "mrkdwn",
                        "text": fit(excerpt, MAX_EXCERPT, quote),
                    },
                },
                {
                    "type": "input",
                    "block_id": DRAFT_BLOCK,
                    "label": {"type": "plain_text", "text": "Reply"},
                    "element": element,
                },
            ],
        }

    def approval(
        self, alert_id: int, view: Mapping[str, Any], user: Mapping[str, Any]
    ) -> tuple[str, str, str, list[dict[str, Any]]]:
        """Record the draft; where to post it for approval: channel, thread, text, blocks."""
        values = (view.get("state") or {}).get("values") or {}
        draft = str(
            ((values.get(DRAFT_BLOCK) or {}).get(DRAFT_INPUT) or {}).get("value") or ""
        )
        draft = clean_text(draft)
        if not draft:
            msg = "the draft is empty"
            raise AlertError(msg)
        uid = str(user.get("id") or "")
        uid = uid if SLACK_USER.fullmatch(uid) else ""
        name = " ".join(str(user.get("name") or "").split())[:60]
        author = Actor(f"{name} ({uid})" if name and uid else name or uid, "slack")
        with self._sessions() as session, session.begin():
            alert = self._alert(session, alert_id)
            if alert.slack_ts is None:
                msg = f"alert {alert_id} has no Slack message to reply under"
                raise AlertError(msg)
            channel = alert.slack_channel or alert.channel
            thread = alert.thread_ts or alert.slack_ts
            mention = alert.mention
            assert mention is not None  # noqa: S101 - checked by _alert
            where = fit(source_line(mention), 200)
            postable = mention.source_type in self._postable
            post_id = record_draft(session, mention.id, draft, author).id
        who = f"<@{uid}>" if uid else "someone"
        if postable:
            head = (
                f":memo: *Draft reply* by {who}, for approval. Once approved, Earful "
                f"posts it on {where} as the brand's account.\n"
            )
        else:
            head = (
                f":memo: *Draft reply* by {who}, for approval. Earful does not post "
                f"it: answer on {where} yourself once approved.\n"
            )
        text = head + fit(draft, MAX_SECTION - len(head), quote)
        blocks: list[dict[str, Any]] = [
            {"type": "section", "text": {"type": "mrkdwn", "text": text}}
        ]
        if postable:
            blocks.append(approve_button(post_id))
        return channel, thread, text, blocks


def approve_button(post_id: int) -> dict[str, Any]:
    """The actions block whose button approves reply ``post_id`` for posting."""
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": APPROVE_REPLY_ACTION,
                "style": "primary",
                "text": {"type": "plain_text", "text": "Approve and post"},
                "value": str(post_id),
            }
        ],
    }
