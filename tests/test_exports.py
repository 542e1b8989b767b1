"""Each package's public names are exactly its ``__all__``, and they all resolve."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = ["storage", "alerts", "sentiment", "crawlers"]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_names_resolve_and_are_sorted(name):
    module = importlib.import_module(name)
    exported = module.__all__
    assert exported == sorted(exported)
    for attr in exported:
        assert getattr(module, attr) is not None, f"{name}.{attr}"
    public = {n for n in vars(module) if not n.startswith("_")}
    submodules = {n for n in public if type(getattr(module, n)).__name__ == "module"}
    assert public - submodules == set(exported)
