#!/usr/bin/python3
"""Hostile peers against a real `swarmkv daemon` (issue 15, findings 2, 5, 6 and 7): free
identities made by tests/hostile_peer.cc, over real mutual TLS on 127.0.0.1, flood STOREs, lie in
HAVE and PROVE, announce thousands of provider records and hand over addresses that must never be
dialled. Every wait is on a condition with a deadline.

usage: hostile_peer_test.py /path/to/swarmkv /path/to/rpc/proto /path/to/hostile_peer
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import unittest

SWARMKV, API_PROTO, HOSTILE_PEER = sys.argv[1:4]
del sys.argv[1:4]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_fixture import Daemon, node_stubs, wait_until  # noqa: E402

import grpc  # noqa: E402

node_pb2, node_pb2_grpc = node_stubs(API_PROTO)

OK, NOT_FOUND, RESOURCE_EXHAUSTED, FAILED_PRECONDITION = "0", "5", "8", "9"
PLAIN = node_pb2.ENCRYPTION_MODE_PLAIN
MiB = 1 << 20


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def full_log(daemon):
    with open(daemon.log_path, "rb") as f:
        return f.read().decode(errors="replace")


class Attacker:
    """One hostile_peer process aimed at a daemon; `do` sends a command and returns its answer."""

    def __init__(self, peer_address, node_id):
        self.proc = subprocess.Popen([HOSTILE_PEER, peer_address, node_id], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def do(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError(f"hostile_peer exited on {command!r}")
        answer = json.loads(line)
        if "error" in answer:
            raise AssertionError(f"hostile_peer {command!r}: {answer['error']}")
        return answer

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()


class AcceptCounter:
    """A listening socket that counts the connections made to it (and closes each at once)."""

    def __init__(self, family, address):
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.bind(address)
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.accepted = 0
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.accepted += 1
            conn.close()

    def close(self):
        self.running = False
        self.thread.join()
        self.sock.close()


class HostilePeerTest(unittest.TestCase):
    def start(self, *args, data_dir=None):
        daemon = Daemon(SWARMKV, data_dir=data_dir, extra_args=[
            "--maintenance-interval", "1s", "--peer-timeout", "2s", *args]).start()
        channel = grpc.insecure_channel(daemon.target)
        stub = node_pb2_grpc.NodeStub(channel)
        info = stub.Info(node_pb2.InfoRequest(), timeout=10)
        self.addCleanup(daemon.close)

        def stop():
            channel.close()
            if daemon.proc is not None:
                self.assertEqual(daemon.stop(), 0, daemon.log())

        self.addCleanup(stop)
        return daemon, stub, info, stop

    def attacker(self, info):
        attacker = Attacker(info.peer_addresses[0], info.node_id)
        self.addCleanup(attacker.close)
        return attacker

    def put(self, stub, data, pin=False):
        header = node_pb2.PutRequest(header=node_pb2.PutHeader(mode=PLAIN, pin=pin))
        return stub.Put(iter([header, node_pb2.PutRequest(chunk=data)]), timeout=60)

    def held(self, stub, cid):
        request = node_pb2.GetRequest(target=cid, local_only=True)
        try:
            return b"".join(r.chunk for r in stub.Get(request, timeout=30))
        except grpc.RpcError:
            return None

    def test_a_store_flood_from_many_identities_stays_within_responsibility_and_quota(self):
        quota = 32 * MiB
        daemon, stub, info, _ = self.start("--quota-bytes", str(quota))
        honest = {}
        for i in range(16):
            data = os.urandom(256 * 1024 - 1) + bytes([i])
            honest[self.put(stub, data).cid] = data

        attacker = self.attacker(info)
        self.assertEqual(attacker.do("liars 8")["pings"], {OK: 8})
        flood = attacker.do("store-flood 24 262144")  # 48 MiB from 8 identities
        codes = flood["codes"]
        # Blocks this node is not among the closest for are refused outright; the rest stop at
        # the share of the quota that replicas may use.
        self.assertGreater(codes.get(FAILED_PRECONDITION, 0), 0, flood)
        self.assertGreater(codes.get(RESOURCE_EXHAUSTED, 0), 0, flood)
        self.assertLessEqual(flood["accepted_bytes"], 0.8 * quota, flood)
        self.assertEqual(set(codes) - {OK, FAILED_PRECONDITION, RESOURCE_EXHAUSTED}, set(), flood)
        store = stub.Info(node_pb2.InfoRequest(), timeout=10).store
        self.assertLessEqual(store.stored_bytes, quota)

        # Maintenance and garbage collection run with the junk in place (the liars are asked to
        # prove they hold what would be handed off to them); no honest block is lost.
        wait_until(lambda: attacker.do("served").get("prove", 0) > 0, 60,
                   "a maintenance round that tried a hand-off")
        for cid, data in honest.items():
            self.assertEqual(self.held(stub, cid), data, cid)
        self.assertIsNone(daemon.proc.poll(), daemon.log())

    def test_a_manifest_bomb_stored_by_a_peer_is_walked_once(self):
        _, stub, info, _ = self.start()
        attacker = self.attacker(info)
        self.assertEqual(attacker.do("liars 1")["pings"], {OK: 1})
        # Five valid blocks, 1.3 MB in all; 8192^4 paths from the root to the chunk.
        bomb = attacker.do("store-bomb 4")
        self.assertEqual(bomb["codes"], {OK: 5}, bomb)
        stat = stub.Stat(node_pb2.StatRequest(target=bomb["root"]), timeout=10)
        self.assertEqual((stat.present, stat.blocks, stat.size), (True, 5, bomb["size"]))
        stub.Pin(node_pb2.PinRequest(target=bomb["root"]), timeout=10)
        stub.Unpin(node_pb2.UnpinRequest(target=bomb["root"]), timeout=10)

    def test_a_hand_off_to_liars_who_cannot_prove_possession_keeps_the_copy(self):
        daemon, stub, info, _ = self.start("--replication-factor", "3")
        data = os.urandom(100_000)
        cid = self.put(stub, data).cid
        attacker = self.attacker(info)
        # Three identities closer to the block than this node: it is no longer among the three
        # responsible, and the liars answer HAVE "yes" without holding anything.
        self.assertEqual(attacker.do(f"liars 3 {cid}")["pings"], {OK: 3})
        wait_until(lambda: re.search(r"swarm\.maintenance .*unproven=[1-9]", full_log(daemon)), 60,
                   "a hand-off refused for want of proof")
        served = attacker.do("served")
        self.assertGreaterEqual(served.get("prove", 0), 1, served)
        self.assertGreaterEqual(served.get("have", 0), 1, served)
        # Held here still, and readable, with no honest peer anywhere.
        self.assertEqual(self.held(stub, cid), data)
        self.assertNotRegex(full_log(daemon), r"swarm\.maintenance .*dropped=[1-9]")

    def test_one_identity_cannot_crowd_out_other_providers_even_after_a_restart(self):
        port = free_port()
        daemon, stub, info, stop = self.start("--peer-listen", f"127.0.0.1:{port}")
        attacker = self.attacker(info)
        liars = attacker.do("liars 2")["ids"]
        flood = attacker.do("add-providers 0 4200")
        self.assertEqual(flood["codes"], {OK: 4200}, flood)
        # Past its own cap (4096 keys) the flooder's oldest records make room for its newest.
        self.assertEqual(attacker.do(f"get-providers {flood['first']}")["providers"], [])
        self.assertEqual(attacker.do(f"get-providers {flood['last']}")["providers"], [liars[0]])
        honest_cid = self.put(stub, b"an honest provider's block").cid
        self.assertEqual(attacker.do(f"provide 1 {honest_cid}")["code"], 0)
        self.assertIn(liars[1], attacker.do(f"get-providers {honest_cid}")["providers"])

        # The table is saved: after a restart on the same port the honest record is there.
        stop()
        daemon.start()
        channel = grpc.insecure_channel(daemon.target)
        self.addCleanup(channel.close)
        wait_until(lambda: liars[1] in attacker.do(f"get-providers {honest_cid}")["providers"], 30,
                   "the honest provider record after a restart")
        self.assertEqual(attacker.do(f"get-providers {flood['last']}")["providers"], [liars[0]])
        self.assertEqual(attacker.do(f"get-providers {flood['first']}")["providers"], [])

    def test_addresses_peers_hand_over_are_dialled_only_when_they_are_host_and_port(self):
        tmp = tempfile.TemporaryDirectory(prefix="skv-bad-")
        self.addCleanup(tmp.cleanup)
        unix_path = os.path.join(tmp.name, "peer.sock")
        abstract = f"skv-hostile-{os.getpid()}"
        traps = [AcceptCounter(socket.AF_UNIX, unix_path),
                 AcceptCounter(socket.AF_UNIX, "\0" + abstract),
                 AcceptCounter(socket.AF_INET, ("127.0.0.1", 0))]
        control = AcceptCounter(socket.AF_INET, ("127.0.0.1", 0))
        for listener in traps + [control]:
            self.addCleanup(listener.close)
        trap_port = traps[2].sock.getsockname()[1]
        bad = [f"unix:{unix_path}", f"unix-abstract:{abstract}", f"ipv4:127.0.0.1:{trap_port}",
               f"dns:///127.0.0.1:{trap_port}", "127.0.0.1:0", f"127.0.0.1:{trap_port}/x",
               f"http://127.0.0.1:{trap_port}"]
        # One well-formed address among them: it must be dialled, or the test proves nothing.
        good = f"127.0.0.1:{control.sock.getsockname()[1]}"

        daemon, stub, info, _ = self.start()
        attacker = self.attacker(info)
        attacker.do("contacts " + " ".join(bad + [good]))
        self.assertEqual(attacker.do("liars 2")["pings"], {OK: 2})
        # Puts look up the closest nodes to each block: the liars answer with the contacts above.
        for i in range(4):
            self.put(stub, os.urandom(1000) + bytes([i]))
        wait_until(lambda: control.accepted > 0, 60, "the well-formed contact dialled")
        for i in range(4):
            self.put(stub, os.urandom(1000) + bytes([i]))
        self.assertEqual([t.accepted for t in traps], [0, 0, 0], "a bad address was dialled")
        peers = stub.Peers(node_pb2.PeersRequest(), timeout=10).peers
        for p in peers:
            self.assertEqual(set(p.addresses) & set(bad), set(), p)
        self.assertIsNone(daemon.proc.poll(), daemon.log())


if __name__ == "__main__":
    unittest.main(verbosity=2)
