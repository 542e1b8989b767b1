"""Mastodon collector tests."""
