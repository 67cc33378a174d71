"""Small builders for hand-made teams in tests (synthetic codes only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from planner.facts import Context
from planner.model import (
    Case,
    Dataset,
    Family,
    Policy,
    Professional,
    Registration,
    TenzijDecision,
)

PLAN_DATE = dt.date(2026, 12, 1)
FAR = dt.date(2030, 1, 1)


def pro(pid: str, **kw: Any) -> Professional:
    base: dict[str, Any] = {"id": pid, "team": "T1", "function": "gezinswerker", "fte": 1.0}
    base.update(kw)
    return Professional(**base)


def reg(
    pid: str, title: str = "jeugd- en gezinsprofessional", register: str = "SKJ", **kw: Any
) -> Registration:
    base: dict[str, Any] = {
        "professional_id": pid,
        "register": register,
        "title": title,
        "valid_until": FAR,
    }
    base.update(kw)
    return Registration(**base)


def fam(fid: str, **kw: Any) -> Family:
    base: dict[str, Any] = {"id": fid, "team": "T1", "registered_on": dt.date(2026, 10, 1)}
    base.update(kw)
    return Family(**base)


def case(cid: str, fid: str, **kw: Any) -> Case:
    base: dict[str, Any] = {
        "id": cid,
        "family_id": fid,
        "age": 8,
        "phase": "hulp",
        "intensity": "middel",
        "safety": "geen",
    }
    base.update(kw)
    return Case(**base)


def tenzij(
    pid: str, fid: str, limb: int = 1, reason: str = "specifieke deskundigheid"
) -> TenzijDecision:
    return TenzijDecision(professional_id=pid, family_id=fid, limb=limb, reason=reason)


def dataset(
    professionals: list[Professional],
    registrations: list[Registration],
    families: list[Family],
    cases: list[Case],
    exceptions: list[TenzijDecision] | None = None,
    **policy: Any,
) -> Dataset:
    policy.setdefault("plan_date", PLAN_DATE)
    policy.setdefault("time_limit", 10.0)
    return Dataset(
        professionals=tuple(professionals),
        registrations=tuple(registrations),
        families=tuple(families),
        cases=tuple(cases),
        exceptions=tuple(exceptions or ()),
        policy=Policy(**policy),
    )


def context(*args: Any, **kw: Any) -> Context:
    return Context(dataset(*args, **kw))
