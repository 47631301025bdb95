#!/usr/bin/python3
"""Remote 1 KiB gets on a 10-node loopback swarm: swarmkv beside OpenDHT, in one run.

swarmkv: 10 `swarmkv daemon` processes (TLS peer links, sync writes on, R = 3), a client on
node A puts 1 KiB blocks (plain, so one block each, like an OpenDHT value), and node B gets the
ones it does not hold: each get is a lookup and a fetch over the swarm. OpenDHT: the method of
research/baselines.md: N-2 `dhtnode` processes plus two python3-opendht runners A and B in this
process, network id 77, rate limits off; A puts fresh keys, B gets them.

Both are driven from this Python process: sequential operations for latency, then 16 in flight
(16 closed-loop threads for swarmkv, 16 outstanding callbacks for OpenDHT) for throughput.

With --records, swarmkv sets and resolves signed records instead (PutRecord on A, a remote
GetRecord by name on B: a lookup and a read of the R closest, every value signed and verified).
OpenDHT stays on its plain values: Debian's python3-opendht 2.4.12 binds no putSigned, and a
signed OpenDHT value costs it a signature and verifications more, so its unsigned figures are
the stricter baseline.

usage: swarm_bench.py SWARMKV API_PROTO [--nodes 10] [--keys 2000] [--inflight 16] [--records]
"""
import argparse
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("swarmkv")
parser.add_argument("api_proto")
parser.add_argument("--nodes", type=int, default=10)
parser.add_argument("--keys", type=int, default=2000)
parser.add_argument("--sequential", type=int, default=300)
parser.add_argument("--inflight", type=int, default=16)
parser.add_argument("--records", action="store_true",
                    help="swarmkv side: signed records (set / resolve) instead of blocks")
args = parser.parse_args()

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from daemon_fixture import Daemon  # noqa: E402

import bench_data  # noqa: E402

_GEN = tempfile.TemporaryDirectory(prefix="skv-stubs-")
subprocess.run(
    ["protoc", "-I", args.api_proto, f"--python_out={_GEN.name}", f"--grpc_python_out={_GEN.name}",
     "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin", "swarmkv/v1/node.proto"],
    check=True)
sys.path.insert(0, _GEN.name)
import grpc  # noqa: E402
from swarmkv.v1 import node_pb2, node_pb2_grpc  # noqa: E402

VALUE = 1024


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(samples, p):
    s = sorted(samples)
    return s[min(len(s) - 1, int(p / 100 * len(s)))] if s else float("nan")


def wait_until(condition, deadline_s, what):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.1)
    raise SystemExit(f"not within {deadline_s}s: {what}")


def closed_loop(items, inflight, op):
    """Runs op(item) over items with `inflight` threads; returns (ops/s, latencies in s)."""
    lock = threading.Lock()
    queue = list(items)
    latencies = []

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                item = queue.pop()
            start = time.perf_counter()
            op(item)
            with lock:
                latencies.append(time.perf_counter() - start)
    threads = [threading.Thread(target=worker) for _ in range(inflight)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies) / (time.perf_counter() - start), latencies


def sequential(items, op):
    return closed_loop(items, 1, op)


class SwarmkvSide:
    def __init__(self):
        self.daemons = []

    def start(self, n):
        first = None
        for i in range(n):
            api = f"127.0.0.1:{free_port()}"
            extra = ["--listen", api, "--peer-listen", "127.0.0.1:0"]
            if first is not None:
                extra += ["--bootstrap", first]
            d = Daemon(args.swarmkv, extra_args=extra).start()
            d.stub = node_pb2_grpc.NodeStub(grpc.insecure_channel(api))
            if first is None:
                info = d.stub.Info(node_pb2.InfoRequest(), timeout=10)
                first = f"{info.node_id}@{info.peer_addresses[0]}"
            self.daemons.append(d)
        for d in self.daemons:
            wait_until(lambda: len(d.stub.Peers(node_pb2.PeersRequest(), timeout=10).peers) >= n - 1,
                       60, "full routing tables")
        self.a, self.b = self.daemons[0].stub, self.daemons[1].stub

    def put(self, data):
        if args.records:
            key = "bench/" + os.urandom(8).hex()
            return self.a.PutRecord(node_pb2.PutRecordRequest(key=key, value=data), timeout=30).name

        def requests():
            yield node_pb2.PutRequest(header=node_pb2.PutHeader(mode=node_pb2.ENCRYPTION_MODE_PLAIN))
            yield node_pb2.PutRequest(chunk=data)
        return self.a.Put(requests(), timeout=30).cid

    def get(self, cid):
        if args.records:
            value = self.b.GetRecord(node_pb2.GetRecordRequest(key=cid), timeout=30).value
            assert len(value) == VALUE + 8
            return
        data = b"".join(r.chunk for r in self.b.Get(node_pb2.GetRequest(target=cid), timeout=30))
        assert len(data) == VALUE + 8

    def remote(self, cids):
        if args.records:
            return cids  # a resolve always reads the closest nodes, held here or not
        return [c for c in cids if not self.b.Stat(node_pb2.StatRequest(target=c), timeout=10).present]

    def close(self):
        for d in self.daemons:
            d.close()


class OpenDhtSide:
    def __init__(self):
        import opendht
        self.dht = opendht
        self.procs = []
        self.a = self.b = None

    def start(self, n):
        first_port = free_port()
        for i in range(n - 2):
            port = first_port if i == 0 else free_port()
            cmd = ["dhtnode", "--no-rate-limit", "-s", "-n", "77", "-p", str(port)]
            if i > 0:
                cmd += ["-b", f"127.0.0.1:{first_port}"]
            self.procs.append(subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        config = self.dht.DhtConfig()
        config.setNetwork(77)
        config.setRateLimit(-1, -1)
        self.a, self.b = self.dht.DhtRunner(), self.dht.DhtRunner()
        for r in (self.a, self.b):
            r.run(port=0, config=config)
            r.bootstrap("127.0.0.1", str(first_port))
        # As in research/baselines.md: measure once A and B know the other N-1 nodes. OpenDHT
        # learns nodes through searches, so warm up first, then wait (bounded) for the rest.
        self.warm()
        good = lambda r: r.getRoutingTablesLog(socket.AF_INET).count("[good]")  # noqa: E731
        end = time.monotonic() + 30
        while time.monotonic() < end and min(good(self.a), good(self.b)) < n - 1:
            self.warm()
        self.known = min(good(self.a), good(self.b))

    def warm(self):
        # Both runners join through their first operations.
        for key in [self.put(os.urandom(VALUE + 8)) for _ in range(20)]:
            self.get(key)

    def _wait(self, start):
        done = threading.Event()
        result = []
        start(lambda ok, *_: (result.append(ok), done.set()))
        if not done.wait(30):
            raise SystemExit("OpenDHT operation did not complete in 30 s")
        return result[0]

    def put(self, data):
        key = self.dht.InfoHash.get(os.urandom(16).hex())
        ok = self._wait(lambda cb: self.a.put(key, self.dht.Value(data), done_cb=cb))
        assert ok
        return key

    def get(self, key):
        found = []
        self._wait(lambda cb: self.b.get(key, get_cb=lambda v: (found.append(v), True)[1],
                                         done_cb=cb))
        assert found, "OpenDHT get found nothing"

    def remote(self, keys):
        return keys  # B put none of them

    def close(self):
        for r in (self.a, self.b):
            if r is not None:
                r.join()
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            p.wait()


def measure(name, side):
    rng = random.Random(1)
    values = [rng.randbytes(VALUE) + b"%08d" % i for i in range(args.keys)]
    put_seq_rate, put_seq = sequential(values[:args.sequential], side.put)
    # Puts with `inflight` outstanding; keep every key for the gets.
    lock = threading.Lock()
    stored = []

    def put_and_keep(v):
        k = side.put(v)
        with lock:
            stored.append(k)
    put_rate, put_lat = closed_loop(values, args.inflight, put_and_keep)
    remote = side.remote(stored)
    get_seq_rate, get_seq = sequential(remote[:args.sequential], side.get)
    get_rate, get_lat = closed_loop(remote[args.sequential:], args.inflight, side.get)
    return {
        "name": name, "put_seq_p50": percentile(put_seq, 50), "put_seq_p99": percentile(put_seq, 99),
        "put_rate": put_rate, "put_p50": percentile(put_lat, 50), "put_p99": percentile(put_lat, 99),
        "get_seq_p50": percentile(get_seq, 50), "get_seq_p99": percentile(get_seq, 99),
        "get_seq_rate": get_seq_rate, "get_rate": get_rate, "get_p50": percentile(get_lat, 50),
        "get_p99": percentile(get_lat, 99), "gets": len(remote) - args.sequential,
        "put_seq_rate": put_seq_rate,
        # for the report's charts (bench_data): every sample, in ms
        "samples_ms": {"put @1": bench_data.latencies_ms(put_seq),
                       f"put @{args.inflight}": bench_data.latencies_ms(put_lat),
                       "get @1": bench_data.latencies_ms(get_seq),
                       f"get @{args.inflight}": bench_data.latencies_ms(get_lat)},
    }


def main():
    if shutil.which("dhtnode") is None:
        raise SystemExit("dhtnode is missing: run scripts/install-deps.sh")
    results = []
    side = SwarmkvSide()
    try:
        side.start(args.nodes)
        results.append(measure("swarmkv", side))
    finally:
        side.close()
    side = OpenDhtSide()
    try:
        side.start(args.nodes)
        results.append(measure("OpenDHT", side))
        results[-1]["known"] = side.known
    finally:
        side.close()
    s, o = results
    bench_data.save("swarm", {"inflight": args.inflight, "nodes": args.nodes,
                              "records": args.records, "systems": results})
    ms = lambda x: f"{x * 1000:.2f}"  # noqa: E731
    what = "signed records (set / resolve)" if args.records else "1 KiB blocks"
    print(f"\n{args.nodes} nodes on 127.0.0.1, 1 KiB values, {args.inflight} in flight "
          f"(swarmkv: {what}, TLS peer links, fsync'd writes, R = 3; OpenDHT: plain values)\n")
    print(f"| metric | swarmkv | OpenDHT | ratio |")
    print(f"|---|---|---|---|")
    rows = [
        ("remote get ops/s, %d in flight" % args.inflight, "get_rate", lambda x: f"{x:.0f}", True),
        ("remote get p50 / p99 ms, %d in flight" % args.inflight, None, None, None),
        ("remote get p50 ms, sequential", "get_seq_p50", ms, False),
        ("remote get p99 ms, sequential", "get_seq_p99", ms, False),
        ("put ops/s, %d in flight" % args.inflight, "put_rate", lambda x: f"{x:.0f}", True),
        ("put p50 ms, sequential", "put_seq_p50", ms, False),
    ]
    for label, key, fmt, higher_better in rows:
        if key is None:
            print(f"| {label} | {ms(s['get_p50'])} / {ms(s['get_p99'])} | "
                  f"{ms(o['get_p50'])} / {ms(o['get_p99'])} | |")
            continue
        ratio = s[key] / o[key] if higher_better else o[key] / s[key]
        print(f"| {label} | {fmt(s[key])} | {fmt(o[key])} | {ratio:.2f}x |")
    print(f"\n(ratio > 1: swarmkv better; gets measured: swarmkv {s['gets']}, OpenDHT {o['gets']};"
          f" OpenDHT runners knew {o['known']} of the other {args.nodes - 1} nodes)")


if __name__ == "__main__":
    main()
