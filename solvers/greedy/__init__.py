"""Greedy backend: a fast one-pass baseline with the same entry point as the CP-SAT backend."""

from solvers.greedy.solve import solve

__all__ = ["solve"]
