"""The Streamlit dashboard through `streamlit.testing.v1.AppTest`: widgets -> session state ->
shown figures, for every page.

A plan runs in a background thread (`dashboard.state.PlanJob`); the tests click "Plan maken",
wait for the job's `done` event and run the script again, as the page's polling fragment would.
Solves use a 5-second time limit. One plan is made per module and injected into the session of
the tests that only read it.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from dashboard import data as dashboard_data  # noqa: E402
from dashboard.state import PlanResult  # noqa: E402
from dashboard.whatif import (  # noqa: E402
    Absent,
    AdoptPlan,
    Exclude,
    Leaving,
    Pin,
    Vacancy,
    apply_all,
    plan_diff,
)
from planner.facts import Context  # noqa: E402
from planner.io import read_dataset  # noqa: E402
from planner.model import Case, Family  # noqa: E402
from planner.recommend import recommend  # noqa: E402

APP = str(ROOT / "app.py")
DEMO = ROOT / "data" / "demo"
TIME_LIMIT = 5
TIMEOUT = 120
CASELOAD = "dashboard/pages/mijn_caseload.py"
NORMTOETS = "dashboard/pages/normtoets.py"


def new_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=TIMEOUT)


def no_exceptions(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def metric(at: AppTest, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}; have {[m.label for m in at.metric]}"
    return found[0]


# st.dataframe without selection has no widget id, so a table is found by its columns
TABLES: dict[str, set[str]] = {
    "as_table": {"Was", "Wijziging", "Toelichting"},
    "wl_table": {"Rang", "Wachtdagen", "Uren/week"},
    "wl_workload": {"Capaciteit (u/week)", "Bezetting"},
    "diff_table": {"Gezin", "Wat"},
    "input_errors": {"Bestand", "Rij", "Kolom", "Melding"},
    "match_table": {"Passend (score)", "Belasting na plaatsing (u)"},
    "my_families": {"Waarom jij", "Taal"},
    "my_regs": {"Register", "Titel", "Geldig tot"},
    "nt_families": {"Toets primair", "Grondslag"},
    "nt_expiring": {"Gezinnen nu (gegevens)"},
    "nt_coverage": {"Gebied", "Omschrijving", "Dekking"},
    "nt_tags": {"Expertise", "Gebied"},
    "nt_nobody": {"Ernst", "Code", "Betreft", "Melding"},
    "nt_pins": {"Gezin", "Professional", "Reden"},
}


def frames(at: AppTest, name: str) -> list[pd.DataFrame]:
    want = TABLES[name]
    return [df.value for df in at.dataframe if want <= set(df.value.columns)]


def frame(at: AppTest, name: str) -> pd.DataFrame:
    found = frames(at, name)
    assert found, f"no table {name!r} on the page"
    return found[0]


def has_frame(at: AppTest, name: str) -> bool:
    return bool(frames(at, name))


def button(at: AppTest, label: str):
    found = [b for b in at.button if b.label == label]
    assert found, f"no button {label!r}; have {[b.label for b in at.button]}"
    return found[0]


def wait_for_plan(at: AppTest) -> None:
    job = at.session_state["plan_job"]
    assert job.done.wait(TIMEOUT), "the plan did not finish"
    at.run()
    no_exceptions(at)


def make_plan(at: AppTest, time_limit: int = TIME_LIMIT) -> PlanResult:
    at.number_input(key="time_limit").set_value(time_limit)
    at.button(key="plan_make").click().run()
    no_exceptions(at)
    wait_for_plan(at)
    return at.session_state["plan"]


@pytest.fixture(scope="module")
def planned() -> tuple[AppTest, PlanResult]:
    at = new_app().run()
    no_exceptions(at)
    return at, make_plan(at)


@pytest.fixture(scope="module")
def demo_ds():
    return read_dataset(DEMO)


# --------------------------------------------------------------------------------------------
# Toedelen


def test_first_render_shows_the_demo_team_and_no_plan():
    at = new_app().run()
    no_exceptions(at)
    assert at.title[0].value == "Toedelen"
    assert at.radio(key="data_choice").value == "Demoteam"
    assert at.date_input(key="plan_date").value.isoformat() == "2026-12-01"
    assert at.number_input(key="time_limit").value == 20  # policy.toml of the demo team
    assert not at.checkbox(key="cross_team").value
    assert any("Nog geen plan" in i.value for i in at.info)
    assert "plan" not in at.session_state
    assert any("320 gezinnen" in m.value for m in at.sidebar.markdown)


def test_settings_survive_a_page_switch():
    at = new_app().run()
    at.number_input(key="time_limit").set_value(7).run()
    at.checkbox(key="cross_team").check().run()
    at.switch_page(NORMTOETS).run()
    no_exceptions(at)
    at.switch_page("dashboard/pages/toedelen.py").run()
    no_exceptions(at)
    assert at.number_input(key="time_limit").value == 7
    assert at.checkbox(key="cross_team").value


def test_plan_shows_the_summary_figures(planned):
    at, res = planned
    counts = res.report.summary["counts"]
    assert metric(at, "Geplaatst") == str(counts["placed"])
    assert metric(at, "Wachtlijst") == str(counts["waiting"])
    assert metric(at, "Wisselingen") == str(counts["changes"])
    assert counts["placed"] + counts["waiting"] == counts["families"] == 320
    assert metric(at, "Bevindingen") == str(len(res.report.summary["findings"]))
    assert res.settings.time_limit == TIME_LIMIT
    assert res.report.summary["rule_violations"] == 0
    # the tables show the plan's own rows
    assignments = frame(at, "as_table")
    assert len(assignments) == len(res.report.assignments)
    primaries = assignments[assignments["Rol"] == "primair"]
    assert len(primaries) == counts["placed"]
    assert set(primaries["Gezin"]) == set(res.plan.primary_of())
    waiting = frame(at, "wl_table")
    assert len(waiting) == counts["waiting"]
    assert list(waiting["Rang"]) == list(range(1, counts["waiting"] + 1))
    assert waiting["Toelichting"].str.len().min() > 0  # every waiting family has a reason
    workload = frame(at, "wl_workload")
    assert set(workload["Professional"]) == set(res.ctx.professionals)
    assert (workload["Belasting (u/week)"] <= workload["Capaciteit (u/week)"] + 1e-6).all()
    # the comparison with the hand-made baseline
    base = res.report.summary["baseline"]
    assert metric(at, "Geplaatst (handwerk)") == str(base["placed"])
    assert metric(at, "Keuzes in strijd met de norm (handwerk)") == str(
        base["choices_breaking_norm"]
    )
    assert metric(at, "Handwerk: zonder vereiste expertise") == str(
        base["missing_required_expertise"]
    )
    assert base["choices_breaking_norm"] > 0
    assert any(s.value.startswith("Plan #1") for s in at.subheader)


def test_assignment_filters_and_search(planned):
    at, res = planned
    at.multiselect(key="as_roles").set_value(["achtervang"]).run()
    view = frame(at, "as_table")
    assert len(view) == res.report.summary["counts"]["backups_placed"]
    assert set(view["Rol"]) == {"achtervang"}
    at.multiselect(key="as_roles").set_value([])
    fid = next(iter(res.plan.primary_of()))
    at.text_input(key="as_search").set_value(fid).run()
    view = frame(at, "as_table")
    assert len(view) >= 1 and (view["Gezin"] == fid).any()
    at.text_input(key="as_search").set_value("").run()
    assert len(frame(at, "as_table")) == len(res.report.assignments)


def test_selecting_a_waiting_family_shows_why_it_waits(planned):
    at, res = planned
    first = next(w for w in res.report.waiting if w.role == "primary")
    at.session_state["wl_table"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    no_exceptions(at)
    details = [m.value for m in at.markdown if f"Gezin {first.family_id}" in m.value]
    assert details, "the details of the selected family are shown"
    assert any(first.reason in m.value for m in at.markdown)
    at.session_state["wl_table"] = {"selection": {"rows": [], "columns": []}}
    at.run()


def test_downloads_hold_the_plan(planned):
    at, res = planned
    zipped = zipfile.ZipFile(io.BytesIO(res.downloads["zip"]))
    assert sorted(zipped.namelist()) == [
        "assignments.csv",
        "summary.json",
        "waiting.csv",
        "workload.csv",
    ]
    summary = json.loads(zipped.read("summary.json"))
    assert summary["counts"] == res.report.summary["counts"]
    rows = list(csv.DictReader(io.StringIO(zipped.read("assignments.csv").decode())))
    assert len(rows) == len(res.report.assignments)
    book = load_workbook(io.BytesIO(res.downloads["xlsx"]))
    assert book.sheetnames == [
        "Samenvatting",
        "Toedeling",
        "Wachtlijst",
        "Belasting",
        "Doelen",
        "Bevindingen",
    ]
    assert book["Toedeling"].max_row == len(res.report.assignments) + 1
    summary_sheet = {r[0]: r[1] for r in book["Samenvatting"].iter_rows(values_only=True)}
    assert summary_sheet["Geplaatst"] == res.report.summary["counts"]["placed"]
    labels = [b.label for b in at.get("download_button")]
    assert "Download plan (CSV, zip)" in labels and "Download plan (Excel)" in labels


def test_whatif_leaving_professional_changes_the_plan(planned):
    _, first = planned
    at = new_app()
    at.session_state["plan"] = first  # the previous plan, made in this session
    at.run()
    at.number_input(key="time_limit").set_value(TIME_LIMIT).run()
    leaving = max(
        (p for p in first.ctx.professionals),
        key=lambda p: list(first.plan.primary_of().values()).count(p),
    )
    theirs = sorted(f for f, p in first.plan.primary_of().items() if p == leaving)
    assert theirs
    # take plan #1 as the starting point, then let the busiest professional leave
    at.button(key="wi_adopt").click().run()
    at.selectbox(key="wi_abs_pro").set_value(leaving).run()
    at.radio(key="wi_abs_kind").set_value("vertrekt uit het team").run()
    at.button(key="wi_abs_add").click().run()
    no_exceptions(at)
    edits = at.session_state["whatif"]
    assert edits[0] == AdoptPlan.of(1, first.plan, list(first.ctx.families))
    assert edits[1:] == [Leaving(leaving, first.settings.plan_date)]
    assert any("veranderd sinds plan #1" in i.value for i in at.info)
    at.button(key="plan_make").click().run()
    wait_for_plan(at)
    second = at.session_state["plan"]
    assert second.edits == (
        "plan #1 als huidige toedeling",
        f"{leaving} vertrekt per {first.settings.plan_date.isoformat()}",
    )
    assert leaving not in second.plan.primary_of().values()
    # relative to the adopted plan, the leaver's families are the changed ones
    changed = {
        r.family_id for r in second.report.assignments if r.role == "primary" and r.change != "kept"
    }
    assert changed & set(theirs)
    moves = plan_diff(first.plan, second.plan)
    moved = {m.family_id for m in moves}
    assert set(theirs) <= moved  # every family of the leaver moved or now waits
    assert any(s.value == "Verschil met plan #1" for s in at.subheader)
    table = frame(at, "diff_table")
    assert set(table["Gezin"]) == moved
    shown_moves = int(metric(at, "Gezinnen verhuisd"))
    assert shown_moves == sum(1 for m in moves if m.kind == "verhuist")
    # removing the what-ifs marks the plan stale again
    at.button(key="wi_clear").click().run()
    assert at.session_state["whatif"] == []
    assert any("veranderd sinds plan #2" in i.value for i in at.info)


def test_whatif_leaving_with_stable_replanning(planned):
    _, first = planned
    at = new_app()
    at.session_state["plan"] = first
    at.run()
    at.number_input(key="time_limit").set_value(TIME_LIMIT).run()
    per = Counter(first.plan.primary_of().values())
    leaving = min(per, key=lambda p: (-per[p], p))
    at.button(key="wi_adopt").click().run()
    at.selectbox(key="wi_abs_pro").set_value(leaving).run()
    at.radio(key="wi_abs_kind").set_value("vertrekt uit het team").run()
    at.button(key="wi_abs_add").click().run()
    at.checkbox(key="stable").check().run()
    no_exceptions(at)
    at.button(key="plan_make").click().run()
    wait_for_plan(at)
    second = at.session_state["plan"]
    assert second.settings.stable
    assert any(m.startswith("stabiel herplannen:") for m in second.plan.messages)
    names = [lv.name for lv in second.plan.levels]
    assert names.index("vast-gezicht") < names.index("plaatsen-regulier")
    assert leaving not in second.plan.primary_of().values()


def test_stop_returns_the_best_plan_so_far():
    at = new_app().run()
    at.number_input(key="time_limit").set_value(120)
    at.button(key="plan_make").click().run()
    job = at.session_state["plan_job"]
    assert any(b.label == "Stoppen" for b in at.button)
    # wait until the search has found a first plan (level 2 starts after level 1 is solved)
    import time

    for _ in range(600):
        if job.done.is_set() or (job.level is not None and job.level_index >= 1):
            break
        time.sleep(0.1)
    at.button(key="plan_stop").click().run()
    assert job.stop.is_set()
    wait_for_plan(at)
    res = at.session_state["plan"]
    assert res.stopped
    assert any("Gestopt" in w.value for w in at.warning)
    counts = res.report.summary["counts"]
    assert metric(at, "Geplaatst") == str(counts["placed"])


def _demo_files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in DEMO.iterdir() if p.suffix in (".csv", ".toml")}


def _upload(at: AppTest, files: dict[str, bytes]) -> AppTest:
    at.radio(key="data_choice").set_value("Eigen gegevens").run()
    at.file_uploader(key="upload_files").set_value(
        [(name, data, "application/octet-stream") for name, data in files.items()]
    )
    return at.run()


def test_upload_with_broken_files_shows_the_error_table_and_plans_nothing():
    files = _demo_files()
    del files["cases.csv"]
    lines = files["professionals.csv"].decode().splitlines()
    cells = lines[1].split(",")
    cells[4] = "veel"  # fte of the first professional (row 2)
    lines[1] = ",".join(cells)
    files["professionals.csv"] = ("\n".join(lines) + "\n").encode()
    at = _upload(new_app().run(), files)
    no_exceptions(at)
    errors = frame(at, "input_errors")
    assert list(errors.columns) == ["Bestand", "Rij", "Kolom", "Melding"]
    rows = {(r.Bestand, r.Rij if pd.notna(r.Rij) else None, r.Kolom) for r in errors.itertuples()}
    assert ("professionals.csv", 2, "fte") in rows
    assert ("cases.csv", None, "") in rows
    assert any("verplicht bestand ontbreekt" in m for m in errors["Melding"])
    assert at.session_state["uploaded"].dataset is None
    assert not [b for b in at.button if b.label == "Plan maken"]
    assert "plan" not in at.session_state and "plan_job" not in at.session_state
    assert any("fout" in e.value for e in at.error)


def test_upload_broken_workbook_names_the_sheet_and_row(demo_ds):
    book = load_workbook(io.BytesIO(dashboard_data.dataset_workbook(demo_ds)))
    ws = book["families"]
    header = [c.value for c in ws[1]]
    ws.cell(row=4, column=header.index("registered_on") + 1, value="01-03-2026")
    out = io.BytesIO()
    book.save(out)
    at = _upload(new_app().run(), {"team.xlsx": out.getvalue()})
    no_exceptions(at)
    errors = frame(at, "input_errors")
    assert len(errors) == 1
    row = errors.iloc[0]
    assert (row["Bestand"], row["Rij"], row["Kolom"]) == (
        "team.xlsx, werkblad families",
        4,
        "registered_on",
    )
    assert "JJJJ-MM-DD" in row["Melding"]
    assert not [b for b in at.button if b.label == "Plan maken"]


def test_upload_workbook_reads_the_same_dataset(demo_ds):
    at = _upload(new_app().run(), {"team.xlsx": dashboard_data.dataset_workbook(demo_ds)})
    no_exceptions(at)
    loaded = at.session_state["uploaded"]
    assert loaded.ok and loaded.label == "upload: team.xlsx"
    assert loaded.dataset.model_dump(exclude={"source"}) == demo_ds.model_dump(exclude={"source"})
    assert not has_frame(at, "input_errors")
    assert button(at, "Plan maken")
    assert any("upload: team.xlsx" in m.value for m in at.sidebar.markdown)


def test_workbook_missing_sheet_is_named(demo_ds, tmp_path):
    book = load_workbook(io.BytesIO(dashboard_data.dataset_workbook(demo_ds)))
    del book["cases"]
    book.create_sheet("notities")
    out = io.BytesIO()
    book.save(out)
    loaded = dashboard_data.load_upload([("team.xlsx", out.getvalue())])
    assert loaded.dataset is None
    assert [(e.where, e.message) for e in loaded.errors] == [
        ("team.xlsx, werkblad cases", "verplicht werkblad ontbreekt")
    ]
    assert next((w.where, w.message) for w in loaded.warnings) == (
        "team.xlsx, werkblad notities",
        "onbekend werkblad genegeerd",
    )
    assert (
        dashboard_data.load_upload([("x.xlsx", b"no workbook")])
        .errors[0]
        .message.startswith("geen geldige Excel-werkmap")
    )


def test_best_match_for_an_existing_and_a_new_family(demo_ds):
    at = new_app().run()
    at.radio(key="match_mode").set_value("Bestaand gezin kiezen").run()
    at.selectbox(key="match_family").set_value("G0011").run()
    no_exceptions(at)
    ctx = Context(demo_ds)
    expected = recommend(ctx, ctx.families["G0011"])
    shown = frame(at, "match_table")
    assert len(shown) == len(expected.recommendations) <= 3
    assert [p.split()[0] for p in shown["Professional"]] == [
        r.professional_id for r in expected.recommendations
    ]
    assert list(shown["Belasting na plaatsing (u)"]) == [
        r.load_after for r in expected.recommendations
    ]
    # a new family that needs lvb expertise and has a high safety risk
    at.radio(key="match_mode").set_value("Nieuw gezin invoeren").run()
    at.selectbox(key="nf_wijk").set_value("Noord")
    at.selectbox(key="nf_safe_0").set_value("hoog")
    at.multiselect(key="nf_req_0").set_value(["lvb"])
    button(at, "Zoek beste match").click().run()
    no_exceptions(at)
    shown = frame(at, "match_table")
    fam = Family(id="NIEUW", team="WT01", wijk="Noord", language="nl", registered_on=ctx.plan_date)
    case = Case(
        id="NIEUW-1",
        family_id="NIEUW",
        age=8,
        phase="aanmelding",
        intensity="middel",
        safety="hoog",
        required_expertise=("lvb",),
    )
    ds = demo_ds.model_copy(
        update={"families": (*demo_ds.families, fam), "cases": (*demo_ds.cases, case)}
    )
    ctx2 = Context(ds)
    expected = recommend(ctx2, fam)
    assert [p.split()[0] for p in shown["Professional"]] == [
        r.professional_id for r in expected.recommendations
    ]
    assert all(
        "lvb" in ctx2.professionals[r.professional_id].expertise for r in expected.recommendations
    )
    assert any("prioriteit **spoed**" in m.value for m in at.markdown)


# --------------------------------------------------------------------------------------------
# Mijn caseload


def test_caseload_without_a_plan_shows_the_current_assignment(demo_ds):
    at = new_app().run()
    at.switch_page(CASELOAD).run()
    no_exceptions(at)
    assert at.title[0].value == "Mijn caseload"
    assert any("nog geen plan" in i.value for i in at.info)
    assert button(at, "Plan maken")
    at.selectbox(key="my_professional").set_value("P006").run()
    current = sorted(f.id for f in demo_ds.families if f.current_primary == "P006")
    shown = frame(at, "my_families")
    assert sorted(shown["Gezin"]) == current
    # P006's registration lapsed: the rules say so for every family
    assert shown["Waarom jij"].str.contains("verlopen").all()
    regs = frame(at, "my_regs")
    assert regs["Status"].str.contains("verlopen").any()
    assert any("registratie verlopen" in w.value for w in at.warning)


def test_caseload_shows_the_families_of_one_professional(planned):
    _, res = planned
    at = new_app()
    at.session_state["plan"] = res
    at.run()
    at.switch_page(CASELOAD).run()
    pid = "P003"
    at.selectbox(key="my_professional").set_value(pid).run()
    no_exceptions(at)
    mine = sorted(f for f, p in res.plan.primary_of().items() if p == pid)
    shown = frame(at, "my_families")
    assert sorted(shown["Gezin"]) == mine
    assert metric(at, "Mijn gezinnen") == str(len(mine))
    reasons = {r.family_id: r.reasons for r in res.report.assignments if r.role == "primary"}
    assert all(shown.set_index("Gezin")["Waarom jij"][f] == reasons[f] for f in mine)
    labels = [e.label for e in at.expander]
    assert all(any(lbl.startswith(f) for lbl in labels) for f in mine)
    backups = sorted(f for f, p in res.plan.backup_of().items() if p == pid)
    assert metric(at, "Achtervang voor") == str(len(backups))
    workload = {w.professional_id: w for w in res.report.workload}[pid]
    assert metric(at, f"Belasting (capaciteit {_nl(workload.capacity_hours)})") == _nl(
        workload.load_hours
    )
    assert not frame(at, "my_regs").empty


def _nl(hours: float) -> str:
    from planner.facts import nl_hours

    return nl_hours(hours)


# --------------------------------------------------------------------------------------------
# Normtoets


def test_normtoets_shows_coverage_expiring_registrations_nobody_and_pins(demo_ds):
    at = new_app().run()
    at.switch_page(NORMTOETS).run()
    no_exceptions(at)
    assert at.title[0].value == "Normtoets"
    coverage = frame(at, "nt_coverage")
    assert list(coverage["Gebied"]) == list("abcdef")
    assert {p.id for p in demo_ds.professionals} <= set(coverage.columns)
    assert (coverage["Beschikbaar"] > 0).all()  # the demo team covers a-f
    assert "ggz-jeugd" in coverage.set_index("Gebied").loc["a", "P001"]
    tags = frame(at, "nt_tags")
    assert set(tags["Expertise"]) == {t for p in demo_ds.professionals for t in p.expertise}
    expiring = frame(at, "nt_expiring")
    assert set(expiring["Professional"]) == {"P006", "P015"}
    assert metric(at, "Registraties verlopen(d)") == "2"
    nobody = frame(at, "nt_nobody")
    assert list(nobody["Betreft"]) == ["G0042"]
    pins = frame(at, "nt_pins")
    assert set(pins["Gezin"]) == {"G0090", "G0182"}
    families = frame(at, "nt_families")
    assert len(families) == len(demo_ds.families)
    # current assignment: the expired registration and the long leave break the norm
    bad = families[families["Status"] == "✘ voldoet niet"]
    assert {"P006", "P011"} <= set(bad["Primair"])
    tenzij = families[families["Grondslag"] == "tenzij-besluit"]
    assert {"G0013", "G0160", "G0022"} <= set(tenzij["Gezin"])
    at.multiselect(key="nt_basis").set_value(["stagiair onder verantwoordelijkheid"]).run()
    interns = frame(at, "nt_families")
    assert len(interns) > 0 and set(interns["Primair"]) == {"P010"}


def test_normtoets_after_a_plan_meets_the_norm(planned):
    _, res = planned
    at = new_app()
    at.session_state["plan"] = res
    at.run()
    at.switch_page(NORMTOETS).run()
    no_exceptions(at)
    families = frame(at, "nt_families")
    placed = families[families["Primair"] != ""]
    assert len(placed) == res.report.summary["counts"]["placed"]
    assert (placed["Status"] == "✔ voldoet").all()
    assert metric(at, "Voldoet niet") == "0"
    assert metric(at, "Gebroken pins") == str(len(res.plan.broken_pins))


# --------------------------------------------------------------------------------------------
# The what-if edits on their own


def test_whatif_edits_change_only_their_field(demo_ds):
    d = demo_ds.policy.plan_date
    vac = Vacancy(
        "VAC01",
        "WT01",
        "gezinswerker",
        0.8,
        "SKJ",
        "jeugd- en gezinsprofessional",
        ("lvb",),
        ("risicotaxatie",),
        ("Noord",),
    )
    ds = apply_all(
        demo_ds,
        [Absent("P003", d, d), Pin("G0001", True), Exclude("G0001", "P003"), vac],
    )
    ctx = Context(ds)
    assert ctx.professionals["P003"].absent_from == d
    assert ctx.families["G0001"].pinned and "P003" in ctx.families["G0001"].excluded
    assert ctx.valid_registrations("VAC01")
    assert ctx.capacity_hours("VAC01") == pytest.approx(0.8 * 36 * 0.7)
    assert len(ds.families) == len(demo_ds.families)
    left = Context(Leaving("P003", d).apply(demo_ds))
    assert left.long_absent("P003")
