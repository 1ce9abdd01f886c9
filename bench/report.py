#!/usr/bin/env python3
"""Renders the benchmark result files into BENCHMARKS.md.

Each bench in benches/ writes one JSON file (see benches/support/mod.rs,
`BenchResult`); this script orders them by the issue's row number, adds the
machine, date and commands, and prints Markdown on stdout. It measures
nothing itself, so the report can be re-rendered without re-running.
"""
import json
import pathlib
import platform
import subprocess
import sys
from datetime import datetime, timezone


def sh(*cmd):
    """First line of a command's output, or 'unknown' when it cannot run."""
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
        return out.strip().splitlines()[0] if out.strip() else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def cpu_model():
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mem_total():
    try:
        for line in pathlib.Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                kib = int(line.split()[1])
                return f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError):
        pass
    return "unknown"


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(columns, rows):
    lines = ["| " + " | ".join(cell(c) for c in columns) + " |",
             "|" + "|".join("---" for _ in columns) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


# Order of the curves in the report (issue 17); unknown ones follow by name.
CHART_ORDER = ["retained_cpu", "retained_memory", "aggregation_size", "aggregation_groups",
               "sdk_time", "sdk_memory", "first_row"]


def draw(chart, path):
    """Draws one curve as an SVG with matplotlib; False when it is missing.

    Sizes span decades, so x is logarithmic; a curve whose goal is "linear"
    is drawn log-log (a straight line of slope 1), a "flat" one on a linear y
    axis from 0 (so 10 % is 10 % of the height, not a wiggle magnified).
    """
    try:
        import matplotlib
        matplotlib.use("svg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    matplotlib.rcParams["svg.hashsalt"] = chart["id"]  # stable ids: diffs show real changes
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for series in chart["series"]:
        ax.plot(series["x"], series["y"], marker="o", label=series["label"])
    ax.set_xscale("log")
    if chart["goal"].startswith("linear"):
        ax.set_yscale("log")
    else:
        ax.set_ylim(bottom=0, top=max(max(s["y"]) for s in chart["series"]) * 1.3 or 1)
    ax.set_xlabel(chart["x_label"])
    ax.set_ylabel(chart["y_label"])
    ax.set_title(chart["title"], fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="svg", metadata={"Date": None})
    plt.close(fig)
    return True


def curves(results_dir):
    """The "Curves" section: each chart's picture, goal, verdict and table."""
    charts = [json.loads(p.read_text()) for p in sorted((results_dir / "charts").glob("*.json"))]
    if not charts:
        return []
    rank = {name: i for i, name in enumerate(CHART_ORDER)}
    charts.sort(key=lambda c: (rank.get(c["id"], len(rank)), c["id"]))
    docs = pathlib.Path(__file__).resolve().parent.parent / "docs" / "bench"
    out = ["", "## Curves (issue 17)", "",
           "Drawn by `bench/report.py` (matplotlib, installed by `bench/run.sh` into "
           "`target/bench-venv`) from the curves the benches wrote to "
           "`target/bench-results/charts/`; the pictures are `docs/bench/*.svg`."]
    for chart in charts:
        out += ["", f"### {chart['title']}", ""]
        if draw(chart, docs / f"{chart['id']}.svg"):
            out += [f"![{chart['title']}](docs/bench/{chart['id']}.svg)", ""]
        else:
            out += ["(no picture: matplotlib is not installed for this Python)", ""]
        verdict = "met" if chart["met"] else "**not met**"
        out += [f"Goal: {chart['goal']} — {verdict}.", ""]
        out.append(table(chart["columns"], chart["rows"]))
    return out


def main():
    results_dir = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/bench-results")
    timings = {}
    timings_file = results_dir / "timings.json"
    if timings_file.exists():
        timings = json.loads(timings_file.read_text())
    results = []
    for path in sorted(results_dir.glob("*.json")):
        if path.name == "timings.json":
            continue
        data = json.loads(path.read_text())
        data["_name"] = path.stem
        results.append(data)
    results.sort(key=lambda r: (r.get("row", 99), r["_name"]))

    out = ["# Benchmarks", ""]
    out.append("Generated by `bash bench/run.sh` (which ran every bench below once, in this "
               "order, and rendered this file with `bench/report.py`). Every ratio compares "
               "two figures measured in the same run on the same machine; times are medians "
               "of several runs unless a row says otherwise. Targets are those of issue 7.")
    out.append("")
    out.append("## Machine")
    out.append("")
    out.append(table(["", ""], [
        ["date (UTC)", datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M")],
        ["CPU", f"{cpu_model()}, {sh('nproc')} cores"],
        ["memory", mem_total()],
        ["kernel", platform.release()],
        ["rustc", sh("rustc", "-V")],
        ["python", platform.python_version()],
        ["wrk", sh("sh", "-c", "wrk -v 2>&1")],
        ["commit", sh("git", "rev-parse", "--short", "HEAD")],
        ["total run time", f"{timings['total_seconds']} s" if "total_seconds" in timings else "unknown"],
    ]))
    out.append("")
    out.append("The load generator, the servers and the clients share the same 2 cores, so "
               "absolute figures are lower than on a dedicated machine; ratios are what to read.")
    out.append("")
    out.append("## Summary")
    out.append("")
    out.append(table(["row", "benchmark", "targets met", "bench time"], [
        [r.get("row", "?"), r.get("title", r["_name"]), "yes" if r.get("met") else "**no**",
         f"{timings[r['_name']]} s" if r["_name"] in timings else ""]
        for r in results
    ]))
    for r in results:
        out.append("")
        out.append(f"## {r.get('row', '?')}. {r.get('title', r['_name'])}")
        out.append("")
        out.append(f"Reproduce: `{r.get('command', '')}`")
        out.append("")
        out.append(table(r.get("columns", []), r.get("rows", [])))
        notes = r.get("notes", [])
        if notes:
            out.append("")
            for note in notes:
                out.append(f"- {note}")
    out += curves(results_dir)
    # Hand-written analysis (profiles, misses) kept next to the script, so a
    # re-run keeps it; its figures are from the run it names.
    analysis = pathlib.Path(__file__).with_name("analysis.md")
    if analysis.exists():
        out.append("")
        out.append(analysis.read_text().rstrip())
    print("\n".join(out))


if __name__ == "__main__":
    main()
