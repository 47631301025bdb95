#!/usr/bin/python3
"""The scrub against real daemons (issue 16 §3): a block damaged on disk (a bit flipped in a
RocksDB blob file, the node stopped) is found by `swarmkv scrub` and fetched again from a peer in
a 3-node cluster; a node alone reports it lost, from the CLI and from the background pass (in
Info and /metrics). Every wait is on a condition with a deadline.

usage: scrub_test.py /path/to/swarmkv /path/to/rpc/proto
"""
import json
import os
import random
import socket
import sys
import unittest
import urllib.request

SWARMKV, API_PROTO = sys.argv[1:3]
del sys.argv[1:3]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_fixture import Daemon, node_stubs, wait_until  # noqa: E402

import grpc  # noqa: E402

node_pb2, node_pb2_grpc = node_stubs(API_PROTO)

PLAIN = node_pb2.ENCRYPTION_MODE_PLAIN
CHUNK = 1 << 20
# Four 1 MiB chunks and a manifest: the chunks go to RocksDB blob files.
DATA = random.Random(16).randbytes(4 * CHUNK)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stub(daemon):
    return node_pb2_grpc.NodeStub(grpc.insecure_channel(daemon.target))


def put(daemon):
    def requests():
        yield node_pb2.PutRequest(header=node_pb2.PutHeader(mode=PLAIN, pin=True, chunk_size=CHUNK))
        for i in range(0, len(DATA), CHUNK):
            yield node_pb2.PutRequest(chunk=DATA[i:i + CHUNK])
    return stub(daemon).Put(requests(), timeout=60).cid


def local_copy(daemon, cid):
    """The content as this node's own store holds it, or None when a block is missing."""
    try:
        request = node_pb2.GetRequest(target=cid, local_only=True)
        return b"".join(r.chunk for r in stub(daemon).Get(request, timeout=60))
    except grpc.RpcError:
        return None


def damage_on_disk(daemon):
    """Stops the daemon, makes sure its blocks sit in blob files (a restart replays the write-ahead
    log into them), flips one bit 3/8 into the largest blob file (the middle of the second of its
    four 1 MiB values; the very middle is a record header, which block reads do not read), and
    starts it again."""
    daemon.stop()
    daemon.start()
    daemon.stop()
    store = os.path.join(daemon.data_dir, "store")
    blobs = [os.path.join(store, f) for f in os.listdir(store) if f.endswith(".blob")]
    assert blobs, f"no blob files in {store}"
    victim = max(blobs, key=os.path.getsize)
    with open(victim, "r+b") as f:
        offset = os.path.getsize(victim) * 3 // 8
        f.seek(offset)
        byte = f.read(1)[0]
        f.seek(offset)
        f.write(bytes([byte ^ 0x10]))
    daemon.start()


class ScrubTest(unittest.TestCase):
    def daemon(self, *args):
        d = Daemon(SWARMKV, extra_args=list(args))
        self.addCleanup(d.close)
        return d.start()

    def test_damage_is_repaired_from_a_peer_in_a_three_node_cluster(self):
        common = ["--replication-factor", "3", "--maintenance-interval", "1s",
                  "--peer-timeout", "2s", "--scrub-interval", "0s"]
        first = self.daemon(*common)
        info = stub(first).Info(node_pb2.InfoRequest(), timeout=10)
        entry = f"{info.node_id}@{info.peer_addresses[0]}"
        others = [self.daemon(*common, "--bootstrap", entry) for _ in range(2)]
        cid = put(first)
        damaged = others[-1]
        wait_until(lambda: local_copy(damaged, cid) == DATA, 60, "node 3 holds every block")

        damage_on_disk(damaged)
        self.assertTrue(local_copy(damaged, cid) != DATA, "the damage is visible to reads")
        wait_until(lambda: stub(damaged).Info(node_pb2.InfoRequest(), timeout=10).known_peers >= 2,
                   30, "node 3 rejoined")
        out = damaged.cli("--json", "scrub")
        report = json.loads(out.stdout)
        counts = report["counts"]
        self.assertEqual(int(counts["blocks_checked"]), 5, report)
        self.assertGreaterEqual(int(counts["damaged"]), 1, report)
        self.assertEqual(counts["repaired"], counts["damaged"], report)
        self.assertEqual(int(counts["lost"]), 0, report)
        self.assertTrue(local_copy(damaged, cid) == DATA, "repaired from a peer")
        # The repaired store is sound, and Info counts what the scrub did.
        again = json.loads(damaged.cli("--json", "scrub").stdout)["counts"]
        self.assertEqual(int(again["damaged"]), 0)
        totals = stub(damaged).Info(node_pb2.InfoRequest(), timeout=10).scrub
        self.assertEqual(totals.passes, 2)
        self.assertEqual(totals.repaired, int(counts["repaired"]))

    def test_a_node_alone_reports_the_block_lost(self):
        lone = self.daemon("--peer-listen", "off", "--scrub-interval", "0s")
        cid = put(lone)
        damage_on_disk(lone)
        out = lone.cli("scrub", check=False)
        self.assertNotEqual(out.returncode, 0, "lost blocks fail the command")
        self.assertIn("no peer had a copy", out.stderr.decode())
        lines = out.stdout.decode().splitlines()
        self.assertTrue(any(line.startswith("lost      b") for line in lines), lines)
        self.assertRegex(out.stdout.decode(), r"damaged   1 \(repaired from peers 0, lost 1\)")
        # The block is gone, not served damaged: the content cannot be read.
        self.assertIsNone(local_copy(lone, cid))
        self.assertNotEqual(lone.cli("get", cid, check=False).returncode, 0)
        # A second pass finds nothing more.
        self.assertEqual(lone.cli("scrub").returncode, 0)

    def test_the_background_pass_finds_damage_by_itself(self):
        port = free_port()
        lone = self.daemon("--peer-listen", "off", "--scrub-interval", "2s",
                           "--metrics-listen", f"127.0.0.1:{port}")
        put(lone)
        damage_on_disk(lone)
        wait_until(lambda: stub(lone).Info(node_pb2.InfoRequest(), timeout=10).scrub.lost == 1, 30,
                   "the background scrub reports the damaged block lost")
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read()
        self.assertIn(b"\nswarmkv_scrub_lost_total 1\n", metrics)
        self.assertIn(b"\nswarmkv_scrub_damaged_total 1\n", metrics)
        self.assertIn("store.block_lost", lone.log())


if __name__ == "__main__":
    unittest.main(verbosity=2)
