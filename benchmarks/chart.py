#!/usr/bin/env python3
"""Turns the JMH JSON of kafka-dedup's benchmarks into the chart and the markdown tables of RESULTS.md.

    python3 benchmarks/chart.py benchmarks/results/jmh-claim.json \
        --png benchmarks/claim-throughput.png [--keys benchmarks/results/jmh-keys.json]

Prints markdown tables (keys/s per batch size, ratios to our claim, the peers) on stdout and writes a
PNG of keys/s against batch size, one panel per duplicate share. Needs matplotlib for the PNG
(pip install matplotlib, or apt-get install python3-matplotlib); the tables need nothing.

The latency harness's CSV (e2e.LatencyBench --csv latency.csv):

    python3 benchmarks/chart.py --latency latency.csv [--png benchmarks/latency.png]

prints the median of each percentile over the repeats, with the median ratio to the baseline of the same
repeat, per offered rate and mode, and charts p50 / p99 / p99.9 against the offered rate.
"""
import argparse
import csv
import json
import sys

APPROACHES = [
    ("ourClaim", "kafka-dedup claim (PostgresClaimStore)"),
    ("ourProcessor", "kafka-dedup DedupProcessor (no-op handler)"),
    ("plainInsert", "plain insert, no dedup (floor)"),
    ("insertPerKey", "(a) INSERT ... ON CONFLICT per key"),
    ("selectThenInsert", "(b) SELECT then INSERT per key"),
    ("savepointPerKey", "(c) savepoint + INSERT per key"),
    ("springMetadataStore", "Spring Integration JdbcMetadataStore"),
    ("camelIdempotentRepository", "Camel JdbcMessageIdRepository"),
]
LABELS = dict(APPROACHES)


def median(values):
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def load(path):
    """{(method, dup or None, batch): median microseconds per batch over the measured iterations}."""
    with open(path) as f:
        data = json.load(f)
    out = {}
    for entry in data:
        method = entry["benchmark"].rsplit(".", 1)[1]
        params = entry.get("params", {})
        if "batchSize" not in params:
            continue
        unit = entry["primaryMetric"]["scoreUnit"]
        score = median([x for fork in entry["primaryMetric"]["rawData"] for x in fork])
        factor = {"us/op": 1.0, "ms/op": 1000.0, "ns/op": 0.001, "s/op": 1e6}[unit]
        dup = params.get("duplicatePercent")
        out[(method, None if dup is None else int(dup), int(params["batchSize"]))] = score * factor
    return out


def keys_per_second(results, method, dup, batch):
    us = results.get((method, dup, batch)) or results.get((method, None, batch))
    return None if us is None else batch / us * 1e6


def fmt(value, pattern="{:,.0f}"):
    return "n/a" if value is None else pattern.format(value)


def tables(results):
    batches = sorted({b for (_, _, b) in results})
    dups = sorted({d for (_, d, _) in results if d is not None})
    methods = [m for m, _ in APPROACHES if any(k[0] == m for k in results)]
    lines = []
    for dup in dups:
        lines.append(f"\n**{dup}% duplicates**: keys/s (batch size / time per batch incl. commit); "
                     "in brackets the ratio to kafka-dedup's claim\n")
        lines.append("| approach | " + " | ".join(f"batch {b}" for b in batches) + " |")
        lines.append("| --- |" + " ---: |" * len(batches))
        for m in methods:
            cells = []
            for b in batches:
                v = keys_per_second(results, m, dup, b)
                ours = keys_per_second(results, "ourClaim", dup, b)
                ratio = "" if v is None or ours is None or m == "ourClaim" else f" ({v / ours:.2f}x)"
                cells.append(fmt(v) + ratio)
            lines.append(f"| {LABELS[m]} | " + " | ".join(cells) + " |")
    lines.append("\n**Time per batch, µs (median of the JMH iterations' mean)**\n")
    lines.append("| approach | dup % | " + " | ".join(f"batch {b}" for b in batches) + " |")
    lines.append("| --- | ---: |" + " ---: |" * len(batches))
    for m in methods:
        for dup in ([None] if m == "plainInsert" else dups):
            cells = [fmt(results.get((m, dup, b)), "{:,.0f}") for b in batches]
            lines.append(f"| {LABELS[m]} | {'-' if dup is None else dup} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def headline(results):
    out = ["\n**Headline ratios (batch 500)**\n"]
    floor = results.get(("plainInsert", None, 500))
    for dup in (0, 10, 100):
        ours = results.get(("ourClaim", dup, 500))
        if ours is None:
            continue
        parts = [f"{dup}% duplicates: our 500-key claim takes {ours / 1000:.1f} ms"]
        if floor:
            parts.append(f"{ours / floor:.2f}x the plain 500-row insert ({floor / 1000:.1f} ms)")
        for peer in ("springMetadataStore", "camelIdempotentRepository", "insertPerKey", "savepointPerKey"):
            theirs = results.get((peer, dup, 500))
            if theirs:
                parts.append(f"{theirs / ours:.0f}x faster than {LABELS[peer]}")
        out.append("- " + "; ".join(parts))
    return "\n".join(out)


def batch_table(results, batch):
    """One batch size: ms per batch per duplicate share, with ratios to our claim and to the floor."""
    dups = sorted({d for (_, d, _) in results if d is not None})
    floor = results.get(("plainInsert", None, batch))
    lines = ["| approach | " + " | ".join(f"{d}% dup: ms/batch | vs our claim" for d in dups) + " |",
             "| --- |" + " ---: | ---: |" * len(dups)]
    for m, label in APPROACHES:
        cells = []
        for d in dups:
            us = results.get((m, None if m == "plainInsert" else d, batch))
            ours = results.get(("ourClaim", d, batch))
            if us is None:
                cells += ["n/a", ""]
                continue
            cells.append(f"{us / 1000:,.1f}")
            cells.append("1.00x" if m == "ourClaim" else f"{us / ours:.2f}x" if ours else "")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    if floor:
        lines.append("")
        lines.append("Our claim vs the floor: " + ", ".join(
            f"{d}% dup {results[('ourClaim', d, batch)] / floor:.2f}x"
            for d in dups if ("ourClaim", d, batch) in results) + f" the plain {batch}-row insert.")
    return "\n".join(lines)


def key_table(path):
    with open(path) as f:
        data = json.load(f)
    lines = ["\n| strategy | ns/record | bytes allocated/record |", "| --- | ---: | ---: |"]
    for entry in data:
        strategy = entry.get("params", {}).get("strategy", "?")
        ns = median([x for fork in entry["primaryMetric"]["rawData"] for x in fork])
        metrics = entry.get("secondaryMetrics", {})
        norm = metrics.get("gc.alloc.rate.norm") or metrics.get("\u00b7gc.alloc.rate.norm") or {}
        alloc = norm.get("score")
        lines.append(f"| {strategy} | {ns:,.1f} | {fmt(alloc, '{:,.0f}')} |")
    return "\n".join(lines)


def chart(results, png):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dups = sorted({d for (_, d, _) in results if d is not None})
    batches = sorted({b for (_, _, b) in results})
    fig, axes = plt.subplots(1, len(dups), figsize=(6 * len(dups), 6.2), sharey=True)
    if len(dups) == 1:
        axes = [axes]
    for ax, dup in zip(axes, dups):
        for m, label in APPROACHES:
            ys = [keys_per_second(results, m, dup, b) for b in batches]
            xs = [b for b, y in zip(batches, ys) if y is not None]
            ys = [y for y in ys if y is not None]
            if not xs:
                continue
            style = "-" if m.startswith("our") else (":" if m == "plainInsert" else "--")
            ax.plot(xs, ys, style, marker="o", label=label, linewidth=2.5 if m == "ourClaim" else 1.5)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(batches)
        ax.set_xticklabels([str(b) for b in batches])
        ax.set_title(f"{dup}% duplicates")
        ax.set_xlabel("keys per batch (one transaction)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("keys claimed per second")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=9)
    fig.suptitle("kafka-dedup: claim throughput vs batch size (JMH, PostgreSQL, synchronous_commit=on)")
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    fig.savefig(png, dpi=110)


LATENCY_COLUMNS = [("p50_ms", "p50"), ("p99_ms", "p99"), ("p999_ms", "p99.9"), ("max_ms", "max")]


def load_latency(path):
    """{(rate, mode): [row, ...]} from LatencyBench's CSV, rows as dicts with floats."""
    out = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            for key, _ in LATENCY_COLUMNS + [("p90_ms", "p90")]:
                row[key] = float(row[key])
            row["rate"] = int(row["rate"])
            row["repeat"] = int(row["repeat"])
            out.setdefault((row["rate"], row["mode"]), []).append(row)
    return out


def latency_tables(rows):
    lines = []
    for rate in sorted({r for (r, _) in rows}):
        base = {row["repeat"]: row for row in rows.get((rate, "baseline"), [])}
        lines.append(f"\n### offered {rate:,} records/s\n")
        lines.append("| mode | runs | " + " | ".join(f"{label} ms" for _, label in LATENCY_COLUMNS)
                     + " | p50 / baseline | p99 / baseline | p99.9 / baseline | saturated |")
        lines.append("| --- | ---: |" + " ---: |" * len(LATENCY_COLUMNS) + " ---: | ---: | ---: | ---: |")
        for (r, mode), runs in sorted(rows.items()):
            if r != rate:
                continue
            cells = []
            for key, _ in LATENCY_COLUMNS:
                values = [x[key] for x in runs]
                cells.append(f"{median(values):.1f} [{min(values):.1f}-{max(values):.1f}]" if len(values) > 1
                             else f"{values[0]:.1f}")
            for key in ("p50_ms", "p99_ms", "p999_ms"):
                ratios = [x[key] / base[x["repeat"]][key] for x in runs
                          if x["repeat"] in base and base[x["repeat"]][key] > 0]
                cells.append(f"{median(ratios):.2f}x" if ratios else "-")
            saturated = sum(1 for x in runs if x["saturated"] == "true")
            lines.append(f"| {mode} | {len(runs)} | " + " | ".join(cells) + f" | {saturated} |")
    return "\n".join(lines)


def latency_chart(rows, png):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [("p50_ms", "p50"), ("p99_ms", "p99"), ("p999_ms", "p99.9")]
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 5.5), sharey=True)
    modes = sorted({m for (_, m) in rows}, key=lambda m: (m != "baseline", m))
    for ax, (key, label) in zip(axes, panels):
        for mode in modes:
            rates = sorted(r for (r, m) in rows if m == mode)
            ys = [median([x[key] for x in rows[(r, mode)]]) for r in rates]
            ax.plot(rates, ys, "-" if mode == "baseline" else "--", marker="o", label=mode,
                    linewidth=2.5 if mode == "baseline" else 1.5)
        ax.set_yscale("log")
        ax.set_title(f"{label} latency (median of repeats)")
        ax.set_xlabel("offered records/s")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("send -> business row committed, ms")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=9)
    fig.suptitle("kafka-dedup: latency under a steady load (LatencyBench, PostgreSQL, synchronous_commit=on)")
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    fig.savefig(png, dpi=110)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("claim_json", nargs="?")
    parser.add_argument("--png")
    parser.add_argument("--keys", help="JMH JSON of KeyStrategyBenchmark (run with -prof gc)")
    parser.add_argument("--batch", type=int, help="print only the table of this batch size (no chart)")
    parser.add_argument("--latency", help="CSV of e2e.LatencyBench (--csv): latency tables and chart")
    args = parser.parse_args()
    if args.latency:
        rows = load_latency(args.latency)
        if not rows:
            sys.exit(f"no latency rows in {args.latency}")
        print(latency_tables(rows))
        if args.png:
            latency_chart(rows, args.png)
            print(f"\nwrote {args.png}", file=sys.stderr)
        return
    if not args.claim_json:
        parser.error("a JMH JSON file, or --latency CSV, is required")
    results = load(args.claim_json)
    if not results:
        sys.exit(f"no claim benchmark results in {args.claim_json}")
    if args.batch:
        print(batch_table(results, args.batch))
        return
    print(tables(results))
    print(headline(results))
    if args.keys:
        print(key_table(args.keys))
    if args.png:
        chart(results, args.png)
        print(f"\nwrote {args.png}", file=sys.stderr)


if __name__ == "__main__":
    main()
