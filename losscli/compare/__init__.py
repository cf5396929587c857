"""Comparing runs: paired statistics, gates and slices."""
