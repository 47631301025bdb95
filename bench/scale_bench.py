#!/usr/bin/python3
"""How the cost grows with the store: a node filled to 10^4, 10^5 and 10^6 pinned contents.

Node A is measured; node B holds the same contents, so that A's maintenance has a peer to check
every block with, as in any swarm, and finds it all in place (upkeep at rest). Both are filled
with peer networking off (each alone, so filling runs at the store's speed, not at a peer's
request budget) with the same distinct 1 KiB plain contents, each pinned, through the Python
client (16 threads). At each point, on A alone:
- put: 1 KiB puts (random mode, distinct, pinned, fsync'd), 16 in flight for a few seconds,
  through bench/api_load (the C++ client): ops/s, p99;
- get: 1 KiB gets of a fixed sample of contents written first (old data, spread through the
  store, not in the memtable), 16 threads of the Python client (one unary Read each): ops/s,
  p50, p99;
- pin / unpin: latency of unpinning and pinning again 200 contents of the sample, one at a time;
- RSS of the daemon.
Then A and B restart with peer networking on, A joined to B:
- start-up: from spawning A until its API answers;
- upkeep at rest: A's CPU over several maintenance rounds (at a short interval, so the run stays
  short), per round, after a first round that hands B the few blocks of the put measurement; and
  as a share of one core at the default 60 s interval.

Markdown on stdout, progress on stderr.
usage: scale_bench.py SWARMKV API_LOAD [--points 10000,100000,1000000] [--quick]
"""
import argparse
import hashlib
import os
import re
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
from daemon_fixture import Daemon, free_port  # noqa: E402

import bench_data  # noqa: E402

import swarmkv  # noqa: E402

PUT_SECONDS = 3
UPKEEP_ROUNDS = 3
DEFAULT_INTERVAL_S = 60
THREADS = 16


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


def content(i):
    """The i-th content: 1 KiB, distinct, the same on both nodes."""
    seed = hashlib.sha256(i.to_bytes(8, "big")).digest()
    return (seed * 32)[:1024]


class Node:
    """One daemon on a fixed data directory and peer port, restarted as the run needs."""

    def __init__(self, name):
        self.data_dir = os.path.join(root.name, name, "node")
        os.makedirs(os.path.dirname(self.data_dir))
        self.peer_port = free_port()
        self.daemon = None

    def start(self, networked=False, bootstrap=None):
        """Returns how long until the API answered. Networked, it logs each maintenance round
        (debug level; never while filling, where it would log every put)."""
        extra = ["--maintenance-interval", f"{args.interval}s",
                 "--log-level", "debug" if networked else "info",
                 "--peer-listen", f"127.0.0.1:{self.peer_port}" if networked else "off"]
        if bootstrap is not None:
            extra += ["--bootstrap", bootstrap]
        self.daemon = Daemon(args.swarmkv, data_dir=self.data_dir, extra_args=extra)
        t0 = time.perf_counter()
        self.daemon.start(deadline_s=600)
        return time.perf_counter() - t0

    def stop(self):
        if self.daemon is not None:
            assert self.daemon.stop(timeout=120) == 0, self.daemon.log()
            self.daemon = None

    def client(self):
        return swarmkv.Client(api=self.daemon.target, timeout=60)


def fill(nodes, first, last):
    """Puts contents first..last-1, plain and pinned, into every node."""
    lock, next_i = threading.Lock(), [first]

    def worker():
        clients = [n.client() for n in nodes]
        while True:
            with lock:
                i = next_i[0]
                if i >= last:
                    break
                next_i[0] += 1
            for c in clients:
                c.put(content(i), mode="plain")
        for c in clients:
            c.close()
    workers = [threading.Thread(target=worker) for _ in range(THREADS)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


def api_load_puts(target, seconds):
    """(ops/s, p99 ms) of distinct 1 KiB pinned puts, 16 in flight."""
    out = subprocess.run([args.api_load, "small", "--target", target, "--service", "node",
                          "--op", "put", "--size", "1024", "--inflight", "16",
                          "--seconds", str(seconds)], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"api_load failed: {out.stderr.strip()}")
    ops, _, p99_us = (float(x) for x in out.stdout.split())
    return ops, p99_us / 1e3


def timed_gets(node, sample):
    lat, lock, queue = [], threading.Lock(), list(sample)

    def worker():
        with node.client() as client:
            while True:
                with lock:
                    if not queue:
                        return
                    cid, expected = queue.pop()
                t0 = time.perf_counter()
                got = client.get(cid)
                with lock:
                    lat.append(time.perf_counter() - t0)
                if got != expected:
                    raise SystemExit(f"get {cid}: other bytes")
    t0 = time.perf_counter()
    workers = [threading.Thread(target=worker) for _ in range(THREADS)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return len(lat) / (time.perf_counter() - t0), lat


def pin_cycle(node, cids):
    unpin, pin = [], []
    with node.client() as client:
        for cid in cids:
            t0 = time.perf_counter()
            client.unpin(cid)
            t1 = time.perf_counter()
            client.pin(cid)
            pin.append(time.perf_counter() - t1)
            unpin.append(t1 - t0)
    return unpin, pin


def maintenance_rounds(node):
    with open(node.daemon.log_path) as f:
        return len(re.findall(r"swarm\.maintenance", f.read()))


def upkeep(node):
    """CPU seconds per maintenance round of `node` at rest."""
    # The first round hands the peer what it lacks (the put measurement's contents).
    first = maintenance_rounds(node)
    deadline = time.monotonic() + 600
    while maintenance_rounds(node) < first + 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    pid = node.daemon.proc.pid
    before, c0 = maintenance_rounds(node), cpu_seconds(pid)
    time.sleep(UPKEEP_ROUNDS * args.interval)
    rounds, c1 = maintenance_rounds(node) - before, cpu_seconds(pid)
    return (c1 - c0) / max(1, rounds), rounds


root = tempfile.TemporaryDirectory(prefix="skv-scale-")
a, b = Node("a"), Node("b")
rows = []
try:
    for node in (a, b):
        node.start()
    # The node ids, for bootstrapping A from B later.
    with b.client() as c:
        b_id = c.info().node_id
    log(f"scale: A in {a.data_dir}, B in {b.data_dir}; the sample: {args.sample} contents")
    fill((a, b), 0, args.sample)
    with a.client() as c:  # the sample's CIDs (a put of content A holds costs no write)
        sample = [(c.put(content(i), mode="plain").cid, content(i)) for i in range(args.sample)]
    filled = args.sample
    for contents in points:
        log(f"scale: filling A and B to {contents} contents ...")
        t0 = time.perf_counter()
        fill((a, b), filled, contents)
        filled = contents
        log(f"scale: filled in {time.perf_counter() - t0:.0f} s; measuring A")
        put_ops, put_p99 = api_load_puts(a.daemon.target, PUT_SECONDS)
        with a.client() as c:
            info = c.info().store
        get_ops, get_lat = timed_gets(a, sample)
        unpin, pin = pin_cycle(a, [cid for cid, _ in sample[:200]])
        rss = rss_mib(a.daemon.proc.pid)
        for node in (a, b):
            node.stop()
        b.start(networked=True)
        startup_s = a.start(networked=True, bootstrap=f"{b_id}@127.0.0.1:{b.peer_port}")
        per_round, rounds = upkeep(a)
        for node in (a, b):
            node.stop()
            node.start()
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
    for node in (a, b):
        try:
            node.stop()
        except Exception as e:  # noqa: BLE001 - the run's own error matters more
            log(f"scale: stopping a node: {e}")
    root.cleanup()


bench_data.save("scale", {"rows": rows, "default_interval_s": DEFAULT_INTERVAL_S})


def num(x):
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"


print("| pinned contents on A | blocks | put ops/s @16 | put p99 ms | get ops/s @16 "
      "| get p50 / p99 ms | unpin p50 / p99 ms | pin p50 / p99 ms | A's RSS MiB "
      "| start-up s | upkeep CPU s per round | upkeep at 60 s interval, % of a core |")
print("|" + "---|" * 12)
for r in rows:
    print(f"| {r['contents']:,} | {r['blocks']:,} | {num(r['put_ops'])} | {num(r['put_p99'])} "
          f"| {num(r['get_ops'])} | {num(r['get_p50'])} / {num(r['get_p99'])} "
          f"| {num(r['unpin_p50'])} / {num(r['unpin_p99'])} | {num(r['pin_p50'])} / "
          f"{num(r['pin_p99'])} | {num(r['rss'])} | {r['startup_s']:.2f} "
          f"| {r['round_cpu_s']:.2f} ({r['rounds']} rounds) "
          f"| {100 * r['round_cpu_s'] / DEFAULT_INTERVAL_S:.1f} |")
print()
first, last = rows[0], rows[-1]
print(f"From {first['contents']:,} to {last['contents']:,} contents: puts "
      f"{last['put_ops'] / first['put_ops']:.2f}×, gets {last['get_ops'] / first['get_ops']:.2f}×, "
      f"unpin p50 {last['unpin_p50'] / first['unpin_p50']:.2f}×, pin p50 "
      f"{last['pin_p50'] / first['pin_p50']:.2f}× (targets: flat within 20 %); A's RSS "
      f"{last['rss']:.0f} MiB (target under 128 MiB at 10^6 blocks); upkeep "
      f"{100 * last['round_cpu_s'] / DEFAULT_INTERVAL_S:.1f} % of a core (target under 5 %).")
print()
print("A and B hold the same plain contents (filled alone, then joined); A is measured. Puts: "
      "bench/api_load, random mode, distinct, pinned, fsync'd, A alone. Gets: a fixed sample of "
      f"{args.sample} contents written before the first point, through swarmkv.Client.get. "
      "Pin/unpin: 200 of the sample, one at a time. Start-up: A spawned on its data until its "
      "API answers (the test fixture's health check), joining B. Upkeep: A's CPU over "
      f"{UPKEEP_ROUNDS} maintenance intervals of {args.interval} s after the first round, per "
      "round; the share at the default 60 s interval is one round's CPU over 60 s.")
