"""``earful sentiment``: evaluate sentiment models on labelled data."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sentiment import SentimentError


@click.group("sentiment")
def sentiment_group() -> None:
    """Evaluate sentiment models."""


@sentiment_group.command("eval")
@click.option(
    "--data",
    "data_dir",
    required=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder with TweetEval-format {split}_text.txt, {split}_labels.txt, mapping.txt.",
)
@click.option("--split", default="val", show_default=True)
@click.option(
    "--model",
    default="earful-default",
    show_default=True,
    help="Hugging Face model id, local folder, or earful-default.",
)
def sentiment_eval(data_dir: Path, split: str, model: str) -> None:
    """Score a labelled data set and print accuracy, macro recall and F1."""
    from sentiment import load_scorer  # noqa: PLC0415 - torch loads only when needed
    from sentiment.evaluate import evaluate, load_tweeteval  # noqa: PLC0415

    try:
        texts, gold = load_tweeteval(data_dir, split)
        scorer = load_scorer(model)
        if not sys.stderr.isatty():
            report = evaluate(scorer, texts, gold)
        else:  # thousands of texts take minutes on a CPU: show how far it got
            with click.progressbar(
                length=len(texts), label="Scoring", file=sys.stderr
            ) as bar:
                report = evaluate(scorer, texts, gold, progress=bar.update)
    except SentimentError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(report.format())
