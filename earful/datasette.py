"""Datasette metadata for an Earful database: the views described, faceted, searchable.

``datasette earful.db -m metadata.json`` then opens on documented views with
facets by brand, sentiment, source and language, and full-text search over
``mentions_fts`` (folded text, trigrams: type three characters or more).
Datasette reads SQLite only and is not an Earful dependency; this writes JSON.
"""

from __future__ import annotations

from typing import Any

from storage.views import VIEWS

FTS = {"fts_table": "mentions_fts", "searchmode": "escaped"}
HIDDEN = ("alembic_version", "scheduled_jobs", "source_cursors")


def datasette_metadata(database: str = "earful") -> dict[str, Any]:
    """Metadata for the database Datasette names ``database`` (the file's stem)."""
    tables: dict[str, Any] = {
        view.name: {
            "description": view.description,
            "columns": view.columns,
            "facets": list(view.facets),
            **({"sort_desc": view.sort_desc} if view.sort_desc else {}),
        }
        for view in VIEWS
    }
    tables["mention_view"].update({**FTS, "fts_pk": "mention_id"})
    tables["mentions"] = {
        "description": "One post, comment, review or feed entry per row (see "
        "mention_view for brands and scores).",
        "facets": ["source", "source_type", "language"],
        "sort_desc": "published_at",
        **FTS,
        "fts_pk": "id",
    }
    tables.update({name: {"hidden": True} for name in HIDDEN})
    return {
        "title": "Earful mentions",
        "description": "What people say about the watched brands, scored for "
        "sentiment. The search index holds folded text (NFKC, lower case): search "
        "with ASCII letters and full-width kana to find every width and case.",
        "databases": {database: {"tables": tables}},
    }
