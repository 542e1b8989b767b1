"""Tests of the collectors: brand matching, the feed spider, the pipelines."""
