"""Where a benchmark leaves its raw figures for the report's charts (bench/charts.py).

bench/report.sh sets SWARMKV_BENCH_DATA to a folder; each Python benchmark then writes one JSON
file there per table it prints (the same figures, plus the latency samples a CDF needs). Run
alone, without the variable, a benchmark writes nothing.
"""
import json
import os

ENV = "SWARMKV_BENCH_DATA"


def save(name, data):
    """Writes `data` (JSON-serialisable) as <name>.json in the report's data folder, if any."""
    folder = os.environ.get(ENV)
    if not folder:
        return
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f"{name}.json"), "w") as f:
        json.dump(data, f)


def latencies_ms(samples_s, limit=5000):
    """Latency samples in ms for a CDF, sorted; evenly thinned to at most `limit` points."""
    ordered = sorted(samples_s)
    if len(ordered) > limit:
        step = len(ordered) / limit
        ordered = [ordered[int(i * step)] for i in range(limit)] + [ordered[-1]]
    return [round(x * 1e3, 4) for x in ordered]
