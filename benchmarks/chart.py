#!/usr/bin/env python3
"""Turns the JMH JSON of kafka-dedup's benchmarks into the chart and the markdown tables of RESULTS.md.

    python3 benchmarks/chart.py benchmarks/results/jmh-claim.json \
        --png benchmarks/claim-throughput.png [--keys benchmarks/results/jmh-keys.json]

Prints markdown tables (keys/s per batch size, ratios to our claim, the peers) on stdout and writes a
PNG of keys/s against batch size, one panel per duplicate share. Needs matplotlib for the PNG
(pip install matplotlib, or apt-get install python3-matplotlib); the tables need nothing.
"""
import argparse
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("claim_json")
    parser.add_argument("--png")
    parser.add_argument("--keys", help="JMH JSON of KeyStrategyBenchmark (run with -prof gc)")
    parser.add_argument("--batch", type=int, help="print only the table of this batch size (no chart)")
    args = parser.parse_args()
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
