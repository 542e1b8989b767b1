"""Instagram Graph API media and comments as MentionItems, with the fields each is read with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crawlers.bounds import bounded_int, parse_iso, reads_item
from crawlers.items import MentionItem
from crawlers.text import one_line, truncate

SITE = "Instagram"
# Fields asked of each node. Hashtag media may not be asked for ``username``
# (the API refuses it: hashtag results carry no personal information).
ACCOUNT_FIELDS = "id,username,name,followers_count"
OWN_MEDIA_FIELDS = "id,caption,permalink,timestamp,comments_count,like_count"
TAGGED_FIELDS = (
    "id,caption,permalink,timestamp,comments_count,like_count,media_type,username"
)
HASHTAG_MEDIA_FIELDS = (
    "id,caption,permalink,timestamp,comments_count,like_count,media_type"
)
_COMMENT = "id,text,timestamp,username,like_count"
COMMENT_FIELDS = f"{_COMMENT},replies{{{_COMMENT}}}"
REPLY_FIELDS = _COMMENT
MAX_TITLE = 200


@dataclass(frozen=True)
class Account:
    """The brand's business or creator account, as comments under its media are read."""

    user_id: str
    username: str
    name: str
    followers: int | None

    @property
    def about(self) -> str:
        """What a comment under the account's own media is about: the account."""
        return f"{self.name} (@{self.username})".strip()


def account_of(node: Any) -> Account:
    """The IG User node read with ``ACCOUNT_FIELDS``."""
    return Account(
        user_id=str(node["id"]),
        username=str(node.get("username") or ""),
        name=str(node.get("name") or ""),
        followers=bounded_int(node.get("followers_count")),
    )


def media_key(media_id: str) -> str:
    """A media's external id."""
    return f"instagram:media:{media_id}"


def _caption_title(caption: Any) -> str | None:
    text = one_line(str(caption or ""))
    return truncate(text, MAX_TITLE) if text else None


@reads_item
def media_item(source: str, media: Any, via: str, about: str | None) -> MentionItem:
    """A media (tagged or found by hashtag) as a mention of its caption.

    ``via`` says how it was found (``tags``, ``hashtag:アクメ``); ``about`` is
    the brand account when the brand is tagged in it, so a caption that names
    only the product is still about the brand.
    """
    media_id = str(media["id"])
    username = media.get("username")
    return MentionItem(
        source=source,
        source_type="instagram",
        external_id=media_key(media_id),
        url=media.get("permalink") or None,
        text=str(media.get("caption") or ""),
        author=f"@{username}" if username else None,
        site_name=SITE,
        thread_id=media_key(media_id),
        top_level=True,
        score=media.get("like_count"),
        comments=media.get("comments_count"),
        published_at=parse_iso(str(media.get("timestamp") or "")),
        about=about,
        raw={"id": media_id, "via": via, "media_type": media.get("media_type")},
    )


@reads_item
def comment_item(
    source: str, comment: Any, media: Any, account: Account, parent: str | None
) -> MentionItem:
    """A comment (``parent`` None) or a reply under the brand's own ``media``.

    Its thread is the media, its title the caption's first line, and what it
    is about the brand's account, so 「届いたけど箱が潰れてた」 under the
    brand's post counts for the brand without naming it.
    """
    comment_id = str(comment["id"])
    username = comment.get("username")
    media_id = str(media["id"])
    return MentionItem(
        source=source,
        source_type="instagram",
        external_id=f"instagram:comment:{comment_id}",
        url=media.get("permalink") or None,
        title=_caption_title(media.get("caption")),
        text=str(comment.get("text") or ""),
        author=f"@{username}" if username else None,
        site_name=SITE,
        thread_id=media_key(media_id),
        parent_id=(
            f"instagram:comment:{parent}" if parent is not None else media_key(media_id)
        ),
        top_level=parent is None,
        score=comment.get("like_count"),
        published_at=parse_iso(str(comment.get("timestamp") or "")),
        about=account.about,
        raw={"id": comment_id, "media_id": media_id, "parent": parent},
    )
