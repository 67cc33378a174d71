"""Session state of the dashboard and the background plan job.

The data choice, the plan settings and the what-if edits live in `st.session_state`; together
they give the *current* dataset (cached per content key, as is its `Context`). "Plan maken"
starts a `PlanJob`: a thread that runs `planner.plan.make_plan` and builds the report and the
downloads, while the page polls its progress (see `components.plan_progress`). Setting the job's
stop event ends the search; the best plan found so far is kept. A finished job is harvested at
the start of the next run: its result becomes the latest plan and the one before it is kept for
the difference.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
import traceback
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import streamlit as st

from dashboard.data import DEMO_DIR, Loaded, demo_signature, load_folder
from dashboard.whatif import WhatIf, apply_all
from planner.facts import Context
from planner.findings import Finding, all_findings
from planner.model import Dataset

if TYPE_CHECKING:  # the engine (OR-Tools) is imported when the first plan is made
    from dashboard.tables import PlanFrames
    from planner.compile import Compiled
    from planner.plan import Plan
    from planner.report import Report

# session state keys
DATA_CHOICE = "data_choice"
UPLOADED = "uploaded"
PLAN_DATE = "plan_date"
TIME_LIMIT = "time_limit"
CROSS_TEAM = "cross_team"
STABLE = "stable"
SETTINGS_FOR = "settings_for"
WHATIF = "whatif"
JOB = "plan_job"
PLAN = "plan"
PREVIOUS = "previous_plan"
PLAN_COUNTER = "plan_counter"

DEMO = "Demoteam"
UPLOAD = "Eigen gegevens"

REPORT_RESERVE_SECONDS = 0.8
"""Time kept free after the search for the report, the downloads and showing the result."""
MIN_SOLVE_SECONDS = 1.0


@dataclass(frozen=True)
class Settings:
    plan_date: dt.date
    time_limit: float
    cross_team: bool
    stable: bool = False  # re-plan: only families that must move are placed again


@dataclass(frozen=True)
class Current:
    """The dataset the pages work on: loaded data + settings + what-if edits."""

    loaded: Loaded
    settings: Settings | None
    edits: tuple[WhatIf, ...]
    key: str
    dataset: Dataset | None
    ctx: Context | None


# --------------------------------------------------------------------------------------------
# Cached loading


@st.cache_resource(show_spinner=False, max_entries=4)
def _demo(signature: str) -> Loaded:
    return load_folder(DEMO_DIR, "Demoteam (data/demo)")


def demo() -> Loaded:
    return _demo(demo_signature())


@st.cache_resource(show_spinner=False, max_entries=16)
def context_for(key: str, _dataset: Dataset) -> Context:
    """One Context per dataset content key (shared, read-only)."""
    return Context(_dataset)


@st.cache_resource(show_spinner=False, max_entries=16)
def findings_for(key: str, _ctx: Context) -> list[Finding]:
    return all_findings(_ctx)


def loaded() -> Loaded:
    if st.session_state.get(DATA_CHOICE, DEMO) == UPLOAD:
        up = st.session_state.get(UPLOADED)
        if up is not None:
            return up
    return demo()


def ensure_settings(data: Loaded) -> None:
    """(Re)set the plan settings to the policy of newly chosen data. Call before the widgets."""
    if data.dataset is None or st.session_state.get(SETTINGS_FOR) == data.key:
        return
    policy = data.dataset.policy
    st.session_state[PLAN_DATE] = policy.plan_date
    st.session_state[TIME_LIMIT] = max(2, round(policy.time_limit))
    st.session_state[CROSS_TEAM] = policy.cross_team
    st.session_state[STABLE] = False
    st.session_state[SETTINGS_FOR] = data.key
    st.session_state[WHATIF] = []


def settings(data: Loaded) -> Settings | None:
    if data.dataset is None:
        return None
    ensure_settings(data)
    ss = st.session_state
    return Settings(
        ss[PLAN_DATE], float(ss[TIME_LIMIT]), bool(ss[CROSS_TEAM]), bool(ss.get(STABLE, False))
    )


def edits() -> list[WhatIf]:
    return st.session_state.setdefault(WHATIF, [])


def dataset_key(data: Loaded, s: Settings, changes: list[WhatIf] | tuple[WhatIf, ...]) -> str:
    text = "|".join(
        [data.key, s.plan_date.isoformat(), str(s.cross_team), *(repr(c) for c in changes)]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def effective(data: Loaded, s: Settings, changes: list[WhatIf]) -> Dataset:
    assert data.dataset is not None
    ds = data.dataset
    policy = ds.policy.model_copy(
        update={"plan_date": s.plan_date, "cross_team": s.cross_team, "time_limit": s.time_limit}
    )
    return apply_all(ds.model_copy(update={"policy": policy}), changes)


def current() -> Current:
    data = loaded()
    s = settings(data)
    changes = list(edits())
    if s is None or data.dataset is None:
        return Current(data, None, tuple(changes), data.key, None, None)
    key = dataset_key(data, s, changes)
    ds = effective(data, s, changes)
    return Current(data, s, tuple(changes), key, ds, context_for(key, ds))


# --------------------------------------------------------------------------------------------
# Plan results and the background job


@dataclass
class PlanResult:
    """A finished plan with everything the pages show and download."""

    number: int
    dataset_key: str
    loaded_key: str
    settings: Settings
    edits: tuple[str, ...]
    ctx: Context
    plan: Plan
    baseline: Plan | None
    report: Report
    findings: list[Finding]
    made_at: dt.datetime
    wall_seconds: float
    stopped: bool
    downloads: dict[str, bytes] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return self.report.summary["counts"]

    @cached_property
    def frames(self) -> PlanFrames:
        from dashboard.tables import PlanFrames

        return PlanFrames.build(self)


@dataclass
class PlanJob:
    """A plan being made in a background thread; the page polls it."""

    current: Current
    time_limit: float
    number: int
    stop: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    started: float = field(default_factory=time.perf_counter)
    phase: str = "voorbereiden"
    level: str | None = None
    level_index: int = 0
    level_total: int = 0
    labels: dict[str, str] = field(default_factory=dict)
    result: PlanResult | None = None
    error: Exception | None = None
    details: str | None = None
    thread: threading.Thread | None = None

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def on_level(self, name: str, index: int, total: int) -> None:
        self.phase = "zoeken"
        self.level, self.level_index, self.level_total = name, index, total

    def progress_text(self) -> str:
        if self.stop.is_set() and not self.done.is_set():
            return "Stoppen gevraagd: het beste plan tot nu toe wordt uitgewerkt…"
        if self.phase == "zoeken" and self.level:
            label = self.labels.get(self.level, "")
            return f"Doel {self.level_index + 1} van {self.level_total}: **{self.level}**" + (
                f" — {label}" if label else ""
            )
        return {
            "voorbereiden": "Voorbereiden: regels toepassen op alle gezinnen en professionals…",
            "handwerk": "Vergelijking maken met handwerk (zelfde wijk, laagste caseload)…",
            "uitleg": "Uitleg, wachtlijst en downloads opstellen…",
        }.get(self.phase, self.phase)

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="plan-job", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.result = self._make()
        except Exception as exc:  # shown as a message; the details stay in an expander
            self.error = exc
            self.details = traceback.format_exc()
        finally:
            self.done.set()

    def _labels(self, compiled: Compiled) -> None:
        self.labels = compiled.level_labels

    def _make(self) -> PlanResult:
        from planner.plan import make_plan
        from planner.report import build_report

        cur = self.current
        assert cur.dataset is not None and cur.settings is not None
        ctx = Context(cur.dataset)  # a private Context: the thread does not share lazy caches
        self.phase = "handwerk"
        baseline = make_plan(ctx, "greedy")
        findings = all_findings(ctx)
        if self.stop.is_set():
            raise Stopped
        # make_plan counts its own compiling in its limit
        budget = self.time_limit - self.elapsed() - REPORT_RESERVE_SECONDS
        plan = make_plan(
            ctx,
            "cpsat",
            time_limit=max(MIN_SOLVE_SECONDS, budget),
            on_level=self.on_level,
            stop=self.stop,
            stable=cur.settings.stable,
            on_compiled=self._labels,
        )
        if plan.status in ("unknown", "infeasible", "invalid"):
            raise Stopped if self.stop.is_set() else NoPlan(plan.status, plan.messages)
        self.phase = "uitleg"
        report = build_report(ctx, plan, baseline, findings)
        result = PlanResult(
            number=self.number,
            dataset_key=cur.key,
            loaded_key=cur.loaded.key,
            settings=cur.settings,
            edits=tuple(e.describe() for e in cur.edits),
            ctx=ctx,
            plan=plan,
            baseline=baseline,
            report=report,
            findings=findings,
            made_at=dt.datetime.now(),
            wall_seconds=0.0,
            stopped=self.stop.is_set(),
        )
        from dashboard.downloads import build_downloads

        result.downloads = build_downloads(result)
        _ = result.frames
        result.wall_seconds = self.elapsed()
        return result


class Stopped(Exception):
    def __str__(self) -> str:
        return "gestopt voordat er een plan was"


class NoPlan(Exception):
    def __init__(self, status: str, messages: list[str]) -> None:
        super().__init__(status)
        self.status = status
        self.messages = messages

    def __str__(self) -> str:
        extra = f" ({'; '.join(self.messages)})" if self.messages else ""
        return f"geen plan gevonden: status {self.status}{extra}"


def job() -> PlanJob | None:
    return st.session_state.get(JOB)


def running() -> bool:
    j = job()
    return j is not None and not j.done.is_set()


def start_plan(cur: Current) -> PlanJob | None:
    """Start a plan for the current dataset unless one is running or the data has errors."""
    if running() or cur.dataset is None or cur.settings is None:
        return None
    last = latest()
    number = max(st.session_state.get(PLAN_COUNTER, 0), last.number if last else 0) + 1
    st.session_state[PLAN_COUNTER] = number
    j = PlanJob(cur, cur.settings.time_limit, number)
    st.session_state[JOB] = j
    j.start()
    return j


def harvest() -> None:
    """Move a finished job's plan into the session (the previous plan is kept for the diff)."""
    j = job()
    if j is None or not j.done.is_set():
        return
    if j.result is not None:
        prev = st.session_state.get(PLAN)
        st.session_state[PREVIOUS] = prev
        st.session_state[PLAN] = j.result
        st.session_state.pop("job_error", None)
    else:
        st.session_state["job_error"] = (j.error, j.details)
    del st.session_state[JOB]


def latest() -> PlanResult | None:
    return st.session_state.get(PLAN)


def previous() -> PlanResult | None:
    prev = st.session_state.get(PREVIOUS)
    cur = latest()
    if prev is None or cur is None or prev.loaded_key != cur.loaded_key:
        return None
    return prev
