#!/usr/bin/env python3
"""The last criterion run of each benchmark as a Markdown table (benches/README.md).

    python3 benches/summary.py [PREFIX ...]     # e.g. asn1/ ecdsa poll_cycle

Reads target/criterion/**/new/{benchmark,estimates}.json (CARGO_TARGET_DIR is honoured):
mean time with its 95% interval, and the throughput when the bench declares one. Within each
criterion group, the ratio to the group's reference (`tlv_walk`, else `aws-lc`) is shown.
"""
import json
import os
import sys
from pathlib import Path

root = Path(os.environ.get("CARGO_TARGET_DIR", "target")) / "criterion"
prefixes = sys.argv[1:]


def fmt_time(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def fmt_rate(per_s, unit):
    for prefix, scale in (("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if per_s >= scale:
            return f"{per_s / scale:.3g} {prefix}{unit}/s"
    return f"{per_s:.3g} {unit}/s"


rows = []
for bench in sorted(root.glob("**/new/benchmark.json")):
    meta = json.loads(bench.read_text())
    est = json.loads((bench.parent / "estimates.json").read_text())
    name = meta["full_id"]
    if prefixes and not any(name.startswith(p) for p in prefixes):
        continue
    mean = est["mean"]
    rows.append((meta["group_id"], name, mean, meta.get("throughput")))

groups = {}
for group, name, mean, _ in rows:
    groups.setdefault(group, {})[name.rsplit("/", 1)[-1]] = mean["point_estimate"]

print("| benchmark | mean | 95% CI | throughput | ratio |")
print("|---|---|---|---|---|")
for group, name, mean, thr in rows:
    ns = mean["point_estimate"]
    ci = mean["confidence_interval"]
    rate = []
    if thr:
        per_iter = thr.get("ElementsAndBytes") or {}
        elements = thr.get("Elements") or per_iter.get("elements")
        nbytes = thr.get("Bytes") or per_iter.get("bytes")
        if elements:
            rate.append(fmt_rate(elements * 1e9 / ns, "msg" if per_iter else "elem"))
        if nbytes:
            rate.append(fmt_rate(nbytes * 1e9 / ns, "B"))  # decimal: MB/s = 10^6 B/s
    members = groups[group]
    ref = members.get("tlv_walk") or members.get("aws-lc")
    ratio = f"{ns / ref:.2f}x" if ref else ""
    print(
        f"| `{name}` | {fmt_time(ns)} | {fmt_time(ci['lower_bound'])} – "
        f"{fmt_time(ci['upper_bound'])} | {', '.join(rate)} | {ratio} |"
    )
