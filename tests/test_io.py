"""Tests of planner.io: reading a dataset folder, every kind of input error, and writing it back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.io import (
    COLUMNS,
    InputError,
    InputErrors,
    InputProblem,
    policy_toml,
    read_dataset,
    read_dataset_with_warnings,
    read_policy,
    write_dataset,
)
from planner.model import (
    Case,
    Dataset,
    Family,
    Intensity,
    Phase,
    Policy,
    Professional,
    Register,
    Registration,
    Safety,
    TenzijDecision,
    Trigger,
    Urgency,
    Weights,
)
from planner.norms import load_norms

PROF_HEADER = (
    "id,name,team,function,fte,casework_share,max_families,expertise,trainings,wijken,"
    "languages,absent_from,absent_until,accepts_new,supervisor_id"
)

BASE: dict[str, str] = {
    "professionals.csv": PROF_HEADER
    + "\n"
    + "p1,Anna de Vries,noord,gezinswerker,0.8,,12,opvoeding;trauma,"
    "risicotaxatie;signs-of-safety,centrum,nl;en,,,true,\n"
    "p2,Bram Jansen,noord,gedragswetenschapper,1.0,0.6,,ggz-jeugd;lvb,meldcode,"
    "centrum;oost,nl,2026-04-01,2026-05-01,false,\n"
    "p3,Chris Smit,noord,stagiair,0.5,,,,,,,,,,p1\n",
    "registrations.csv": "professional_id,register,title,number,valid_until\n"
    "p1,SKJ,jeugdzorgwerker,110001234,2027-01-01\n"
    "p2,BIG,gz-psycholoog,19012345,2028-06-30\n"
    "p2,Registerplein,Sociaal werker,,2027-12-31\n",
    "families.csv": "id,team,wijk,language,registered_on,current_primary,current_backup,"
    "pinned,excluded\n"
    "f1,noord,centrum,nl,2026-01-15,p1,p2,false,\n"
    "f2,noord,oost,en,2026-02-01,,,false,p3\n",
    "cases.csv": "id,family_id,age,phase,intensity,hours,safety,urgency,required_expertise,"
    "preferred_expertise,triggers\n"
    "c1,f1,8,hulp,middel,,laag,regulier,opvoeding,trauma,\n"
    "c2,f1,14,analyse,intensief,3.5,hoog,hoog,,,psychiatrisch\n"
    "c3,f2,3,triage,licht,,geen,,,,\n",
    "exceptions.csv": "professional_id,family_id,limb,reason,decided_by,decided_on\n"
    "p3,f2,2,stagiair onder supervisie van p1,manager,2026-02-10\n",
    "policy.toml": "plan_date = 2026-03-01\n",
}


# --------------------------------------------------------------------------------------------
# Helpers


def make(folder: Path, files: dict[str, str | bytes | None]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if content is None:
            continue
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def edit(file: str, row: int, column: str, value: str, files: dict | None = None) -> dict:
    """A copy of `files` (default BASE) with one cell changed; row is the Excel row (data = 2+)."""
    files = dict(BASE if files is None else files)
    records = list(csv.reader(io.StringIO(files[file])))
    records[row - 1][records[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(records)
    files[file] = out.getvalue()
    return files


def append(file: str, line: str, files: dict | None = None) -> dict:
    files = dict(BASE if files is None else files)
    files[file] = files[file] + line + "\n"
    return files


def errors(folder: Path) -> list[InputError]:
    with pytest.raises(InputErrors) as info:
        read_dataset(folder)
    text = str(info.value)
    assert "Traceback" not in text
    assert "validation error" not in text.lower()
    assert "pydantic" not in text.lower()
    return info.value.errors


def has(
    errs: Sequence[InputProblem], file: str, row: int | None, column: str | None, *words: str
) -> InputProblem:
    for e in errs:
        if (e.file, e.row, e.column) == (file, row, column) and all(
            w.lower() in e.message.lower() for w in words
        ):
            return e
    raise AssertionError(
        f"no error {file}:{row}:{column} mentioning {words}; got:\n"
        + "\n".join(str(e) for e in errs)
    )


def read_errors(tmp_path: Path, files: dict) -> list[InputError]:
    return errors(make(tmp_path / "in", files))


# --------------------------------------------------------------------------------------------
# A valid dataset


def test_base_dataset_reads(tmp_path: Path) -> None:
    result = read_dataset_with_warnings(make(tmp_path, BASE))
    ds = result.dataset
    assert result.warnings == ()
    assert [p.id for p in ds.professionals] == ["p1", "p2", "p3"]
    p1, p2, p3 = ds.professionals
    assert p1.fte == 0.8 and p1.max_families == 12 and p1.casework_share is None
    assert p1.expertise == ("opvoeding", "trauma")
    assert p1.languages == ("nl", "en")
    assert p2.absent_from == dt.date(2026, 4, 1) and p2.accepts_new is False
    assert p3.supervisor_id == "p1" and p3.is_intern
    assert ds.registrations[1].register is Register.BIG
    assert ds.registrations[2].register is Register.REGISTERPLEIN  # free-text title accepted
    assert ds.families[1].excluded == ("p3",)
    _, c2, c3 = ds.cases
    assert c2.hours == 3.5 and c2.triggers == (Trigger.PSYCHIATRISCH,)
    assert c2.urgency is Urgency.HOOG and c3.urgency is Urgency.REGULIER
    assert ds.exceptions[0].limb == 2
    assert ds.policy.plan_date == dt.date(2026, 3, 1)
    assert ds.source == str(tmp_path)


def test_exceptions_and_policy_are_optional(tmp_path: Path) -> None:
    files = {**BASE, "exceptions.csv": None, "policy.toml": None}
    ds = read_dataset(make(tmp_path, files))
    assert ds.exceptions == ()
    assert ds.policy.plan_date == dt.date.today()
    assert ds.policy == Policy()


def test_several_teams(tmp_path: Path) -> None:
    files = append("professionals.csv", "z1,Zara,zuid,gezinswerker,1,,,,,,,,,,")
    files = append("families.csv", "f9,zuid,,,2026-01-01,z1,,true,", files)
    files = append("cases.csv", "c9,f9,10,hulp,licht,,geen,,,,", files)
    files = append("registrations.csv", "z1,SKJ,Jeugd- en gezinsprofessional,,2027-01-01", files)
    ds = read_dataset(make(tmp_path, files))
    assert {p.team for p in ds.professionals} == {"noord", "zuid"}
    assert {f.team for f in ds.families} == {"noord", "zuid"}
    assert ds.families[-1].pinned is True


# --------------------------------------------------------------------------------------------
# Files


def test_missing_required_file(tmp_path: Path) -> None:
    errs = read_errors(tmp_path, {**BASE, "cases.csv": None})
    has(errs, "cases.csv", None, None, "ontbreekt")


def test_missing_folder(tmp_path: Path) -> None:
    errs = errors(tmp_path / "nope")
    assert "bestaat niet" in errs[0].message


@pytest.mark.parametrize("content", ["", "\n\n", "  \r\n"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    errs = read_errors(tmp_path, {**BASE, "professionals.csv": content})
    has(errs, "professionals.csv", None, None, "leeg")


def test_header_without_rows(tmp_path: Path) -> None:
    errs = read_errors(tmp_path, {**BASE, "families.csv": BASE["families.csv"].splitlines()[0]})
    has(errs, "families.csv", None, None, "geen rijen")


def test_header_only_exceptions_is_fine(tmp_path: Path) -> None:
    files = {**BASE, "exceptions.csv": BASE["exceptions.csv"].splitlines()[0] + "\n"}
    assert read_dataset(make(tmp_path, files)).exceptions == ()


# --------------------------------------------------------------------------------------------
# Columns and cells


def test_missing_required_column(tmp_path: Path) -> None:
    text = BASE["professionals.csv"].replace(",fte,", ",fet,", 1)
    errs = read_errors(tmp_path, {**BASE, "professionals.csv": text})
    e = has(errs, "professionals.csv", 1, "fte", "verplichte kolom", "fet")
    assert str(e).startswith("professionals.csv:1:fte: ")
    # the missing column is reported once, not once per row
    assert [x for x in errs if x.column == "fte"] == [e]


def test_missing_required_value(tmp_path: Path) -> None:
    errs = read_errors(tmp_path, edit("professionals.csv", 3, "team", " "))
    has(errs, "professionals.csv", 3, "team", "verplichte waarde ontbreekt")


@pytest.mark.parametrize(
    ("file", "row", "column", "value", "word"),
    [
        ("professionals.csv", 2, "fte", "veel", "geen getal"),
        ("professionals.csv", 2, "max_families", "3.5", "geen geheel getal"),
        ("professionals.csv", 2, "accepts_new", "misschien", "ja/nee"),
        ("cases.csv", 3, "age", "tien", "geen geheel getal"),
        ("cases.csv", 2, "hours", "1.234,5", "geen getal"),
        ("families.csv", 2, "pinned", "2", "ja/nee"),
        ("exceptions.csv", 2, "limb", "een", "geen geheel getal"),
    ],
)
def test_wrong_type(
    tmp_path: Path, file: str, row: int, column: str, value: str, word: str
) -> None:
    errs = read_errors(tmp_path, edit(file, row, column, value))
    has(errs, file, row, column, word, value)


@pytest.mark.parametrize(
    ("file", "row", "column"),
    [
        ("professionals.csv", 2, "absent_from"),
        ("registrations.csv", 3, "valid_until"),
        ("families.csv", 2, "registered_on"),
        ("exceptions.csv", 2, "decided_on"),
    ],
)
def test_bad_date(tmp_path: Path, file: str, row: int, column: str) -> None:
    errs = read_errors(tmp_path, edit(file, row, column, "01-03-2026"))
    e = has(errs, file, row, column, "datum moet JJJJ-MM-DD zijn")
    assert "2026-03-01" in e.message  # the day-month-year reading is suggested


def test_impossible_date(tmp_path: Path) -> None:
    errs = read_errors(tmp_path, edit("families.csv", 2, "registered_on", "2026-02-30"))
    has(errs, "families.csv", 2, "registered_on", "geen bestaande datum")


@pytest.mark.parametrize(
    ("file", "row", "column", "value", "allowed"),
    [
        ("cases.csv", 2, "phase", "uitvoering", "monitoring"),
        ("cases.csv", 2, "intensity", "zwaar", "intensief"),
        ("cases.csv", 2, "safety", "middel", "verhoogd"),
        ("cases.csv", 2, "urgency", "direct", "spoed"),
        ("cases.csv", 2, "triggers", "psychiatrisch;diagnose", "verklarende-diagnose"),
        ("registrations.csv", 2, "register", "NIP", "Registerplein"),
    ],
)
def test_unknown_enum_value(
    tmp_path: Path, file: str, row: int, column: str, value: str, allowed: str
) -> None:
    errs = read_errors(tmp_path, edit(file, row, column, value))
    has(errs, file, row, column, "onbekende", "toegestaan", allowed)


def test_enum_values_are_case_insensitive(tmp_path: Path) -> None:
    files = edit("cases.csv", 2, "phase", "Hulp")
    files = edit("registrations.csv", 2, "register", "skj", files)
    files = edit("cases.csv", 3, "triggers", " Psychiatrisch ; Schulden", files)
    ds = read_dataset(make(tmp_path, files))
    assert ds.cases[0].phase is Phase.HULP
    assert ds.registrations[0].register is Register.SKJ
    assert ds.cases[1].triggers == (Trigger.PSYCHIATRISCH, Trigger.SCHULDEN)


def test_unknown_title_suggests_nearest(tmp_path: Path) -> None:
    errs = read_errors(tmp_path, edit("registrations.csv", 2, "title", "jeugdzorgwerkr"))
    has(
        errs,
        "registrations.csv",
        2,
        "title",
        "onbekende SKJ-titel",
        'bedoelde je "jeugdzorgwerker"',
    )


def test_title_from_the_other_register(tmp_path: Path) -> None:
    errs = read_errors(tmp_path, edit("registrations.csv", 2, "title", "GZ-psycholoog"))
    has(errs, "registrations.csv", 2, "title", "BIG-titel", "geen SKJ-titel")


def test_titles_match_case_insensitively_and_aliases(tmp_path: Path) -> None:
    files = edit("registrations.csv", 2, "title", "  JeugdZorgwerker ")
    files = edit("registrations.csv", 3, "title", "Gezondheidszorgpsycholoog", files)
    files = edit("registrations.csv", 4, "register", "Vaktherapie", files)
    files = edit("registrations.csv", 4, "title", "beeldend therapeut", files)
    ds = read_dataset(make(tmp_path, files))
    assert ds.registrations[0].title == "JeugdZorgwerker"
    assert ds.registrations[2].register is Register.VAKTHERAPIE


@pytest.mark.parametrize(
    ("file", "row", "column", "value", "bad", "good"),
    [
        ("professionals.csv", 2, "expertise", "opvoeding;lbv", "lbv", "lvb"),
        ("professionals.csv", 3, "trainings", "risicotaxtie", "risicotaxatie", "risicotaxatie"),
        ("cases.csv", 2, "required_expertise", "Trauma; autsime", "autsime", "autisme"),
        ("cases.csv", 3, "preferred_expertise", "ggz jeugd", "ggz jeugd", "ggz-jeugd"),
    ],
)
def test_unknown_tag_suggests_nearest(
    tmp_path: Path, file: str, row: int, column: str, value: str, bad: str, good: str
) -> None:
    errs = read_errors(tmp_path, edit(file, row, column, value))
    e = has(errs, file, row, column, "onbekende", f'"{bad}"', f'bedoelde je "{good}"')
    assert len([x for x in errs if (x.file, x.row, x.column) == (file, row, column)]) == 1
    assert "data/norms/" in e.message


def test_tags_are_trimmed_and_lowercased(tmp_path: Path) -> None:
    files = edit("professionals.csv", 2, "expertise", " Opvoeding ;TRAUMA;; opvoeding")
    ds = read_dataset(make(tmp_path, files))
    assert ds.professionals[0].expertise == ("opvoeding", "trauma")


def test_comma_in_list_gets_a_hint(tmp_path: Path) -> None:
    errs = read_errors(tmp_path, edit("professionals.csv", 2, "expertise", "opvoeding,trauma"))
    has(errs, "professionals.csv", 2, "expertise", "gescheiden door ';'")


def test_policy_extends_vocabularies(tmp_path: Path) -> None:
    files = edit("professionals.csv", 2, "expertise", "opvoeding;Pleegzorg")
    files = edit("professionals.csv", 2, "trainings", "ehbo", files)
    files["policy.toml"] = (
        'plan_date = 2026-03-01\nextra_expertise = ["pleegzorg"]\nextra_trainings = ["EHBO"]\n'
        'safety_trainings = ["ehbo", "risicotaxatie"]\n'
    )
    ds = read_dataset(make(tmp_path, files))
    assert ds.professionals[0].expertise == ("opvoeding", "pleegzorg")
    assert ds.policy.safety_trainings == ("ehbo", "risicotaxatie")
    assert ds.policy.extra_trainings == ("ehbo",)


def test_unknown_safety_training_in_policy(tmp_path: Path) -> None:
    files = {
        **BASE,
        "policy.toml": 'plan_date = 2026-03-01\nsafety_trainings = ["sings-of-safety"]\n',
    }
    errs = read_errors(tmp_path, files)
    has(
        errs,
        "policy.toml",
        2,
        "safety_trainings",
        "sings-of-safety",
        'bedoelde je "signs-of-safety"',
    )


@pytest.mark.parametrize(
    ("file", "line", "dup_row"),
    [
        ("professionals.csv", "p2,Dubbel,noord,gezinswerker,1,,,,,,,,,,", 5),
        ("families.csv", "f1,noord,,,2026-01-01,,,,", 4),
        ("cases.csv", "c2,f2,5,hulp,licht,,geen,,,,", 5),
    ],
)
def test_duplicate_id(tmp_path: Path, file: str, line: str, dup_row: int) -> None:
    errs = read_errors(tmp_path, append(file, line))
    has(errs, file, dup_row, "id", "dubbel id", "ook op rij")


@pytest.mark.parametrize(
    ("file", "row", "column", "value", "words"),
    [
        ("registrations.csv", 3, "professional_id", "p7", ("onbekende professional", "p7")),
        ("cases.csv", 4, "family_id", "f7", ("onbekend gezin", "f7")),
        ("families.csv", 2, "current_primary", "p7", ("onbekende professional",)),
        ("families.csv", 2, "current_backup", "p8", ("onbekende professional",)),
        ("families.csv", 3, "excluded", "p3;p9", ("onbekende professional", "p9")),
        ("exceptions.csv", 2, "professional_id", "P3", ("onbekende professional", '"p3"')),
        ("exceptions.csv", 2, "family_id", "f8", ("onbekend gezin",)),
        ("professionals.csv", 4, "supervisor_id", "p0", ("onbekende begeleider", "p0")),
    ],
)
def test_dangling_reference(
    tmp_path: Path, file: str, row: int, column: str, value: str, words: tuple[str, ...]
) -> None:
    errs = read_errors(tmp_path, edit(file, row, column, value))
    has(errs, file, row, column, *words)


def test_own_supervisor(tmp_path: Path) -> None:
    errs = read_errors(tmp_path, edit("professionals.csv", 4, "supervisor_id", "p3"))
    has(errs, "professionals.csv", 4, "supervisor_id", "eigen begeleider")


def test_broken_row_does_not_cause_dangling_references(tmp_path: Path) -> None:
    # p1's fte is wrong, but p1 exists: registrations and families may still point to it
    errs = read_errors(tmp_path, edit("professionals.csv", 2, "fte", "x"))
    assert [(e.file, e.row, e.column) for e in errs] == [("professionals.csv", 2, "fte")]


@pytest.mark.parametrize("fte", ["0", "-0.5", "1.3", "1,25"])
def test_fte_out_of_range(tmp_path: Path, fte: str) -> None:
    errs = read_errors(tmp_path, edit("professionals.csv", 3, "fte", fte))
    has(errs, "professionals.csv", 3, "fte", "groter dan 0", "hoogstens 1,2")


def test_fte_upper_bound_is_allowed(tmp_path: Path) -> None:
    ds = read_dataset(make(tmp_path, edit("professionals.csv", 3, "fte", "1,2")))
    assert ds.professionals[1].fte == 1.2


def test_absent_until_before_absent_from(tmp_path: Path) -> None:
    errs = read_errors(tmp_path, edit("professionals.csv", 3, "absent_until", "2026-03-01"))
    has(errs, "professionals.csv", 3, "absent_until", "ligt voor absent_from")


@pytest.mark.parametrize("age", ["-1", "24", "40"])
def test_age_out_of_range(tmp_path: Path, age: str) -> None:
    errs = read_errors(tmp_path, edit("cases.csv", 3, "age", age))
    has(errs, "cases.csv", 3, "age", "minstens 0", "hoogstens 23")


def test_other_ranges(tmp_path: Path) -> None:
    files = edit("professionals.csv", 2, "casework_share", "1.5")
    files = edit("professionals.csv", 3, "max_families", "-2", files)
    files = edit("cases.csv", 2, "hours", "-1", files)
    files = edit("exceptions.csv", 2, "limb", "3", files)
    files = edit("exceptions.csv", 2, "reason", "", files)
    errs = read_errors(tmp_path, files)
    has(errs, "professionals.csv", 2, "casework_share", "hoogstens 1")
    has(errs, "professionals.csv", 3, "max_families", "minstens 0")
    has(errs, "cases.csv", 2, "hours", "minstens 0")
    has(errs, "exceptions.csv", 2, "limb", "1 of 2")
    has(errs, "exceptions.csv", 2, "reason", "verplichte waarde")


def test_family_without_case(tmp_path: Path) -> None:
    files = append("families.csv", "f3,noord,,,2026-01-01,,,,")
    errs = read_errors(tmp_path, files)
    has(errs, "families.csv", 4, "id", "f3", "minstens één casus")


# --------------------------------------------------------------------------------------------
# policy.toml


def test_policy_full(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        """
plan_date = "2026-05-04"
hours_per_fte = 32
casework_share = 0.65
backup_for_safety = ["verhoogd", "Hoog", "acuut"]
cross_team = true
workers = 4

[intensity_hours]
licht = 0.75

[weights]
wijk = 5
""",
        encoding="utf-8",
    )
    policy = read_policy(path)
    assert policy.plan_date == dt.date(2026, 5, 4)
    assert policy.hours_per_fte == 32.0 and isinstance(policy.hours_per_fte, float)
    assert policy.backup_for_safety == (Safety.VERHOOGD, Safety.HOOG, Safety.ACUUT)
    assert policy.intensity_hours[Intensity.LICHT] == 0.75
    assert policy.intensity_hours[Intensity.INTENSIEF] == 2.5  # the rest of the table defaults
    assert policy.weights == Weights(wijk=5)
    assert policy.cross_team is True and policy.workers == 4


def test_policy_default_plan_date_is_today(tmp_path: Path) -> None:
    (tmp_path / "policy.toml").write_text("cross_team = true\n", encoding="utf-8")
    assert read_policy(tmp_path / "policy.toml").plan_date == dt.date.today()


def test_policy_unknown_key(tmp_path: Path) -> None:
    files = {**BASE, "policy.toml": "plan_date = 2026-03-01\nhours_per_fet = 32\n"}
    errs = read_errors(tmp_path, files)
    e = has(errs, "policy.toml", 2, "hours_per_fet", "onbekende sleutel", '"hours_per_fte"')
    assert str(e).startswith("policy.toml:2:hours_per_fet: ")


@pytest.mark.parametrize(
    ("text", "line", "key", "word"),
    [
        ("[weights]\nwijk = 2\nbuurt = 3\n", 3, "weights.buurt", "onbekende sleutel"),
        ("[intensity_hours]\nzwaar = 3.0\n", 2, "intensity_hours.zwaar", "onbekende sleutel"),
    ],
)
def test_policy_unknown_key_in_table(
    tmp_path: Path, text: str, line: int, key: str, word: str
) -> None:
    errs = read_errors(tmp_path, {**BASE, "policy.toml": text})
    has(errs, "policy.toml", line, key, word)


@pytest.mark.parametrize(
    ("text", "key", "word"),
    [
        ('hours_per_fte = "36"', "hours_per_fte", "getal"),
        ("cross_team = 1", "cross_team", "true of false"),
        ("workers = 2.5", "workers", "geheel getal"),
        ("plan_date = 2026-03-01T10:00:00", "plan_date", "zonder tijd"),
        ('plan_date = "01-03-2026"', "plan_date", "JJJJ-MM-DD"),
        ('backup_for_safety = "hoog"', "backup_for_safety", "lijst"),
        ('backup_for_safety = ["hoog", "extreem"]', "backup_for_safety", "acuut"),
        ("intensity_hours = 3", "intensity_hours", "tabel"),
        ("[intensity_hours]\nlicht = -1", "intensity_hours.licht", "minstens 0"),
        ("hours_per_fte = 0", "hours_per_fte", "groter"),
        ("casework_share = 1.5", "casework_share", "hoogstens 1"),
        ("[weights]\nwijk = -1", "weights.wijk", "minstens 0"),
    ],
)
def test_policy_wrong_type_or_value(tmp_path: Path, text: str, key: str, word: str) -> None:
    errs = read_errors(tmp_path, {**BASE, "policy.toml": text + "\n"})
    e = [x for x in errs if x.file == "policy.toml"]
    assert len(e) == 1, errs
    assert e[0].column == key and word.lower() in e[0].message.lower(), e[0]
    assert e[0].row == len(text.splitlines())


def test_broken_toml_reports_the_line(tmp_path: Path) -> None:
    files = {**BASE, "policy.toml": "plan_date = 2026-03-01\nhours_per_fte = \n"}
    errs = read_errors(tmp_path, files)
    e = has(errs, "policy.toml", 2, None, "ongeldige TOML")
    assert str(e).startswith("policy.toml:2: ")


def test_policy_keys_cover_every_policy_field() -> None:
    # every field of Policy can be written and read back, so the reader knows all of them
    policy = Policy(
        plan_date=dt.date(2026, 1, 2),
        hours_per_fte=32.5,
        casework_share=0.6,
        intensity_hours={
            Intensity.LICHT: 1.0,
            Intensity.MIDDEL: 1.5,
            Intensity.INTENSIEF: 3.0,
            Intensity.PASSIEF: 0.0,
        },
        backup_hours=0.2,
        consult_hours=1.0,
        registration_warning_days=30,
        backup_for_safety=(Safety.ACUUT,),
        safety_trainings=("meldcode", "eigen-methode"),
        reassign_if_absent_weeks=4.5,
        cross_team=True,
        time_limit=10,
        workers=8,
        extra_expertise=("pleegzorg",),
        extra_trainings=("eigen-methode",),
        weights=Weights(**{name: i + 5 for i, name in enumerate(Weights.model_fields)}),
    )
    text = policy_toml(policy)
    for name in Policy.model_fields:
        assert name in text
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "policy.toml").write_text(text, encoding="utf-8")
        assert read_policy(Path(d) / "policy.toml") == policy


# --------------------------------------------------------------------------------------------
# All problems at once


def test_all_problems_across_files_reported_at_once(tmp_path: Path) -> None:
    files = edit("professionals.csv", 2, "fte", "2")
    files = edit("registrations.csv", 2, "valid_until", "1-1-2027", files)
    files = edit("families.csv", 3, "current_primary", "p99", files)
    files = edit("cases.csv", 4, "safety", "rood", files)
    files = edit("exceptions.csv", 2, "family_id", "f99", files)
    files["policy.toml"] = "plan_date = 2026-03-01\nbogus = 1\n"
    errs = read_errors(tmp_path, files)
    assert [(e.file, e.row, e.column) for e in errs] == [
        ("professionals.csv", 2, "fte"),
        ("registrations.csv", 2, "valid_until"),
        ("families.csv", 3, "current_primary"),
        ("cases.csv", 4, "safety"),
        ("exceptions.csv", 2, "family_id"),
        ("policy.toml", 2, "bogus"),
    ]


def test_error_string_format() -> None:
    exc = InputErrors(
        [
            InputError("cases.csv", 3, "age", "te oud"),
            InputError("cases.csv", None, None, "leeg"),
        ]
    )
    assert str(exc) == "cases.csv:3:age: te oud\ncases.csv: leeg"


# --------------------------------------------------------------------------------------------
# CSV dialects and encodings


def test_semicolon_decimal_comma_and_bom(tmp_path: Path) -> None:
    prof = (
        PROF_HEADER.replace(",", ";") + "\r\n"
        'p1;Anna;noord;gezinswerker;0,8;0,65;;"opvoeding;trauma";risicotaxatie;centrum;nl;;;ja;\r\n'
        "p2;Bram;noord;gedragswetenschapper;1;;;lvb;;;;;;nee;\r\n"
        "p3;Chris;noord;stagiair;0,5;;;;;;;;;;p1\r\n"
    )
    cases = (
        BASE["cases.csv"]
        .replace(",", ";")
        .replace("3.5", "3,5")
        .replace("c1;f1;8;hulp;middel;;", "c1;f1;8;hulp;middel;1,25;")
    )
    files: dict = {
        **BASE,
        "professionals.csv": b"\xef\xbb\xbf" + prof.encode("utf-8"),
        "cases.csv": "\ufeff" + cases,
    }
    ds = read_dataset(make(tmp_path, files))
    p1, p2, _ = ds.professionals
    assert p1.fte == 0.8 and p1.casework_share == 0.65
    assert p1.expertise == ("opvoeding", "trauma")
    assert p1.accepts_new is True and p2.accepts_new is False
    assert [c.hours for c in ds.cases] == [1.25, 3.5, None]


def test_decimal_comma_in_quoted_cell_of_comma_file(tmp_path: Path) -> None:
    ds = read_dataset(make(tmp_path, edit("professionals.csv", 2, "fte", "0,9")))
    assert ds.professionals[0].fte == 0.9


def test_unquoted_list_in_semicolon_file(tmp_path: Path) -> None:
    header = PROF_HEADER.replace(",", ";")
    prof = header + "\np1;Anna;noord;gw;1;;;opvoeding;trauma;;;;;;;p0\n"
    errs = read_errors(tmp_path, {**BASE, "professionals.csv": prof})
    has(errs, "professionals.csv", 2, None, "16 cellen", "15", "aanhalingstekens")
    # with only empty cells beyond the header it is a warning (plus the misplaced tag's error)
    prof = header + "\np1;Anna;noord;gw;1;;;opvoeding;trauma;;;;;;;\n"
    with pytest.raises(InputErrors) as info:
        read_dataset(make(tmp_path / "b", {**BASE, "professionals.csv": prof}))
    has(info.value.errors, "professionals.csv", 2, "trainings", '"trauma"')
    has(info.value.warnings, "professionals.csv", 2, None, "aanhalingstekens")


def test_cp1252_file(tmp_path: Path) -> None:
    files = edit("professionals.csv", 2, "name", "Renée Ëlberts")
    files = edit("families.csv", 2, "wijk", "Café-buurt", files)
    files = {
        **files,
        "professionals.csv": files["professionals.csv"].encode("cp1252"),
        "families.csv": files["families.csv"].replace(",", ";").encode("cp1252"),
    }
    result = read_dataset_with_warnings(make(tmp_path, files))
    assert result.dataset.professionals[0].name == "Renée Ëlberts"
    assert result.dataset.families[0].wijk == "Café-buurt"
    assert any("cp1252" in w.message for w in result.warnings)


def test_undecodable_file(tmp_path: Path) -> None:
    files = {**BASE, "cases.csv": b"id,family_id\n\x81\x8d\x8f\n"}
    errs = read_errors(tmp_path, files)
    has(errs, "cases.csv", None, None, "geen UTF-8")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("ja", True), ("Nee", False), ("JA", True), ("1", True), ("0", False), ("Yes", True),
     ("no", False), ("TRUE", True), ("onwaar", False), ("", True)],
)  # fmt: skip
def test_booleans(tmp_path: Path, value: str, expected: bool) -> None:
    ds = read_dataset(make(tmp_path, edit("professionals.csv", 2, "accepts_new", value)))
    assert ds.professionals[0].accepts_new is expected


def test_unknown_extra_column_is_a_warning(tmp_path: Path) -> None:
    text = BASE["families.csv"].splitlines()
    text[0] += ",opmerking"
    text[1] += ",belt liever 's avonds"
    files = {**BASE, "families.csv": "\n".join(text) + "\n"}
    result = read_dataset_with_warnings(make(tmp_path, files))
    assert len(result.dataset.families) == 2
    [w] = result.warnings
    assert (w.file, w.row, w.column) == ("families.csv", 1, "opmerking")
    assert "genegeerd" in w.message


def test_header_names_are_forgiving_and_blank_rows_skipped(tmp_path: Path) -> None:
    cases = BASE["cases.csv"].splitlines()
    cases[0] = cases[0].replace("family_id", " Family ID ").replace("age", "AGE")
    cases.insert(2, ",,,,,,,,,,")
    cases.insert(3, "")
    files = {**BASE, "cases.csv": "\n".join(cases) + "\n"}
    ds = read_dataset(make(tmp_path, files))
    assert len(ds.cases) == 3
    # row numbers still match the lines Excel shows: c2 is now on row 5
    errs = read_errors(tmp_path / "x", edit("cases.csv", 5, "AGE", "99", files))
    has(errs, "cases.csv", 5, "age")


def test_warnings_are_logged_by_read_dataset(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = BASE["cases.csv"].replace("triggers", "triggers,extra", 1)
    read_dataset(make(tmp_path, {**BASE, "cases.csv": text}))
    assert "cases.csv:1:extra" in caplog.text


def test_intern_without_supervisor_is_a_warning(tmp_path: Path) -> None:
    files = edit("professionals.csv", 4, "supervisor_id", "")
    result = read_dataset_with_warnings(make(tmp_path, files))
    assert [(w.row, w.column) for w in result.warnings] == [(4, "supervisor_id")]


# --------------------------------------------------------------------------------------------
# Writing and round trips


def test_round_trip_of_the_base_dataset(tmp_path: Path) -> None:
    ds = read_dataset(make(tmp_path / "a", BASE))
    write_dataset(ds, tmp_path / "b")
    again = read_dataset(tmp_path / "b")
    assert again == ds.model_copy(update={"source": str(tmp_path / "b")})
    assert (tmp_path / "b" / "policy.toml").read_text(encoding="utf-8").count("=") == 1


def test_written_files_follow_the_contract(tmp_path: Path) -> None:
    write_dataset(read_dataset(make(tmp_path / "a", BASE)), tmp_path / "b")
    for file, columns in COLUMNS.items():
        header = (tmp_path / "b" / file).read_text(encoding="utf-8").splitlines()[0]
        assert header == ",".join(columns)
    prof = (tmp_path / "b" / "professionals.csv").read_text(encoding="utf-8")
    assert "opvoeding;trauma" in prof and ",false," in prof


IDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=6)
TEXT = (
    st.text(
        alphabet=st.characters(
            codec="utf-8", categories=("L", "N", "P", "Zs"), exclude_characters=";"
        ),
        min_size=1,
        max_size=12,
    )
    .map(str.strip)
    .filter(bool)
)
NORMS = load_norms()
EXPERTISE = sorted(NORMS.expertise)
TRAININGS = sorted(NORMS.trainings)
DATES = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31))
FLOATS = st.floats(min_value=0, max_value=1, allow_nan=False, allow_infinity=False)


def tags(vocab: list[str]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(vocab), unique=True, max_size=3).map(tuple)


def optional(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.none() | strategy


@st.composite
def datasets(draw: st.DrawFn) -> Dataset:
    prof_ids = draw(st.lists(IDS, min_size=1, max_size=4, unique=True))
    fam_ids = draw(st.lists(IDS, min_size=1, max_size=3, unique=True))
    teams = draw(st.lists(TEXT, min_size=1, max_size=2, unique=True))
    professionals = []
    for pid in prof_ids:
        start = draw(optional(DATES))
        others = [other for other in prof_ids if other != pid]
        professionals.append(
            Professional(
                id=pid,
                name=draw(optional(TEXT)),
                team=draw(st.sampled_from(teams)),
                function=draw(st.sampled_from(["gezinswerker", "stagiair", "jeugdarts"])),
                fte=draw(st.floats(min_value=0.01, max_value=1.2)),
                casework_share=draw(optional(FLOATS)),
                max_families=draw(optional(st.integers(0, 40))),
                expertise=draw(tags(EXPERTISE)),
                trainings=draw(tags(TRAININGS)),
                wijken=tuple(draw(st.lists(TEXT, unique=True, max_size=2))),
                languages=tuple(draw(st.lists(TEXT, unique=True, max_size=2))),
                absent_from=start,
                absent_until=None
                if start is None
                else start + dt.timedelta(draw(st.integers(0, 90))),
                accepts_new=draw(st.booleans()),
                supervisor_id=draw(optional(st.sampled_from(others))) if others else None,
            )
        )
    registrations = [
        Registration(
            professional_id=draw(st.sampled_from(prof_ids)),
            register=register,
            title=title,
            number=draw(optional(IDS)),
            valid_until=draw(DATES),
        )
        for register, title in draw(
            st.lists(
                st.sampled_from(
                    [("SKJ", t) for t in NORMS.titles_of("SKJ")]
                    + [("BIG", t) for t in NORMS.titles_of("BIG")]
                    + [("Registerplein", "Sociaal Werker"), ("other", 'coach, "senior"')]
                ),
                min_size=1,
                max_size=3,
            )
        )
    ]
    families = [
        Family(
            id=fid,
            team=draw(st.sampled_from(teams)),
            wijk=draw(optional(TEXT)),
            language=draw(optional(TEXT)),
            registered_on=draw(DATES),
            current_primary=draw(optional(st.sampled_from(prof_ids))),
            current_backup=draw(optional(st.sampled_from(prof_ids))),
            pinned=draw(st.booleans()),
            excluded=tuple(draw(st.lists(st.sampled_from(prof_ids), unique=True, max_size=2))),
        )
        for fid in fam_ids
    ]
    cases = []
    for i, fid in enumerate(fam_ids + draw(st.lists(st.sampled_from(fam_ids), max_size=2))):
        cases.append(
            Case(
                id=f"c{i}",
                family_id=fid,
                age=draw(st.integers(0, 23)),
                phase=draw(st.sampled_from(Phase)),
                intensity=draw(st.sampled_from(Intensity)),
                hours=draw(optional(st.floats(min_value=0, max_value=40))),
                safety=draw(st.sampled_from(Safety)),
                urgency=draw(st.sampled_from(Urgency)),
                required_expertise=draw(tags(EXPERTISE)),
                preferred_expertise=draw(tags(EXPERTISE)),
                triggers=tuple(draw(st.lists(st.sampled_from(Trigger), unique=True, max_size=2))),
            )
        )
    exceptions = [
        TenzijDecision(
            professional_id=draw(st.sampled_from(prof_ids)),
            family_id=draw(st.sampled_from(fam_ids)),
            limb=draw(st.sampled_from([1, 2])),
            reason=draw(TEXT),
            decided_by=draw(optional(TEXT)),
            decided_on=draw(optional(DATES)),
        )
        for _ in range(draw(st.integers(0, 2)))
    ]
    policy = draw(
        st.sampled_from(
            [
                Policy(plan_date=dt.date(2026, 3, 1)),
                Policy(
                    plan_date=dt.date(2030, 12, 31),
                    hours_per_fte=32.0,
                    cross_team=True,
                    safety_trainings=("meldcode",),
                    weights=Weights(wijk=7),
                ),
            ]
        )
    )
    return Dataset(
        professionals=tuple(professionals),
        registrations=tuple(registrations),
        families=tuple(families),
        cases=tuple(cases),
        exceptions=tuple(exceptions),
        policy=policy,
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
def test_round_trip_property(ds: Dataset) -> None:
    with tempfile.TemporaryDirectory() as d:
        write_dataset(ds, Path(d))
        again = read_dataset_with_warnings(Path(d))
    assert again.dataset == ds.model_copy(update={"source": d})
