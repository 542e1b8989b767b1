"""The int8 graph cache: one process builds a missing graph while the others wait.

Three processes starting on an empty cache would each build the 118 MB graph
(about 30 s of CPU and a 3.5 GB peak apiece). A lock file beside the graph
lets the first one build it; the others wait on the lock, then read the
finished file. The lock is ``flock`` (``filelock``, never its soft fallback),
so the kernel lets go of it when its holder dies, even by ``kill -9``: a lock
file left behind blocks nobody. A builder that hangs is waited for
``BUILD_WAIT_S`` at most, then the wait fails with an error naming the lock.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from filelock import FileLock, Timeout

from sentiment.errors import ModelUnavailableError
from sentiment.runtime import OnnxClassifier

BUILD_WAIT_S = 900.0
"""How long to wait for another process's build (about 30 s on 2 free cores)."""


def cached_graph(path: Path, threads: int) -> OnnxClassifier | None:
    """The cached graph's session; a damaged file is removed, to be rebuilt."""
    if not path.is_file():
        return None
    try:
        return OnnxClassifier.from_file(path, threads, rows_alone=True)
    except Exception:  # noqa: BLE001 - onnxruntime's load errors share no base class
        path.unlink(missing_ok=True)
        return None


def load_or_build(
    path: Path,
    threads: int,
    build: Callable[[Path], None],
    *,
    wait_s: float = BUILD_WAIT_S,
) -> OnnxClassifier:
    """The graph at ``path``, built by ``build(path)`` in one process at a time.

    ``build`` must write ``path`` atomically (``runtime.write_graph``): readers
    that do not take the lock may look at it at any moment.
    """
    runner = cached_graph(path, threads)
    if runner is not None:
        return runner
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path.with_name(f"{path.name}.lock"), fallback_to_soft=False)
    try:
        with lock.acquire(timeout=wait_s):
            runner = cached_graph(path, threads)  # built while this one waited
            if runner is None:
                build(path)
                runner = OnnxClassifier.from_file(path, threads, rows_alone=True)
    except Timeout:
        msg = (
            f"waited {wait_s:.0f} s for another process to build the model graph "
            f"{path}: if no Earful process is building it, remove {lock.lock_file}"
        )
        raise ModelUnavailableError(msg) from None
    return runner
