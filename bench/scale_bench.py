#!/usr/bin/python3
"""How the cost grows with the store: a node filled to 10^4, 10^5 and 10^6 pinned contents.

Two nodes, A (measured) and its peer B: every put on A is also stored on B (R = 3 over two
nodes: both hold everything, write quorum 2), so A's maintenance has a peer to check every
block with, as in any swarm. At each point A holds that many distinct 1 KiB contents, each
pinned (filled by bench/api_load: 16 puts in flight, distinct content, fsync'd as always). Then,
with nothing else running:
- put: 1 KiB puts, 16 in flight for a few seconds (api_load, the C++ client): ops/s, p99;
- get: 1 KiB gets through the Python client (one unary Read each), 16 threads, over a fixed
  sample of contents written before the first point (old data, spread through the store, not
  the memtable): ops/s, p50, p99;
- pin / unpin: latency of unpinning and pinning again contents of that sample, one at a time;
- RSS of the daemon;
- start-up: SIGTERM, start again on the same data, time until the API answers;
- upkeep at rest: the daemon's CPU over several maintenance rounds (at a short interval, so
  the run stays short), per round, and as a share of one core at the default 60 s interval.

Markdown on stdout, progress on stderr.
usage: scale_bench.py SWARMKV API_LOAD [--points 10000,100000,1000000] [--quick]
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("swarmkv")
parser.add_argument("api_load")
parser.add_argument("--points", default="10000,100000,1000000")
parser.add_argument("--quick", action="store_true", help="points 10000,30000,100000")
parser.add_argument("--sample", type=int, default=2000)
parser.add_argument("--interval", type=int, default=10, help="maintenance interval, seconds")
args = parser.parse_args()
points = [int(p) for p in ("10000,30000,100000" if args.quick else args.points).split(",")]

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests"))
sys.path.insert(0, os.path.join(here, "..", "clients", "python"))
from daemon_fixture import Daemon  # noqa: E402

import swarmkv  # noqa: E402

PUT_SECONDS = 5
UPKEEP_ROUNDS = 3
DEFAULT_INTERVAL_S = 60


def log(*what):
    print(*what, file=sys.stderr, flush=True)


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def api_load_puts(target, seconds):
    """(ops/s, p50 ms, p99 ms) of distinct 1 KiB pinned puts, 16 in flight."""
    out = subprocess.run([args.api_load, "small", "--target", target, "--service", "node",
                          "--op", "put", "--size", "1024", "--inflight", "16",
                          "--seconds", str(seconds)], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"api_load failed: {out.stderr.strip()}")
    ops, p50_us, p99_us = (float(x) for x in out.stdout.split())
    return ops, p50_us / 1e3, p99_us / 1e3


def fill_to(daemon, client, contents, rate):
    """Puts until the node holds about `contents` pinned roots; `rate` is a guess of puts/s
    (api_load runs for a time, not a count)."""
    while True:
        have = client.info().store.pinned_roots
        if have >= contents * 0.98:
            return
        ops, _, _ = api_load_puts(daemon.target, max(1, min(30, (contents - have) / rate)))
        rate = ops
        log(f"  fill: {client.info().store.pinned_roots} pinned ({ops:.0f} puts/s)")


def timed_gets(target, sample, threads=16):
    lat, lock, queue = [], threading.Lock(), list(sample)

    def worker():
        with swarmkv.Client(api=target, timeout=30) as client:
            while True:
                with lock:
                    if not queue:
                        return
                    cap = queue.pop()
                t0 = time.perf_counter()
                client.get(cap)
                with lock:
                    lat.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return len(lat) / (time.perf_counter() - t0), lat


def pin_cycle(client, sample):
    unpin, pin = [], []
    for cap in sample:
        t0 = time.perf_counter()
        client.unpin(cap)
        t1 = time.perf_counter()
        client.pin(cap)
        pin.append(time.perf_counter() - t1)
        unpin.append(t1 - t0)
    return unpin, pin


def upkeep(daemon):
    """CPU seconds per maintenance round at rest, from the daemon's debug log."""
    pid = daemon.proc.pid
    with open(daemon.log_path) as f:
        before = len(re.findall(r"swarm\.maintenance", f.read()))
    c0 = cpu_seconds(pid)
    time.sleep(UPKEEP_ROUNDS * args.interval)
    c1 = cpu_seconds(pid)
    with open(daemon.log_path) as f:
        rounds = len(re.findall(r"swarm\.maintenance", f.read())) - before
    return (c1 - c0) / max(1, rounds), rounds


def start(data_dir, debug=False, bootstrap=()):
    """The node on `data_dir`, and how long until its API answered. With `debug` it logs each
    maintenance round (and each put, so not while filling)."""
    os.makedirs(os.path.dirname(data_dir), exist_ok=True)
    daemon = Daemon(args.swarmkv, data_dir=data_dir,
                    extra_args=["--maintenance-interval", f"{args.interval}s",
                                "--log-level", "debug" if debug else "info",
                                *[arg for entry in bootstrap for arg in ("--bootstrap", entry)]])
    t0 = time.perf_counter()
    daemon.start(deadline_s=600)
    return daemon, time.perf_counter() - t0


def restart(daemon, debug=False):
    daemon.proc.send_signal(signal.SIGTERM)
    daemon.proc.wait(timeout=120)
    return start(daemon.data_dir, debug, bootstrap)


root = tempfile.TemporaryDirectory(prefix="skv-scale-")
peer, _ = start(os.path.join(root.name, "b", "node"))
with swarmkv.Client(api=peer.target) as peer_client:
    peer_info = peer_client.info()
bootstrap = [f"{peer_info.node_id}@{peer_info.peer_addresses[0]}"]
daemon, _ = start(os.path.join(root.name, "a", "node"), bootstrap=bootstrap)
client = swarmkv.Client(api=daemon.target, timeout=60)
log(f"scale: node A in {daemon.data_dir}, its peer B in {peer.data_dir}; "
    f"the sample: {args.sample} contents")
sample = [client.put(os.urandom(1024)).uri for _ in range(args.sample)]
rows = []
put_rate = 3000.0
try:
    for contents in points:
        log(f"scale: filling to {contents} pinned contents ...")
        # The measured puts are the fill's last part, so they end near the point.
        fill_to(daemon, client, contents - put_rate * PUT_SECONDS, put_rate)
        put_ops, _, put_p99 = api_load_puts(daemon.target, PUT_SECONDS)
        put_rate = put_ops
        info = client.info().store
        get_ops, get_lat = timed_gets(daemon.target, sample)
        unpin, pin = pin_cycle(client, sample[:200])
        rss = rss_mib(daemon.proc.pid)
        client.close()
        daemon, startup_s = restart(daemon, debug=True)
        per_round, rounds = upkeep(daemon)
        daemon, _ = restart(daemon)
        client = swarmkv.Client(api=daemon.target, timeout=60)
        rows.append({
            "contents": info.pinned_roots, "blocks": info.blocks,
            "put_ops": put_ops, "put_p99": put_p99,
            "get_ops": get_ops, "get_p50": percentile(get_lat, 50) * 1e3,
            "get_p99": percentile(get_lat, 99) * 1e3,
            "unpin_p50": percentile(unpin, 50) * 1e3, "unpin_p99": percentile(unpin, 99) * 1e3,
            "pin_p50": percentile(pin, 50) * 1e3, "pin_p99": percentile(pin, 99) * 1e3,
            "rss": rss, "startup_s": startup_s, "round_cpu_s": per_round, "rounds": rounds,
        })
        log(f"scale: {rows[-1]}")
finally:
    client.close()
    daemon.stop()
    peer.stop()
    root.cleanup()


def num(x):
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"


first = rows[0]
print("| pinned contents | blocks | put ops/s @16 | put p99 ms | get ops/s @16 (Python client) "
      "| get p50 / p99 ms | unpin p50 / p99 ms | pin p50 / p99 ms | daemon RSS MiB "
      "| start-up s | upkeep CPU s per round | upkeep at 60 s interval, % of a core |")
print("|" + "---|" * 12)
for r in rows:
    print(f"| {r['contents']:,} | {r['blocks']:,} | {num(r['put_ops'])} | {num(r['put_p99'])} "
          f"| {num(r['get_ops'])} | {num(r['get_p50'])} / {num(r['get_p99'])} "
          f"| {num(r['unpin_p50'])} / {num(r['unpin_p99'])} | {num(r['pin_p50'])} / "
          f"{num(r['pin_p99'])} | {num(r['rss'])} | {r['startup_s']:.2f} "
          f"| {r['round_cpu_s']:.3f} ({r['rounds']} rounds) "
          f"| {100 * r['round_cpu_s'] / DEFAULT_INTERVAL_S:.2f} |")
print()
last = rows[-1]
print(f"From {first['contents']:,} to {last['contents']:,} contents: puts "
      f"{last['put_ops'] / first['put_ops']:.2f}×, gets {last['get_ops'] / first['get_ops']:.2f}×, "
      f"unpin p50 {last['unpin_p50'] / first['unpin_p50']:.2f}×, pin p50 "
      f"{last['pin_p50'] / first['pin_p50']:.2f}× (targets: within 20 %, 0.8–1.25×); RSS "
      f"{last['rss']:.0f} MiB (target under 128 MiB at 10^6 blocks); upkeep "
      f"{100 * last['round_cpu_s'] / DEFAULT_INTERVAL_S:.2f} % of a core (target under 5 %).")
print()
print("Node A with one peer (B holds a copy of everything), default settings but a maintenance "
      f"interval of {args.interval} s to see several rounds quickly; the share at the default "
      "60 s interval is the CPU of one round of A over 60 s. Puts: bench/api_load, distinct 1 KiB contents, pinned, "
      "fsync'd. Gets: a fixed sample of "
      f"{args.sample} contents written before the first point, read through swarmkv.Client.get. "
      "Pin/unpin: 200 of the sample, one at a time. Start-up: SIGTERM, then the same data "
      "directory until the API answers (the test fixture's health check).")
