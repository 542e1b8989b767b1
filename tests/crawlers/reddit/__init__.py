"""Tests of the Reddit collector against the local replay server."""
