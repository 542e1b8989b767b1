"""Spiders, one module per source kind; a spider's name is its module's name."""
