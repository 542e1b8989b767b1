"""Processes starting on an empty graph cache build the graph once; a dead builder blocks none."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from multiprocessing.synchronize import Barrier, Event
from pathlib import Path
from typing import Any

import pytest
import torch
from filelock import FileLock
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from sentiment.errors import ModelUnavailableError
from sentiment.graph_cache import load_or_build
from sentiment.runtime import OnnxClassifier, export_graph, write_graph

SPAWN = multiprocessing.get_context("spawn")  # fresh interpreters, as daemons start
TEXT = "サポートの返事が遅い"


def exporter(model_dir: Path, log: Path) -> Callable[[Path], None]:
    """A build that notes its process in ``log``, then exports the tiny model."""

    def build(out: Path) -> None:
        with log.open("a") as f:
            f.write(f"{os.getpid()}\n")
        time.sleep(1.0)  # long enough for every other process to reach the lock
        model = AutoModelForSequenceClassification.from_pretrained(model_dir)
        write_graph(out, export_graph(model, quantize=True))

    return build


def logits(runner: OnnxClassifier, model_dir: Path) -> list[float]:
    batch = AutoTokenizer.from_pretrained(model_dir)([TEXT], return_tensors="pt")
    with torch.no_grad():
        return [round(float(x), 5) for x in runner(dict(batch))[0]]


def start_scorer(model_dir: Path, graph: Path, log: Path, barrier: Barrier) -> None:
    """One process starting up: all of them reach the empty cache at once."""
    barrier.wait()
    runner = load_or_build(graph, 1, exporter(model_dir, log))
    with (log.parent / f"logits-{os.getpid()}").open("w") as f:
        f.write(repr(logits(runner, model_dir)))


def hold_lock(graph: Path, held: Event) -> None:
    """A builder that takes the lock and never finishes (until it is killed)."""
    with FileLock(graph.with_name(f"{graph.name}.lock"), fallback_to_soft=False):
        held.set()
        time.sleep(600)


def test_three_processes_on_an_empty_cache_build_the_graph_once(
    three_class: Path, tmp_path: Path
) -> None:
    graph, log = tmp_path / "cache" / "tiny.int8.onnx", tmp_path / "builds"
    barrier = SPAWN.Barrier(3)
    args: tuple[Any, ...] = (three_class, graph, log, barrier)
    processes = [SPAWN.Process(target=start_scorer, args=args) for _ in range(3)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=300)
    assert [p.exitcode for p in processes] == [0, 0, 0]
    assert len(log.read_text().splitlines()) == 1  # one export, two waited
    scores = {f.read_text() for f in tmp_path.glob("logits-*")}
    assert len(scores) == 1  # all three loaded the same built graph
    assert sorted(p.name for p in graph.parent.iterdir() if "partial" in p.name) == []


def test_a_builder_killed_holding_the_lock_blocks_no_one(
    three_class: Path, tmp_path: Path
) -> None:
    graph, log = tmp_path / "tiny.int8.onnx", tmp_path / "builds"
    held = SPAWN.Event()
    holder = SPAWN.Process(target=hold_lock, args=(graph, held))
    holder.start()
    assert held.wait(timeout=120)
    with pytest.raises(ModelUnavailableError, match=r"tiny\.int8\.onnx\.lock"):
        load_or_build(graph, 1, exporter(three_class, log), wait_s=0.5)
    assert holder.pid is not None
    os.kill(holder.pid, signal.SIGKILL)  # the lock file stays on disk
    holder.join(timeout=30)
    assert graph.with_name(f"{graph.name}.lock").exists()
    runner = load_or_build(graph, 1, exporter(three_class, log), wait_s=30)
    assert len(log.read_text().splitlines()) == 1
    assert len(logits(runner, three_class)) == 3
