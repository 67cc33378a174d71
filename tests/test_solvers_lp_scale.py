"""The scale of a level against its tie-break in the LP that guides the warm starts."""

from __future__ import annotations

import importlib

from hypothesis import given
from hypothesis import strategies as st

cpsat_solve = importlib.import_module("solvers.cpsat.solve")  # the package exports solve()

weights = st.dictionaries(st.integers(0, 30), st.integers(-1_000, 1_000), min_size=1)


def test_the_exact_scale_is_kept_while_glop_can_take_it() -> None:
    coef, tie = {0: 35, 1: 1}, {0: 200, 1: 1}
    assert cpsat_solve._lp_scale(1_001, coef, tie) == 1_001


def test_a_scale_too_large_for_glop_comes_down_to_just_over_twice_the_largest_tie() -> None:
    coef, tie = {0: 806, 1: 1}, {0: -300, 1: 1}
    exact = 2 * 600_000 + 1  # 806 * exact is about 9.7e8, as on a city team part
    assert cpsat_solve._lp_scale(exact, coef, tie) == 601


@given(weights, weights, st.integers(1, 10**9))
def test_options_that_differ_on_the_level_stay_ordered_by_it(
    coef: dict[int, int], tie: dict[int, int], exact: int
) -> None:
    top = max(abs(c) for c in tie.values())
    exact = max(exact, 2 * top + 1)  # the exact scale is over twice any one tie weight
    scale = cpsat_solve._lp_scale(exact, coef, tie)
    assert 1 <= scale <= exact
    if scale != exact:  # only when the exact one is too large for GLOP
        assert exact * max(abs(c) for c in coef.values()) > cpsat_solve.LP_MAX_COEFFICIENT
    for a in coef:
        for b in coef:
            if coef[a] > coef[b]:
                assert scale * coef[a] + tie.get(a, 0) > scale * coef[b] + tie.get(b, 0)
