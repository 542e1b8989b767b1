"""YouTube collector tests."""
