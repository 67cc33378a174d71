"""`recommend`: allowed professionals with room, vast gezicht first, then fit, then load."""

from __future__ import annotations

from builders import case, context, fam, pro, reg

from planner.recommend import recommend


def test_ranking_keeps_current_then_fit_then_lowest_load():
    ps = [
        pro("P1", wijken=("Noord",)),
        pro("P2", wijken=("Noord",), fte=0.5),
        pro("P3"),
        pro("P4", expertise=()),
        pro("P5", fte=0.1, max_families=1),
    ]
    families = [
        fam("G1", wijk="Noord", current_primary="P3"),
        fam("G2", current_primary="P5"),
        fam("G3", current_primary="P1"),
    ]
    cases = [case("C1", "G1"), case("C2", "G2"), case("C3", "G3", hours=10)]
    ctx = context(ps, [reg(p.id) for p in ps if p.id != "P4"], families, cases)
    res = recommend(ctx, ctx.families["G1"])
    ids = [r.professional_id for r in res.recommendations]
    # P3 keeps the vast gezicht; P1 and P2 share the wijk, P2 has less load after placement
    assert ids == ["P3", "P2", "P1"]
    assert res.recommendations[0].keeps_current
    assert "blijft vast gezicht" in res.recommendations[0].reasons
    assert "zelfde wijk (Noord)" in res.recommendations[1].reasons
    assert res.full == ["P5 (1 gezinnen, maximaal 1)"]
    assert res.recommendations[1].load_after == 1.0


def test_nobody_allowed_explains_near_misses():
    ps = [pro("P1")]
    ctx = context(ps, [reg("P1")], [fam("G1")], [case("C1", "G1", required_expertise=("lvb",))])
    res = recommend(ctx, ctx.families["G1"])
    assert res.recommendations == []
    assert res.not_allowed == ["P1: mist expertise lvb"]


def test_own_family_hours_do_not_block_its_current_primary():
    ctx = context(
        [pro("P1", fte=0.1)],
        [reg("P1")],
        [fam("G1", current_primary="P1")],
        [case("C1", "G1", hours=2.5)],
    )
    res = recommend(ctx, ctx.families["G1"])
    assert [r.professional_id for r in res.recommendations] == ["P1"]
    assert res.recommendations[0].load_after == 2.5
