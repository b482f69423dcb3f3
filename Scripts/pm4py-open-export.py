#!/usr/bin/env python3
"""Checks that a log written by `docket export` opens in pm4py and measures like its original.

Run by hand (not by `swift test`), in a virtual environment outside the repository:

    python3 -m venv /tmp/pm4py-venv && /tmp/pm4py-venv/bin/pip install pm4py
    docket import ../shared/data/logs/receipt.xes.gz --db /tmp/r.sqlite
    docket export --db /tmp/r.sqlite --workflow imported --out /tmp/receipt-export.xes
    /tmp/pm4py-venv/bin/python Scripts/pm4py-open-export.py /tmp/receipt-export.xes ../shared/data/logs/receipt.xes.gz

With one argument it opens the export and prints what pm4py sees. With the original log as a
second argument it also reads that with pm4py and compares the figures of
`../shared/data/reference/pm4py_reference.py` that do not depend on row order beyond the trace:
case and event counts, activities, variants, case durations, the performance DFG, start and end
activities. CSV exports (`.csv`) are read with pandas and `pm4py.format_dataframe`, as pm4py
users do. Exits 1 when something differs, 2 when pm4py cannot read the file.

pm4py is AGPL and is only an oracle here: nothing of it is copied into Docket.
"""

import math
import os
import sys
import warnings

os.environ.setdefault("TQDM_DISABLE", "1")  # pm4py's progress bars
warnings.filterwarnings("ignore")


def load(path):
    import pm4py

    if path.endswith(".csv") or path.endswith(".csv.gz"):
        import pandas as pd

        frame = pd.read_csv(path, keep_default_na=False, na_values=[""], dtype={"case:concept:name": str})
        return pm4py.format_dataframe(
            frame, case_id="case:concept:name", activity_key="concept:name", timestamp_key="time:timestamp"
        )
    return pm4py.read_xes(path)


def figures(log):
    import pm4py
    from pm4py.statistics.traces.generic.pandas import case_statistics

    durations = sorted(case_statistics.get_cases_description(log).values(), key=lambda d: d["caseDuration"])
    durations = [d["caseDuration"] for d in durations]
    dfg = pm4py.discover_performance_dfg(log)[0]
    variants = pm4py.get_variants(log)
    return {
        "n_cases": log["case:concept:name"].nunique(),
        "n_events": len(log),
        "activities": sorted(log["concept:name"].unique()),
        "n_variants": len(variants),
        "case_duration_mean": sum(durations) / len(durations) if durations else None,
        "case_duration_max": max(durations) if durations else None,
        "start_activities": dict(sorted(pm4py.get_start_activities(log).items())),
        "end_activities": dict(sorted(pm4py.get_end_activities(log).items())),
        "performance_dfg": {
            f"{a} -> {b}": (round(v["mean"], 6), round(v["median"], 6), v.get("count"))
            for (a, b), v in sorted(dfg.items())
        },
    }


def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print("usage: pm4py-open-export.py EXPORT.xes|EXPORT.csv [ORIGINAL.xes|.xes.gz|.csv]", file=sys.stderr)
        return 64
    try:
        import pm4py
    except ImportError:
        print("error: pm4py is not installed in this Python; see the usage at the top of this script", file=sys.stderr)
        return 2
    try:
        exported = load(argv[1])
    except Exception as error:  # pm4py raises many kinds
        print(f"error: pm4py cannot read {argv[1]}: {error}", file=sys.stderr)
        return 2
    mine = figures(exported)
    print(f"{argv[1]}: pm4py {pm4py.__version__} reads {mine['n_cases']} cases, {mine['n_events']} events, "
          f"{len(mine['activities'])} activities, {mine['n_variants']} variants")
    if len(argv) == 2:
        return 0
    theirs = figures(load(argv[2]))
    differences = [key for key in theirs if not same(mine[key], theirs[key])]
    for key in differences:
        print(f"differs: {key}\n  export:   {str(mine[key])[:300]}\n  original: {str(theirs[key])[:300]}")
    if differences:
        return 1
    print(f"same as {argv[2]}: " + ", ".join(theirs.keys()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
