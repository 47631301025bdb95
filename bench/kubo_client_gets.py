"""Table b2: local 1 KiB gets through the swarmkv Python client, Kubo beside it in one run.

The Kubo anchor's table b reads swarmkv with a bare server-streaming Get per content, which costs
a Python client 0.4-0.7 ms of CPU per call; users read with the swarmkv package
(clients/python), whose get() makes one unary Read for content up to 1 MiB. This table puts
both beside Kubo's HTTP RPC (/api/v0/cat), the same contents, the same daemons: Kubo, swarmkv
random and swarmkv plain, each alone. Every get checks the bytes. Rounds alternate the order of
the systems.

Run by bench/run_kubo_anchor.sh, which sets the environment the anchor's kvbench.py needs, with
KVBENCH_GEN pointing at clients/python (so kvbench and the client share one set of stubs).
usage: kubo_client_gets.py [--quick] [--n N] [--rounds R] [--inflight 1,16]
"""
import argparse
import os
import random
import time

import kvbench as kb
import swarmkv  # clients/python, on sys.path through KVBENCH_GEN

ap = argparse.ArgumentParser()
ap.add_argument("--quick", action="store_true", help="N=300, 1 round")
ap.add_argument("--n", type=int)
ap.add_argument("--rounds", type=int)
ap.add_argument("--inflight", default="1,16")
args = ap.parse_args()
n = args.n or (300 if args.quick else 2000)
rounds = args.rounds or (1 if args.quick else 2)
levels = [int(x) for x in args.inflight.split(",")]
SIZE = 1024

root = kb.make_root("client-gets-")
nodes = {"kubo": kb.Kubo(root, "kubo"), "random": kb.Swarmkv(root, "skv-random"),
         "plain": kb.Swarmkv(root, "skv-plain")}
for node in nodes.values():
    node.start()
kb.log("# b2: daemons up: " + ", ".join(f"{k} pid {v.proc.pid}" for k, v in nodes.items()))

# (daemon, how each client thread connects, get(ref, connection) -> bytes)
READERS = {
    "kubo": ("kubo", nodes["kubo"].conn, lambda ref, c: nodes["kubo"].cat(c, ref)),
}
for mode in ("random", "plain"):
    node = nodes[mode]
    READERS[f"{mode} client"] = (mode, (lambda node=node: swarmkv.Client(node.api)),
                                 lambda ref, c: c.get(ref))
    READERS[f"{mode} stream"] = (mode, node.stub, lambda ref, s: kb.Swarmkv.get(s, ref))


def put_all(contents):
    """Stores every content in every daemon; returns {daemon: [refs]}."""
    refs = {}
    conn = nodes["kubo"].conn()
    refs["kubo"] = [nodes["kubo"].add(conn, d) for d in contents]
    for mode in ("random", "plain"):
        stub = nodes[mode].stub()
        refs[mode] = [kb.Swarmkv.put(stub, d, mode).capability for d in contents]
    return refs


res = {}  # (reader, inflight) -> [per-round figures]
for r in range(rounds):
    for c in levels:
        contents = [os.urandom(SIZE) for _ in range(n)]
        refs = put_all(contents)
        order = list(READERS) if r % 2 == 0 else list(READERS)[::-1]
        for name in order:
            daemon, connect, get = READERS[name]
            idx = list(range(n))
            random.shuffle(idx)
            pid = nodes[daemon].proc.pid
            d0, c0 = kb.proc_cpu_s(pid), time.process_time()
            rate, lat, got = kb.closed_loop([refs[daemon][i] for i in idx], c, get, local=connect)
            d1, c1 = kb.proc_cpu_s(pid), time.process_time()
            bad = sum(got[j] != contents[i] for j, i in enumerate(idx))
            if bad:
                raise SystemExit(f"{name}: {bad} gets returned other bytes")
            res.setdefault((name, c), []).append({
                "ops": rate, "p50": kb.percentile(lat, 50) * 1e3, "p99": kb.percentile(lat, 99) * 1e3,
                "dcpu": (d1 - d0) / n * 1e3, "ccpu": (c1 - c0) / n * 1e3})
            kb.log(f"round {r} get {name:14s} @{c:<2d}: {rate:7.0f} ops/s (bytes checked)")
kb.stop_all(nodes.values())


def figure(name, c, key):
    return kb.mean([x[key] for x in res[(name, c)]])


rows = []
for c in levels:
    kubo = figure("kubo", c, "ops")
    for mode in ("random", "plain"):
        client, stream = f"{mode} client", f"{mode} stream"
        rows.append([
            c, mode,
            kb.with_rounds([x["ops"] for x in res[(client, c)]]),
            kb.with_rounds([x["ops"] for x in res[(stream, c)]]),
            kb.with_rounds([x["ops"] for x in res[("kubo", c)]]),
            kb.ratio(figure(client, c, "ops"), kubo), kb.ratio(figure(stream, c, "ops"), kubo),
            f"{kb.num(figure(client, c, 'p50'))} / {kb.num(figure(client, c, 'p99'))}",
            f"{kb.num(figure('kubo', c, 'p50'))} / {kb.num(figure('kubo', c, 'p99'))}",
            f"{kb.num(figure(client, c, 'ccpu'))} / {kb.num(figure(stream, c, 'ccpu'))} / "
            f"{kb.num(figure('kubo', c, 'ccpu'))}",
            f"{kb.num(figure(client, c, 'dcpu'))} / {kb.num(figure('kubo', c, 'dcpu'))}",
        ])
kb.md_table(
    "b2: local 1 KiB gets through the swarmkv Python client, one daemon each",
    ["in flight", "swarmkv mode", "client ops/s", "stream ops/s", "Kubo ops/s",
     "client/Kubo", "stream/Kubo", "client p50/p99 ms", "Kubo p50/p99 ms",
     "client CPU ms/op: client / stream / Kubo", "daemon CPU ms/op: client / Kubo"],
    rows,
    [f"{n} distinct 1 KiB contents per level; mean of {kb.count(rounds, 'round')}"
     + (", per-round values in brackets" if rounds > 1 else "") + "; bytes checked.",
     "client: swarmkv.Client.get (one unary Read); stream: a server-streaming Get per content, "
     "as the anchor's table b; Kubo: /api/v0/cat over a keep-alive http.client connection.",
     "Each client thread has its own swarmkv.Client, gRPC channel or HTTP connection."])
