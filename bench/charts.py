#!/usr/bin/python3
"""The benchmark report's charts: PNGs drawn from the raw figures the benchmarks left in a folder
(bench/bench_data.py), each with every system its benchmark ran.

- throughput against calls in flight and latency CDFs: local 1 KiB puts and gets beside Kubo
  (kubo_client.json), remote gets and puts on a 10-node swarm beside OpenDHT (swarm.json);
- the scale curves of one node from 10^4 to 10^6 contents (scale.json), with their targets.

A benchmark that left no file draws no chart. Prints one Markdown image line per chart drawn.
usage: charts.py DATA_DIR OUT_DIR [--link-prefix charts/]
"""
import argparse
import json
import os

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("data_dir")
ap.add_argument("out_dir")
ap.add_argument("--link-prefix", default="", help="prefix of each image's path in the Markdown")
args = ap.parse_args()

# One colour per system across every chart: swarmkv's variants in blues, the others apart.
COLOURS = {"Kubo": "tab:orange", "OpenDHT": "tab:red", "swarmkv": "tab:blue",
           "swarmkv random": "tab:blue", "swarmkv plain": "tab:cyan"}


def load(name):
    path = os.path.join(args.data_dir, f"{name}.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def save(fig, name, caption):
    os.makedirs(args.out_dir, exist_ok=True)
    fig.tight_layout()
    fig.savefig(os.path.join(args.out_dir, f"{name}.png"), dpi=110)
    plt.close(fig)
    print(f"![{caption}]({args.link_prefix}{name}.png)")


def cdf(ax, samples_ms, label, **style):
    """The fraction of calls done within each latency (samples are sorted)."""
    n = len(samples_ms)
    if n == 0:
        return
    ax.plot(samples_ms, [(i + 1) / n for i in range(n)], label=label, **style)


def style_of(system):
    """Colour by system; the bare streaming calls of the Kubo tables dashed."""
    base = system.replace(" client", "").replace(" stream", "")
    return {"color": COLOURS.get(base, "tab:gray"),
            "linestyle": "--" if system.endswith(" stream") else "-"}


def in_flight_axis(ax, levels):
    ax.set_xscale("log", base=2)
    ax.set_xticks(levels)
    ax.set_xticklabels([str(x) for x in levels])
    ax.set_xlabel("calls in flight")


def kubo_client_charts(data):
    """Tables a2 (puts) and b2 (gets): swarmkv's Python client and bare stream beside Kubo."""
    def system(name):
        return "Kubo" if name == "kubo" else f"swarmkv {name}"
    tables = {"a2": "local 1 KiB puts", "b2": "local 1 KiB gets"}
    present = [t for t in tables if any(s["table"] == t for s in data["series"])]
    if not present:
        return
    fig, axes = plt.subplots(1, len(present), figsize=(6 * len(present), 4.2), squeeze=False)
    for ax, table in zip(axes[0], present):
        series = [s for s in data["series"] if s["table"] == table]
        levels = sorted({s["inflight"] for s in series})
        for name in sorted({s["name"] for s in series}):
            points = sorted((s["inflight"], s["ops"]) for s in series if s["name"] == name)
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o",
                    label=system(name), **style_of(system(name)))
        in_flight_axis(ax, levels)
        ax.set_ylabel("ops/s")
        ax.set_ylim(bottom=0)
        ax.set_title(f"{tables[table]}: swarmkv beside Kubo")
        ax.legend(fontsize=8)
    save(fig, "local_throughput",
         "Local 1 KiB puts and gets against calls in flight, swarmkv beside Kubo")

    fig, axes = plt.subplots(1, len(present), figsize=(6 * len(present), 4.2), squeeze=False)
    for ax, table in zip(axes[0], present):
        series = [s for s in data["series"] if s["table"] == table]
        top = max(s["inflight"] for s in series)
        for s in sorted((s for s in series if s["inflight"] == top), key=lambda s: s["name"]):
            cdf(ax, s["samples_ms"], system(s["name"]), **style_of(system(s["name"])))
        ax.set_xscale("log")
        ax.set_xlabel("latency, ms")
        ax.set_ylabel("fraction of calls")
        ax.set_title(f"{tables[table]}, {top} in flight")
        ax.legend(fontsize=8)
    save(fig, "local_latency_cdf", "Latency CDFs of local 1 KiB puts and gets, swarmkv beside Kubo")


def swarm_charts(data):
    """The 10-node swarm beside OpenDHT: rates at 1 and N in flight, and latency CDFs."""
    top = data["inflight"]
    systems = data["systems"]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    for ax, (op, seq_key, key) in zip(axes, (("remote gets", "get_seq_rate", "get_rate"),
                                              ("puts", "put_seq_rate", "put_rate"))):
        for s in systems:
            if seq_key not in s:
                continue
            ax.plot([1, top], [s[seq_key], s[key]], marker="o", label=s["name"],
                    color=COLOURS.get(s["name"], "tab:gray"))
        in_flight_axis(ax, [1, top])
        ax.set_ylabel("ops/s")
        ax.set_ylim(bottom=0)
        ax.set_title(f"{data['nodes']} nodes, 1 KiB {op}: swarmkv beside OpenDHT")
        ax.legend(fontsize=8)
    save(fig, "swarm_throughput",
         f"{data['nodes']}-node swarm: remote gets and puts against calls in flight, "
         "swarmkv beside OpenDHT")

    kinds = [k for k in ("get @1", f"get @{top}", "put @1", f"put @{top}")
             if all(k in s.get("samples_ms", {}) for s in systems)]
    if not kinds:
        return
    fig, axes = plt.subplots(1, len(kinds), figsize=(4.5 * len(kinds), 4), squeeze=False)
    for ax, kind in zip(axes[0], kinds):
        for s in systems:
            cdf(ax, s["samples_ms"][kind], s["name"], color=COLOURS.get(s["name"], "tab:gray"))
        ax.set_xscale("log")
        ax.set_xlabel("latency, ms")
        ax.set_ylabel("fraction of calls")
        ax.set_title(("remote " if kind.startswith("get") else "") + kind + " in flight")
        ax.legend(fontsize=8)
    save(fig, "swarm_latency_cdf",
         f"{data['nodes']}-node swarm: latency CDFs, swarmkv beside OpenDHT")


def scale_charts(data):
    """One node from 10^4 to 10^6 contents, each figure against the targets of issue 14."""
    rows = data["rows"]
    if not rows:
        return
    x = [r["contents"] for r in rows]
    interval = data["default_interval_s"]
    panels = [
        ("ops/s, 16 in flight", [("puts", "put_ops"), ("gets", "get_ops")], "flat"),
        ("p50 latency, ms", [("pin", "pin_p50"), ("unpin", "unpin_p50"), ("get", "get_p50")],
         "flat"),
        ("daemon RSS, MiB", [("RSS", "rss")], 128),
        ("maintenance, % of a core", [("upkeep", None)], 5),
        ("start-up, s", [("start-up", "startup_s")], None),
    ]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 4))
    for ax, (title, lines, target) in zip(axes, panels):
        for label, key in lines:
            y = ([100 * r["round_cpu_s"] / interval for r in rows] if key is None
                 else [r[key] for r in rows])
            line, = ax.plot(x, y, marker="o", label=label)
            if target == "flat":  # within 20 % of the smallest store's figure
                ax.fill_between(x, [0.8 * y[0]] * len(x), [1.2 * y[0]] * len(x),
                                color=line.get_color(), alpha=0.12)
        if isinstance(target, (int, float)):
            ax.axhline(target, color="tab:red", linestyle=":", label=f"target < {target}")
        ax.set_xscale("log")
        ax.set_xlabel("pinned contents")
        ax.set_ylim(bottom=0)
        ax.set_title(title)
        ax.legend(fontsize=8)
    save(fig, "scale", "One node from 10^4 to 10^6 contents (swarmkv; shaded: within 20 % of the "
         "first point; dotted: the target)")


for name, draw in (("kubo_client", kubo_client_charts), ("swarm", swarm_charts),
                   ("scale", scale_charts)):
    data = load(name)
    if data is not None:
        draw(data)
