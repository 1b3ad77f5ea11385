"""Whole-process benchmarks for xl-dealer: ``python -m benchmarks`` (see the README, "Speed")."""
