"""A fixed date for a whole test run, child processes included (see sitecustomize)."""
