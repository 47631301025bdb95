#!/usr/bin/python3
"""Five real `swarmkv daemon` processes on 127.0.0.1, joined over TLS peer links, driven with
Debian's python3-grpcio (DESIGN §9; issue: the swarm, §5). Every wait is on a condition with a
deadline, never a fixed sleep.

usage: cluster_test.py /path/to/swarmkv /path/to/rpc/proto
"""
import hashlib
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

SWARMKV, API_PROTO = sys.argv[1:3]
del sys.argv[1:3]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_fixture import Daemon, node_stubs, raw_cid, wait_until  # noqa: E402

import grpc  # noqa: E402

node_pb2, node_pb2_grpc = node_stubs(API_PROTO)

R = 3
NODES = 5
BLOCKS = 200
MAINTENANCE = "1s"
PLAIN = node_pb2.ENCRYPTION_MODE_PLAIN
RANDOM = node_pb2.ENCRYPTION_MODE_RANDOM


class Node:
    def __init__(self, index, bootstrap=None, peer_listen="127.0.0.1:0", data_dir=None):
        self.index = index
        args = ["--peer-listen", peer_listen, "--maintenance-interval", MAINTENANCE,
                "--peer-timeout", "2s", "--replication-factor", str(R)]
        if bootstrap:
            args += ["--bootstrap", bootstrap]
        self.daemon = Daemon(SWARMKV, data_dir=data_dir, extra_args=args).start()
        self.channel = grpc.insecure_channel(self.daemon.target)
        self.stub = node_pb2_grpc.NodeStub(self.channel)
        info = self.stub.Info(node_pb2.InfoRequest(), timeout=10)
        self.id = info.node_id
        self.peer_address = info.peer_addresses[0]
        self.alive = True

    def peers(self):
        return {p.node_id for p in self.stub.Peers(node_pb2.PeersRequest(), timeout=10).peers}

    def put(self, data, mode, pin):
        def requests():
            yield node_pb2.PutRequest(header=node_pb2.PutHeader(mode=mode, pin=pin,
                                                                chunk_size=1 << 20))
            for i in range(0, len(data), 256 * 1024):
                yield node_pb2.PutRequest(chunk=data[i:i + 256 * 1024])
        return self.stub.Put(requests(), timeout=60)

    def get(self, target, local_only=False):
        request = node_pb2.GetRequest(target=target, local_only=local_only)
        return b"".join(r.chunk for r in self.stub.Get(request, timeout=60))

    def holds(self, cid):
        return self.stub.Stat(node_pb2.StatRequest(target=cid), timeout=10).present

    def kill(self):
        self.channel.close()
        self.daemon.stop(signal.SIGKILL)
        self.alive = False

    def close(self):
        self.channel.close()
        if self.daemon.proc is not None:
            assert self.daemon.stop() == 0, self.daemon.log()
        self.daemon.close()


class ClusterTest(unittest.TestCase):
    def assert_code(self, code, call, *args):
        with self.assertRaises(grpc.RpcError) as raised:
            call(*args)
        self.assertEqual(raised.exception.code(), code, raised.exception.details())

    def setUp(self):
        self.nodes = []
        self.addCleanup(self.close_all)
        first = Node(1)
        self.nodes.append(first)
        entry = f"{first.id}@{first.peer_address}"
        for i in range(2, NODES + 1):
            self.nodes.append(Node(i, bootstrap=entry))
        ids = {n.id for n in self.nodes}
        for node in self.nodes:
            wait_until(lambda: node.peers() >= ids - {node.id}, 30,
                       f"node {node.index} knows the other {NODES - 1}")

    def close_all(self):
        for node in self.nodes:
            try:
                node.close()
            except Exception as e:  # keep closing the others
                print(f"closing node {node.index}: {e}", file=sys.stderr)

    def live(self):
        return [n for n in self.nodes if n.alive]

    def test_put_anywhere_get_anywhere_repair_and_rejoin(self):
        rng = random.Random(7)
        sizes = [1, 100, 1024, 4096, 65536, 262144, 700000]
        first, last = self.nodes[0], self.nodes[-1]

        # 200 blocks of mixed sizes, each plain content of one block, put on node 1 unpinned:
        # node 1 keeps no special claim on them, so where they live is the swarm's doing.
        blocks = {}
        for i in range(BLOCKS):
            data = rng.randbytes(rng.choice(sizes)) + b"%d" % i
            reply = first.put(data, PLAIN, pin=False)
            self.assertEqual(reply.chunks, 1)
            self.assertGreaterEqual(reply.replicas, 2, "write quorum")
            blocks[reply.cid] = hashlib.sha256(data).hexdigest()
        # Encrypted multi-block content too, read through the swarm block by block.
        big = rng.randbytes(3 * 1024 * 1024 + 17)
        big_reply = first.put(big, RANDOM, pin=True)

        for cid, digest in blocks.items():
            self.assertEqual(hashlib.sha256(last.get(cid)).hexdigest(), digest, cid)
        self.assertEqual(last.get(big_reply.capability), big)
        # Pinning content held elsewhere fetches all of it first.
        last.stub.Pin(node_pb2.PinRequest(target=big_reply.cid), timeout=60)
        stat = last.stub.Stat(node_pb2.StatRequest(target=big_reply.cid), timeout=10)
        self.assertTrue(stat.present and stat.pinned)
        self.assertEqual(last.get(big_reply.capability, local_only=True), big)
        # A block nobody has: NOT_FOUND, once the swarm was asked.
        self.assert_code(grpc.StatusCode.NOT_FOUND, last.get, raw_cid(b"never stored"))

        # Each block sits on at least R nodes once maintenance has run.
        def copies(cid):
            return sum(1 for n in self.live() if n.holds(cid))
        wait_until(lambda: all(copies(c) >= R for c in blocks), 30, "every block on >= R nodes")

        # SIGKILL two nodes (not node 1 or 5) holding the most replicas.
        middle = sorted(self.nodes[1:-1], key=lambda n: -sum(n.holds(c) for c in blocks))[:2]
        for node in middle:
            node.kill()
        survivors = self.live()
        below = sum(1 for c in blocks if copies(c) < R)
        print(f"after SIGKILL of nodes {[n.index for n in middle]}: {below} of {len(blocks)} "
              f"blocks below {R} live copies", file=sys.stderr)
        wait_until(lambda: all(copies(c) >= R for c in blocks), 60,
                   "every block back on >= R live nodes after repair")
        for node in survivors:
            for cid, digest in blocks.items():
                self.assertEqual(hashlib.sha256(node.get(cid)).hexdigest(), digest,
                                 f"{cid} from node {node.index}")
        self.assertEqual(survivors[-1].get(big_reply.capability), big)

        # A survivor restarted with its data (and no bootstrap list) rejoins from its saved
        # routing table and still serves everything.
        restart = survivors[1]
        address, data_dir = restart.peer_address, restart.daemon.data_dir
        restart.channel.close()
        self.assertEqual(restart.daemon.stop(), 0, restart.daemon.log())
        back = Node(restart.index, peer_listen=address, data_dir=data_dir)
        restart.daemon.hand_over_dir(back.daemon)
        self.nodes[self.nodes.index(restart)] = back
        others = {n.id for n in self.live() if n is not back}
        wait_until(lambda: back.peers() & others, 10, "restarted node rejoined")
        for cid, digest in list(blocks.items())[:20]:
            self.assertEqual(hashlib.sha256(back.get(cid)).hexdigest(), digest)

        # With every other node gone, a block this node lacks is UNAVAILABLE (no peer answered),
        # not NOT_FOUND.
        lonely = self.live()[-1]
        for node in self.live()[:-1]:
            node.kill()
        self.assert_code(grpc.StatusCode.UNAVAILABLE, lonely.get, raw_cid(b"never stored"))

    def test_a_frozen_peer_slows_nothing_down_for_long(self):
        first, frozen = self.nodes[0], self.nodes[1]
        # A peer that accepts connections but never answers (SIGSTOP): requests to it end at the
        # peer timeout (2 s here), so puts still reach the quorum and shutdown stays prompt.
        frozen.daemon.proc.send_signal(signal.SIGSTOP)
        self.addCleanup(lambda: frozen.daemon.proc and frozen.daemon.proc.send_signal(signal.SIGCONT))
        for i in range(10):
            reply = first.put(b"while a peer is frozen %d" % i, PLAIN, pin=False)
            self.assertGreaterEqual(reply.replicas, 2)
        start = time.monotonic()
        first.channel.close()
        self.assertEqual(first.daemon.stop(timeout=20), 0, first.daemon.log())
        self.assertLess(time.monotonic() - start, 15, "SIGTERM took too long")
        first.alive = False
        frozen.daemon.proc.send_signal(signal.SIGCONT)

    def test_a_node_whose_certificate_does_not_match_its_id_is_refused(self):
        first = self.nodes[0]
        # This node is told node 1's address under another node's id: node 1's certificate
        # does not prove that id, so the link is refused and nothing is learned.
        wrong = f"{self.nodes[1].id}@{first.peer_address}"
        stray = Node(9, bootstrap=wrong)
        self.nodes.append(stray)
        wait_until(lambda: "swarm.bootstrap answered=0" in stray.daemon.log(), 20,
                   "the bootstrap attempt ended")
        self.assertIn("peer proved id", stray.daemon.log())
        self.assertEqual(stray.peers(), set())
        self.assertNotIn(stray.id, first.peers())


class BootstrapTest(unittest.TestCase):
    def test_bootstrap_is_retried_until_the_entry_answers(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        # The joiner starts first: its bootstrap entry does not answer yet.
        joiner = Node(2, bootstrap=f"127.0.0.1:{port}")
        self.addCleanup(joiner.close)
        wait_until(lambda: "swarm.bootstrap answered=0" in joiner.daemon.log(), 20,
                   "a first bootstrap attempt failed")
        first = Node(1, peer_listen=f"127.0.0.1:{port}")
        self.addCleanup(first.close)
        # Back-off retries (1 s, 2 s, 4 s, ...) reach it once it is up.
        wait_until(lambda: first.id in joiner.peers(), 30, "the joiner reached the late node")
        wait_until(lambda: joiner.id in first.peers(), 10, "the late node learned the joiner")


if __name__ == "__main__":
    unittest.main(verbosity=2)
