"""``earful sentiment``: try, evaluate and re-score with sentiment models."""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import click

from crawlers.language import detect_language
from earful.cli.analyst import parse_when
from earful.cli.common import CONFIG_OPTION, DB_OPTION, load, open_pipeline
from earful.config import SentimentConfig
from sentiment import SentimentError
from storage import StorageError


@click.group("sentiment")
def sentiment_group() -> None:
    """Try, evaluate and re-score with sentiment models."""


# Escaped in the JSON output: control, format (bidi overrides), private use, line
# separators; a stranger's text must not reorder or hide what the terminal shows.
_UNSAFE = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
MODEL_OPTION = click.option(
    "--model",
    default="earful-default",
    show_default=True,
    help="earful-default, earful-english, a Hugging Face model id or a local folder.",
)


@sentiment_group.command("score")
@click.argument("texts", nargs=-1)
@click.option(
    "--file",
    "text_file",
    type=click.File("rb"),
    help="UTF-8 text file, one text a line (blank lines skipped); - reads stdin.",
)
@MODEL_OPTION
def sentiment_score(
    texts: tuple[str, ...], text_file: IO[bytes] | None, model: str
) -> None:
    """Score TEXTS (or --file's lines) and print one JSON line per text.

    Each line holds the text, its label, the probabilities of negative, neutral
    and positive, the detected language, and the model id and revision. A
    text's probabilities are the same whether it is scored alone or among
    others, so a line here is what the daemon stores for that mention.
    """
    given = list(texts)
    if text_file is not None:
        given.extend(_lines(text_file))
    if not given:
        raise click.UsageError("give texts as arguments or --file F (- for stdin)")
    from sentiment import load_scorer  # noqa: PLC0415 - torch loads only when needed

    languages = [detect_language(text) for text in given]
    try:
        scorer = load_scorer(model, cache_dir=SentimentConfig().model_cache())
        scores = scorer.score(given, languages)
    except SentimentError as exc:
        raise click.ClickException(str(exc)) from None
    for text, language, score in zip(given, languages, scores, strict=True):
        line = {
            "text": text,
            "label": score.label,
            "probabilities": score.probabilities,
            "language": language,
            "model": scorer.model_id,
            "revision": scorer.model_revision,
        }
        click.echo(_json_line(line))


def _lines(handle: IO[bytes]) -> Iterator[str]:
    """The non-blank lines of a UTF-8 file, with an error naming a bad line."""
    name = getattr(handle, "name", "-")
    for number, raw in enumerate(handle, start=1):
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            msg = f"{name}: line {number}: not UTF-8 ({exc.reason} at byte {exc.start})"
            raise click.ClickException(msg) from None
        text = text.rstrip("\r\n")
        if text.strip():
            yield text


def _json_line(value: object) -> str:
    """JSON that shows Japanese as it is, with unsafe characters escaped."""
    return "".join(
        json.dumps(char)[1:-1] if unicodedata.category(char) in _UNSAFE else char
        for char in json.dumps(value, ensure_ascii=False)
    )


@sentiment_group.command("eval")
@click.option(
    "--data",
    "data_dirs",
    required=True,
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="A data set (repeat): a TweetEval, XLM-T or chABSA folder, or a .tsv file.",
)
@click.option("--split", default="val", show_default=True)
@MODEL_OPTION
def sentiment_eval(data_dirs: tuple[Path, ...], split: str, model: str) -> None:
    """Score labelled data and print accuracy, macro recall and F1.

    Each set is reported on its own, then per detected language when a set mixes
    languages and per source kind when it records kinds, then a summary table of
    every set.
    """
    from sentiment import load_scorer  # noqa: PLC0415 - torch loads only when needed
    from sentiment.datasets import load_labelled  # noqa: PLC0415
    from sentiment.evaluate import (  # noqa: PLC0415
        evaluate,
        evaluate_by_kind,
        evaluate_by_language,
        summary_table,
    )

    try:
        sets = [s for folder in data_dirs for s in load_labelled(folder, split)]
        scorer = load_scorer(model, cache_dir=SentimentConfig().model_cache())
        reports = []
        for labelled in sets:
            click.echo(f"== {labelled.name}")
            if not sys.stderr.isatty():
                report = evaluate(scorer, labelled.texts, labelled.gold)
            else:  # thousands of texts take minutes on a CPU: show how far it got
                with click.progressbar(
                    length=len(labelled.texts), label="Scoring", file=sys.stderr
                ) as bar:
                    report = evaluate(
                        scorer, labelled.texts, labelled.gold, progress=bar.update
                    )
            reports.append((labelled.name, report))
            click.echo(report.format())
            languages = [detect_language(text) for text in labelled.texts]
            per_language = evaluate_by_language(report, languages, labelled.gold)
            per_kind = evaluate_by_kind(report, labelled.kinds, labelled.gold)
            for breakdown in (per_language, per_kind):
                if breakdown:
                    click.echo(breakdown)
    except SentimentError as exc:
        raise click.ClickException(str(exc)) from None
    if len(reports) > 1:
        click.echo("== summary")
        click.echo(summary_table(reports))


@sentiment_group.command("rescore")
@CONFIG_OPTION
@DB_OPTION
@click.option(
    "--since",
    required=True,
    help="Mentions published at or after this: 7d, 12h, 2w, or a date.",
)
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Score every mention of the period again, not only those an older model scored.",
)
def sentiment_rescore(
    config_path: Path, database_url: str | None, since: str, everything: bool
) -> None:
    """Re-score recent mentions that an older model (revision) scored.

    After the default model changes, stored scores keep the revision they were
    made with and new mentions get the new one, so a chart over both periods
    mixes two models. This makes the period's scores all come from the current
    model, and lets each rated review's stars decide its verdict (1-2 of 5
    negative, 4-5 positive). Alerts are not re-sent for mentions that already
    had one.
    """
    try:
        start = parse_when(since, end=False)
    except click.BadParameter as exc:
        raise click.BadParameter(str(exc.message), param_hint="--since") from None
    pipeline = open_pipeline(load(config_path, database_url))
    try:
        done = pipeline.rescore(start, everything=everything)
    except (StorageError, SentimentError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        pipeline.close()  # PostgreSQL connections would outlive the command
    click.echo(
        f"Checked {done.checked} scored mentions since {start:%Y-%m-%d %H:%M} UTC: "
        f"{done.rescored} re-scored with {pipeline.scorer.model_id} "
        f"@ {pipeline.scorer.model_revision}; "
        f"{done.rejudged} verdicts now from the reviewers' stars."
    )
