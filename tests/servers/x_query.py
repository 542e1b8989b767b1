"""X search syntax for the local X server: words, "phrases", OR, -, (), lang:, is:retweet.

X matches tokens; this matches NFKC-folded substrings, which is what the
replay server needs to answer the queries Earful sends the way X would.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


class XQuery:
    """One X search query, evaluated against posts."""

    _TOKEN = re.compile(r'\s*(?:(\()|(\))|(-?)"([^"]*)"|(-?)([^\s()"]+))')

    def __init__(self, query: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        for m in self._TOKEN.finditer(query):
            if m[1]:
                self.tokens.append(("(", ""))
            elif m[2]:
                self.tokens.append((")", ""))
            elif m[4] is not None:
                self.tokens.append((f"{m[3]}phrase", m[4]))
            elif m[6] == "OR":
                self.tokens.append(("OR", ""))
            else:
                self.tokens.append((f"{m[5]}word", m[6]))

    def matches(self, tweet: dict[str, Any]) -> bool:
        self.pos = 0
        self.tweet = tweet
        self.text = _fold(tweet["text"])
        return self._or()

    def _or(self) -> bool:
        result = self._and()
        while self.pos < len(self.tokens) and self.tokens[self.pos][0] == "OR":
            self.pos += 1
            result = self._and() or result
        return result

    def _and(self) -> bool:
        result = True
        while self.pos < len(self.tokens) and self.tokens[self.pos][0] not in {
            "OR",
            ")",
        }:
            result = self._unary() and result
        return result

    def _unary(self) -> bool:
        kind, value = self.tokens[self.pos]
        self.pos += 1
        if kind == "(":
            inner = self._or()
            self.pos += 1  # ")"
            return inner
        negated = kind.startswith("-")
        if value.startswith("lang:"):
            found = self.tweet.get("lang") == value[5:]
        elif value == "is:retweet":
            refs = self.tweet.get("referenced_tweets") or []
            found = any(r.get("type") == "retweeted" for r in refs)
        else:
            found = _fold(value) in self.text
        return found != negated
