"""`tfport audit`: every claim the articles make (tfport/claims.py), measured in both APIs,
with a verdict; a reused record whose fingerprint differs from today's ports' is marked stale."""

from __future__ import annotations

import dataclasses
import json
import math
import sys
from pathlib import Path

from tfport.claims import LATER, Row, Runs, claim_rows, profile_of
from tfport.claims import claim_bar  # noqa: F401  (re-exported: tests/test_bench.py)
from tfport.examples import APIS, EXAMPLES, run_example
from tfport.profiles import get_profile
from tfport.report import write_report
from tfport.results import RunResult, fingerprint
from tfport.tables import markdown_table


def collect(example_id: str, profile: str, seed: int, records: Path, reuse: bool,
            verbose: int, run_missing: bool = True) -> Runs | None:
    """Both APIs' results for one example: from `records` with `reuse`, else run (or None)."""
    runs = {}
    saved_as = get_profile(example_id, profile).name  # the name a record is saved under
    for api in APIS:
        path = records / f"{example_id}-{api}-{saved_as}-seed{seed}.json"
        if reuse and path.exists():
            runs[api] = RunResult.load(path)
            if verbose:
                print(f"== {example_id} / {api}: reusing {path}", file=sys.stderr)
            continue
        if not run_missing:
            return None
        if verbose:
            print(f"== {example_id} / {api} / {profile} profile / seed {seed}", file=sys.stderr)
        runs[api] = run_example(example_id, api, profile, seed, verbose=verbose)
        runs[api].save(records)
    return runs


def audit(profile: str = "quick", seed: int = 0, records: str | Path = "runs/audit",
          report: str | Path = "runs/audit.md", reuse: bool = True, verbose: int = 1,
          command: str = "", run_missing: bool = True) -> list[Row]:
    """Run (or reuse) what every claim needs, write the Markdown and JSON report, return rows;
    with `run_missing=False` an unrecorded claim is "not checked yet", nothing trained."""
    records, report = Path(records), Path(report)
    rows, used = [], []
    for example_id, example in EXAMPLES.items():
        if not example.claims:
            continue
        runs = collect(example_id, profile, seed, records, reuse, verbose, run_missing)
        if runs is None:
            rows.append(Row(example_id, f"{example.article[:3]}, lines {example.lines}",
                            example.claim, "", "", LATER,
                            f"Not run yet at this profile: `tfport run {example_id} --profile "
                            f"{profile} --seed {seed} --out {records}` records both APIs, then "
                            "run this audit again."))
            continue
        used.extend(runs.values())
        stale = [api for api, run in runs.items()  # made by other code than today's ports
                 if run.environment.get("fingerprint") != fingerprint(run.example, api,
                                                                     profile_of(run))]
        records_were = "records were" if len(stale) > 1 else "record was"
        for row in claim_rows(example_id, runs):
            if stale:
                row = dataclasses.replace(row, stale=True, why=row.why + (
                    f" STALE: the {' and '.join(stale)} {records_were} made by other code than "
                    f"today's ports; `tfport run {example_id} --profile {profile} --seed {seed} "
                    f"--out {records}` records both again."))
            rows.append(row)
    _write(rows, used, profile, seed, records, report, command)
    return rows


def _write(rows: list[Row], used: list[RunResult], profile: str, seed: int, records: Path,
           report: Path, command: str) -> None:
    environment = used[0].environment if used else {}
    finished = sorted(r.environment.get("finished", "?") for r in used) or ["?"]
    body = [
        f"- profile: `{profile}`, seed: {seed}",
        f"- runs recorded between {finished[0]} and {finished[-1]}; records in `{records}`", "",
        markdown_table(["example", "where (article, lines)", "claim", "tf1", "keras", "verdict", "why"],
                       [[r.example, r.where, r.claim, r.tf1, r.keras,
                         r.verdict + (" (stale record)" if r.stale else ""), r.why] for r in rows]),
    ]
    write_report(report, "Claims audit",
                 command or f"tfport audit --profile {profile} --seed {seed}",
                 environment, body, payload={
                     "profile": profile, "seed": seed, "environment": environment,
                     "rows": [dataclasses.asdict(r) for r in rows],
                     "runs": {f"{r.example}/{r.api}": _summary(r) for r in used},
                 })


def _summary(result: RunResult) -> dict:
    return {"test_accuracy": None if math.isnan(result.test_accuracy) else result.test_accuracy,
            "test_loss": result.test_loss, "final_training_loss": result.loss_history[-1],
            "wall_time_s": result.wall_time_s, "finished": result.environment.get("finished")}


RECORDED_AUDIT = Path(__file__).resolve().parent.parent / "docs" / "audit" / "audit.json"


def claims_beside(example_id: str, runs: Runs, profile: str) -> str:
    """Each claim with what `runs` measured, as the notebooks' Markdown claim table (below the
    article profile, beside the committed article-profile audit's verdict)."""
    measured = claim_rows(example_id, runs)
    if profile == "article":
        return markdown_table(["claim", "tf1", "keras", "verdict (this run)", "why"],
                              [[r.claim, r.tf1, r.keras, r.verdict, r.why] for r in measured])
    # the committed audit's rows: none in an installed, not cloned, copy
    rows = json.loads(RECORDED_AUDIT.read_text())["rows"] if RECORDED_AUDIT.exists() else []
    recorded = {row["claim"]: Row(**row) for row in rows if row["example"] == example_id}
    missing = Row(example_id, "", "", "", "", "not recorded here",
                  "run `tfport audit --profile article`")
    body = []
    for row in measured:
        was = recorded.get(row.claim, missing)
        body.append([row.claim, row.tf1, row.keras, was.tf1, was.keras, was.verdict, was.why])
    return markdown_table(["claim", f"tf1 ({profile}, this run)", f"keras ({profile}, this run)",
                           "tf1 (article, recorded)", "keras (article, recorded)",
                           "verdict (article profile)", "why"], body)
