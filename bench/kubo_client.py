"""Tables a2 and b2: local 1 KiB puts and gets through the swarmkv Python client, Kubo beside it
in one run.

The Kubo anchor's tables a and b drive swarmkv with a bare client-streaming Put and a bare
server-streaming Get per content, which cost a Python client 0.4-1.6 ms of CPU per call; users
go through the swarmkv package (clients/python), whose put() sends content up to 256 KiB in one
unary Write and whose get() makes one unary Read for content up to 1 MiB. These tables put the
client and the bare stream beside Kubo's HTTP RPC (/api/v0/add, /api/v0/cat), the same daemons:
Kubo, swarmkv random and swarmkv plain, each alone. Every put stores fresh contents (no dedup
between writers); every get checks the bytes. Rounds alternate the order of the systems.

Run by bench/run_kubo_anchor.sh, which sets the environment the anchor's kvbench.py needs, with
KVBENCH_GEN pointing at clients/python (so kvbench and the client share one set of stubs).
usage: kubo_client.py [--quick] [--n N] [--rounds R] [--inflight 1,16] [--tables a2,b2]
"""
import argparse
import os
import random
import time

import bench_data
import kvbench as kb
import swarmkv  # clients/python, on sys.path through KVBENCH_GEN

ap = argparse.ArgumentParser()
ap.add_argument("--quick", action="store_true", help="N=300, 1 round")
ap.add_argument("--n", type=int)
ap.add_argument("--rounds", type=int)
ap.add_argument("--inflight", default="1,16")
ap.add_argument("--tables", default="a2,b2")
args = ap.parse_args()
n = args.n or (300 if args.quick else 2000)
rounds = args.rounds or (1 if args.quick else 2)
levels = [int(x) for x in args.inflight.split(",")]
tables = args.tables.split(",")
SIZE = 1024
MODES = ("random", "plain")

root = kb.make_root("client-")
nodes = {"kubo": kb.Kubo(root, "kubo"), "random": kb.Swarmkv(root, "skv-random"),
         "plain": kb.Swarmkv(root, "skv-plain")}
for node in nodes.values():
    node.start()
kb.log("# a2/b2: daemons up: " + ", ".join(f"{k} pid {v.proc.pid}" for k, v in nodes.items()))


def client_for(node):
    return lambda: swarmkv.Client(node.api)


# Per table: {name: (daemon, how each client thread connects, op(item, connection))}. A put's
# item is the content; a get's is (reference, content).
OPS = {"a2": {"kubo": ("kubo", nodes["kubo"].conn, lambda d, c: nodes["kubo"].add(c, d))},
       "b2": {"kubo": ("kubo", nodes["kubo"].conn, lambda ref, c: nodes["kubo"].cat(c, ref))}}
for mode in MODES:
    node = nodes[mode]
    OPS["a2"][f"{mode} client"] = (mode, client_for(node),
                                   lambda d, c, mode=mode: c.put(d, mode=mode).uri)
    OPS["a2"][f"{mode} stream"] = (mode, node.stub,
                                   lambda d, s, mode=mode: kb.Swarmkv.put(s, d, mode).capability)
    OPS["b2"][f"{mode} client"] = (mode, client_for(node), lambda ref, c: c.get(ref))
    OPS["b2"][f"{mode} stream"] = (mode, node.stub, lambda ref, s: kb.Swarmkv.get(s, ref))


def fresh_contents():
    return [os.urandom(SIZE) for _ in range(n)]


def put_all(contents):
    """Stores every content in every daemon through the fastest path; returns {daemon: [refs]}."""
    refs = {}
    conn = nodes["kubo"].conn()
    refs["kubo"] = [nodes["kubo"].add(conn, d) for d in contents]
    for mode in MODES:
        with swarmkv.Client(nodes[mode].api) as client:
            refs[mode] = [client.put(d, mode=mode).uri for d in contents]
    return refs


def measure(name, daemon, connect, op, items, c):
    pid = nodes[daemon].proc.pid
    d0, c0 = kb.proc_cpu_s(pid), time.process_time()
    rate, lat, results = kb.closed_loop(items, c, op, local=connect)
    d1, c1 = kb.proc_cpu_s(pid), time.process_time()
    return results, {"ops": rate, "p50": kb.percentile(lat, 50) * 1e3,
                     "p99": kb.percentile(lat, 99) * 1e3,
                     "dcpu": (d1 - d0) / n * 1e3, "ccpu": (c1 - c0) / n * 1e3,
                     "samples_ms": bench_data.latencies_ms(lat)}


res = {}  # (table, name, inflight) -> [per-round figures]
for r in range(rounds):
    for c in levels:
        if "a2" in tables:
            names = list(OPS["a2"]) if r % 2 == 0 else list(OPS["a2"])[::-1]
            for name in names:
                daemon, connect, put = OPS["a2"][name]
                contents = fresh_contents()  # nothing any daemon has seen: no dedup
                refs, figures = measure(name, daemon, connect, put, contents, c)
                if any(not ref for ref in refs):
                    raise SystemExit(f"{name}: a put returned no reference")
                res.setdefault(("a2", name, c), []).append(figures)
                kb.log(f"round {r} put {name:14s} @{c:<2d}: {figures['ops']:7.0f} ops/s")
        if "b2" in tables:
            contents = fresh_contents()
            refs = put_all(contents)
            names = list(OPS["b2"]) if r % 2 == 0 else list(OPS["b2"])[::-1]
            for name in names:
                daemon, connect, get = OPS["b2"][name]
                idx = list(range(n))
                random.shuffle(idx)
                got, figures = measure(name, daemon, connect, get,
                                       [refs[daemon][i] for i in idx], c)
                bad = sum(got[j] != contents[i] for j, i in enumerate(idx))
                if bad:
                    raise SystemExit(f"{name}: {bad} gets returned other bytes")
                res.setdefault(("b2", name, c), []).append(figures)
                kb.log(f"round {r} get {name:14s} @{c:<2d}: {figures['ops']:7.0f} ops/s "
                       "(bytes checked)")
kb.stop_all(nodes.values())


# For the report's charts: per table, system and calls in flight, the mean rate and the first
# round's latency samples.
bench_data.save("kubo_client", {
    "n": n, "rounds": rounds,
    "series": [{"table": t, "name": name, "inflight": c,
                "ops": kb.mean([x["ops"] for x in runs]), "samples_ms": runs[0]["samples_ms"]}
               for (t, name, c), runs in res.items()]})


def figure(table, name, c, key):
    return kb.mean([x[key] for x in res[(table, name, c)]])


def print_table(table, title, notes):
    rows = []
    for c in levels:
        kubo = figure(table, "kubo", c, "ops")
        for mode in MODES:
            client, stream = f"{mode} client", f"{mode} stream"

            def f(name, key, c=c):
                return kb.num(figure(table, name, c, key))

            def per_round(name, c=c):
                return kb.with_rounds([x["ops"] for x in res[(table, name, c)]])
            rows.append([
                c, mode, per_round(client), per_round(stream), per_round("kubo"),
                kb.ratio(figure(table, client, c, "ops"), kubo),
                kb.ratio(figure(table, stream, c, "ops"), kubo),
                f"{f(client, 'p50')} / {f(client, 'p99')}", f"{f('kubo', 'p50')} / {f('kubo', 'p99')}",
                f"{f(client, 'ccpu')} / {f(stream, 'ccpu')} / {f('kubo', 'ccpu')}",
                f"{f(client, 'dcpu')} / {f('kubo', 'dcpu')}",
            ])
    kb.md_table(
        title,
        ["in flight", "swarmkv mode", "client ops/s", "stream ops/s", "Kubo ops/s",
         "client/Kubo", "stream/Kubo", "client p50/p99 ms", "Kubo p50/p99 ms",
         "client CPU ms/op: client / stream / Kubo", "daemon CPU ms/op: client / Kubo"],
        rows,
        [f"{n} distinct 1 KiB contents per level; mean of {kb.count(rounds, 'round')}"
         + (", per-round values in brackets" if rounds > 1 else "") + "; " + notes[0],
         notes[1],
         "Each client thread has its own swarmkv.Client, gRPC channel or HTTP connection."])


if "a2" in tables:
    print_table("a2", "a2: local 1 KiB puts through the swarmkv Python client, one daemon each",
                ["fresh contents for every writer (no dedup); swarmkv fsyncs each put; Kubo "
                 "runs flatfs with sync=false, its default.",
                 "client: swarmkv.Client.put (one unary Write); stream: a client-streaming Put "
                 "per content, as the anchor's table a; Kubo: /api/v0/add over a keep-alive "
                 "http.client connection."])
if "b2" in tables:
    print_table("b2", "b2: local 1 KiB gets through the swarmkv Python client, one daemon each",
                ["bytes checked.",
                 "client: swarmkv.Client.get (one unary Read); stream: a server-streaming Get per "
                 "content, as the anchor's table b; Kubo: /api/v0/cat over a keep-alive "
                 "http.client connection."])
