"""Benchmarks: run `python bench/engine.py` (see bench/README.md)."""
