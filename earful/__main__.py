"""``python -m earful`` runs the CLI."""

from earful.cli import main

main()
