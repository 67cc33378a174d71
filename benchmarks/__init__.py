"""Benchmark harness of the engine (not installed; run from the repository root)."""
