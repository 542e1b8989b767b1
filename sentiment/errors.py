"""Errors raised by the sentiment package.

Hierarchy::

    SentimentError                 base class; catch this to handle any scoring failure
    ├── ModelUnavailableError      model folder or Hub id cannot be loaded (offline, typo)
    ├── LabelSchemeError           the model's labels cannot be mapped to neg/neu/pos
    └── DatasetError               an evaluation data file is missing or malformed
"""

from __future__ import annotations


class SentimentError(Exception):
    """Base class of every error the sentiment package raises on purpose."""


class ModelUnavailableError(SentimentError):
    """The requested model could not be loaded from a folder or the Hub."""


class LabelSchemeError(SentimentError):
    """The model's output labels do not map onto negative / neutral / positive."""


class DatasetError(SentimentError):
    """An evaluation data file is missing or has a bad line."""
