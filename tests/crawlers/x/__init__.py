"""X collector tests."""
