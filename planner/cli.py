"""Command line: `planner plan | check | recommend`. Messages in Dutch.

Exit codes: 0 success (a waiting list is a success), 2 bad input or usage (nothing is written).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from planner.facts import Context
from planner.findings import all_findings
from planner.io import InputErrors, read_dataset_with_warnings
from planner.plan import SOLVERS, make_plan
from planner.recommend import recommend
from planner.report import build_report, write_report

STATUS_NL = {
    "optimal": "optimaal (alle niveaus bewezen)",
    "feasible": "toelaatbaar (niet alle niveaus bewezen binnen de tijd)",
    "infeasible": "onoplosbaar",
    "unknown": "geen oplossing binnen de tijd",
    "invalid": "ongeldig probleem",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors: exit 2 with a Dutch hint
        self.print_usage(sys.stderr)
        print(f"planner: fout: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="planner", description="Verantwoorde werktoedeling voor lokale teams.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def dataset_args(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("dataset", type=Path, help="map met professionals.csv, families.csv, ...")
        sp.add_argument("--plan-date", type=dt.date.fromisoformat, help="plandatum JJJJ-MM-DD")

    plan = sub.add_parser("plan", help="maak een plan en schrijf het naar --out")
    dataset_args(plan)
    plan.add_argument("--out", type=Path, required=True, help="uitvoermap")
    plan.add_argument("--solver", choices=SOLVERS, default="cpsat")
    plan.add_argument("--time-limit", type=float, help="rekentijd in seconden")
    plan.add_argument("--workers", type=int, help="aantal rekenkernen")
    plan.add_argument("--cross-team", action="store_true", help="teamoverstijgend plaatsen")
    plan.add_argument(
        "--stabiel",
        action="store_true",
        help="herplannen met zo min mogelijk wissels: wie bij de huidige hoofdbehandelaar mag "
        "blijven, blijft daar; alleen de anderen worden geplaatst",
    )
    plan.add_argument(
        "--no-baseline", action="store_true", help="sla de vergelijking met handwerk over"
    )

    check = sub.add_parser("check", help="controleer de gegevens zonder te plannen")
    dataset_args(check)
    check.add_argument("--json", action="store_true", help="bevindingen als JSON")

    rec = sub.add_parser("recommend", help="beste professionals voor één gezin")
    dataset_args(rec)
    rec.add_argument("--family", required=True, help="gezinscode")
    rec.add_argument("--top", type=int, default=3)
    return p


def _load(args: argparse.Namespace) -> Context | None:
    try:
        result = read_dataset_with_warnings(args.dataset)
    except InputErrors as err:
        print(f"Invoerfouten in {args.dataset} ({len(err.errors)}):", file=sys.stderr)
        for e in err.errors:
            print(f"  {e}", file=sys.stderr)
        print("Er is niets gepland of geschreven.", file=sys.stderr)
        return None
    for w in result.warnings:
        print(f"waarschuwing: {w}", file=sys.stderr)
    ds = result.dataset
    updates = {}
    if getattr(args, "plan_date", None):
        updates["plan_date"] = args.plan_date
    if getattr(args, "cross_team", False):
        updates["cross_team"] = True
    if updates:
        ds = ds.model_copy(update={"policy": ds.policy.model_copy(update=updates)})
    return Context(ds)


def cmd_plan(args: argparse.Namespace) -> int:
    ctx = _load(args)
    if ctx is None:
        return 2
    findings = all_findings(ctx)
    plan = make_plan(
        ctx, args.solver, time_limit=args.time_limit, workers=args.workers, stable=args.stabiel
    )
    baseline = None
    if args.solver != "greedy" and not args.no_baseline:
        baseline = make_plan(ctx, "greedy")
    report = build_report(ctx, plan, baseline, findings)
    paths = write_report(report, args.out)
    c = report.summary["counts"]
    print(
        f"Plan voor {c['families']} gezinnen ({c['cases']} hulpvragen, "
        f"{c['professionals']} professionals), plandatum {ctx.plan_date.isoformat()}"
    )
    print(f"  status: {STATUS_NL.get(plan.status, plan.status)} in {plan.seconds:.1f} s")
    print(
        f"  geplaatst: {c['placed']}, wachtlijst: {c['waiting']}, "
        f"vast gezicht behouden: {c['kept']}, gewisseld: {c['changes']}, nieuw: {c['new']}"
    )
    print(
        f"  achtervang: {c['backups_placed']}/{c['backups_needed']}, consulten: "
        f"{c['consults_placed'] + c['consults_self_covered']}/{c['consults_needed']} "
        f"({c['consults_self_covered']} door de primaire zelf)"
    )
    for lv in report.summary["levels"]:
        proven = "bewezen" if lv["proven"] else "niet bewezen"
        print(f"  niveau {lv['name']}: {lv['value']} (grens {lv['bound']}, {proven})")
    if baseline is not None:
        b = report.summary["baseline"]
        print(
            f"  handwerk (zelfde wijk, laagste caseload): {b['placed']} geplaatst, "
            f"{b['choices_breaking_norm']} keuzes in strijd met de norm "
            f"({b['missing_required_expertise']} zonder vereiste expertise, "
            f"{b['unregistered']} zonder geldige registratie)"
        )
    if report.violations:
        print(f"  LET OP: {len(report.violations)} regelovertredingen in dit plan", file=sys.stderr)
    print(f"  bevindingen: {len(findings)}; bestanden: {', '.join(str(p) for p in paths)}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    ctx = _load(args)
    if ctx is None:
        return 2
    findings = all_findings(ctx)
    if args.json:
        print(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2))
        return 0
    print(
        f"Controle van {args.dataset}: {len(ctx.professionals)} professionals, "
        f"{len(ctx.families)} gezinnen, plandatum {ctx.plan_date.isoformat()}"
    )
    if not findings:
        print("  geen bevindingen")
    for f in findings:
        print(f"  [{f.severity}] {f.code} {f.subject}: {f.message}")
    return 0


def cmd_recommend(args: argparse.Namespace) -> int:
    ctx = _load(args)
    if ctx is None:
        return 2
    fam = ctx.families.get(args.family)
    if fam is None:
        print(f"planner: onbekend gezin {args.family!r}", file=sys.stderr)
        return 2
    res = recommend(ctx, fam, top=args.top)
    print(f"Beste match voor gezin {fam.id} ({ctx.priority(fam.id).value}):")
    if not res.recommendations:
        print("  geen toegestane professional met ruimte")
    for i, r in enumerate(res.recommendations, start=1):
        print(
            f"  {i}. {r.professional_id} (passend {r.score}, bezetting na plaatsing "
            f"{r.utilisation_after:.0%}): {r.reasons}"
        )
    if res.full:
        print(f"  toegestaan maar vol: {', '.join(res.full)}")
    if not res.recommendations and res.not_allowed:
        print(f"  niet toegestaan: {'; '.join(res.not_allowed)}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler = {"plan": cmd_plan, "check": cmd_check, "recommend": cmd_recommend}[args.command]
    return handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
