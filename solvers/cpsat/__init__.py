"""CP-SAT backend: one Boolean per option, lexicographic levels solved one after the other."""

from solvers.cpsat.model import AssignmentModel
from solvers.cpsat.solve import solve

__all__ = ["AssignmentModel", "solve"]
