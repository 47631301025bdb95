#!/usr/bin/python3
"""Signed records across five real `swarmkv daemon` processes on 127.0.0.1 (issue 11): set on one
node and resolve on another, 100 updates that never go backwards at a reader, holders killed,
a forged record from a hostile peer, a partition by SIGSTOP, and bad input. Every wait is on a
condition with a deadline.

usage: records_test.py /path/to/swarmkv /path/to/rpc/proto /path/to/hostile_peer
"""
import json
import os
import signal
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

NODES = 5


class Node:
    def __init__(self, index, bootstrap=None, extra_args=()):
        self.index = index
        args = ["--maintenance-interval", "1s", "--peer-timeout", "1s", *extra_args]
        if bootstrap:
            args += ["--bootstrap", bootstrap]
        self.daemon = Daemon(SWARMKV, extra_args=args).start()
        self.channel = grpc.insecure_channel(self.daemon.target)
        self.stub = node_pb2_grpc.NodeStub(self.channel)
        info = self.stub.Info(node_pb2.InfoRequest(), timeout=10)
        self.id = info.node_id
        self.peer_address = info.peer_addresses[0]

    def peers(self):
        return {p.node_id for p in self.stub.Peers(node_pb2.PeersRequest(), timeout=10).peers}

    def set(self, key, value, sequence=0):
        return self.stub.PutRecord(
            node_pb2.PutRecordRequest(key=key, value=value, sequence=sequence), timeout=30)

    def resolve(self, name):
        return self.stub.GetRecord(node_pb2.GetRecordRequest(key=name), timeout=30)

    def value_of(self, name):
        """The resolved value, or None while it cannot be resolved."""
        try:
            return self.resolve(name).value
        except grpc.RpcError:
            return None

    def close(self):
        self.channel.close()
        if self.daemon.proc is not None:
            self.daemon.stop(signal.SIGKILL)
        self.daemon.close()


class RecordsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.nodes = [Node(0)]
        entry = f"{cls.nodes[0].id}@{cls.nodes[0].peer_address}"
        for i in range(1, NODES):
            cls.nodes.append(Node(i, bootstrap=entry))
        ids = {n.id for n in cls.nodes}
        for node in cls.nodes:
            wait_until(lambda: node.peers() >= ids - {node.id}, 30, f"node {node.index} joined")

    @classmethod
    def tearDownClass(cls):
        for node in cls.nodes:
            node.close()

    def assert_code(self, code, call, *args):
        with self.assertRaises(grpc.RpcError) as raised:
            call(*args)
        self.assertEqual(raised.exception.code(), code, raised.exception.details())
        return raised.exception.details()

    def holders(self, node, name):
        """Ids of the nodes that answer a KEYS query for `name` (they hold the record)."""
        call = node.stub.Query(node_pb2.QueryRequest(kind="KEYS", argument=name,
                                                     deadline_ms=1500), timeout=10)
        return {answer.responder for answer in call if name in answer.items}

    def test_1_set_on_one_node_resolve_on_another_and_updates_never_go_back(self):
        first, last = self.nodes[0], self.nodes[-1]
        put = first.set("app/color", b"blue")
        self.assertEqual(put.sequence, 1)
        self.assertGreaterEqual(put.replicas, 2)
        self.assertEqual(put.name, f"{first.id}/app/color")
        got = last.resolve(put.name)
        self.assertEqual((got.value, got.sequence, got.publisher), (b"blue", 1, first.id))
        # A bare key is the asking node's own namespace.
        self.assertEqual(first.resolve("app/color").value, b"blue")
        self.assert_code(grpc.StatusCode.NOT_FOUND, last.resolve, "app/color")

        # 100 updates from node 0 while node 4 resolves in a loop: never a step back.
        seen, errors, done = [], [], threading.Event()

        def reader():
            while not done.is_set():
                try:
                    seen.append(last.resolve(put.name).sequence)
                except grpc.RpcError as e:
                    errors.append(e.details())
        thread = threading.Thread(target=reader)
        thread.start()
        try:
            for i in range(2, 102):
                self.assertEqual(first.set("app/color", b"v%d" % i).sequence, i)
        finally:
            done.set()
            thread.join()
        self.assertEqual(errors, [])
        self.assertGreater(len(seen), 5)
        self.assertEqual(seen, sorted(seen), "a reader saw a sequence go backwards")
        self.assertEqual(last.resolve(put.name).value, b"v101")

    def test_2_a_record_survives_two_of_its_holders_killed(self):
        publisher = self.nodes[1]
        name = publisher.set("survivor", b"still here").name
        holders = wait_until(lambda: self.holders(publisher, name) - {publisher.id}, 30,
                             "nodes other than the publisher holding the record")
        doomed = [n for n in self.nodes[2:] if n.id in holders][:2]
        for node in doomed:
            node.daemon.stop(signal.SIGKILL)
        readers = [n for n in self.nodes if n.daemon.proc is not None and n is not publisher]
        for reader in readers:
            self.assertEqual(reader.resolve(name).value, b"still here")
        # Maintenance repairs: R = 3 copies again among the live nodes.
        live = {n.id for n in self.nodes if n.daemon.proc is not None}
        wait_until(lambda: len(self.holders(publisher, name) & live) >= 3, 60,
                   "three live holders after repair")
        # Restarted on their data: they rejoin and serve it again.
        for node in doomed:
            node.daemon.start()
        for node in doomed:
            wait_until(lambda: node.value_of(name) == b"still here", 30,
                       f"node {node.index} resolves after its restart")

    def test_3_a_forged_record_is_refused_and_its_sender_penalized(self):
        target = self.nodes[2]
        info = target.stub.Info(node_pb2.InfoRequest(), timeout=10)
        attacker = subprocess.Popen([HOSTILE_PEER, info.peer_addresses[0], info.node_id],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

        def do(command):
            attacker.stdin.write(command + "\n")
            attacker.stdin.flush()
            return json.loads(attacker.stdout.readline())
        try:
            self.assertEqual(do("liars 2")["pings"], {"0": 2})
            forged = do("forge-record app/color")
            self.assertEqual(forged["code"], grpc.StatusCode.INVALID_ARGUMENT.value[0], forged)
            # Penalized: its next call is refused.
            self.assertEqual(do("ping 0")["code"], grpc.StatusCode.PERMISSION_DENIED.value[0])
        finally:
            attacker.stdin.close()
            attacker.wait(timeout=30)
            attacker.stdout.close()
        # Nobody serves it: not under liar 1's name (the namespace it claimed).
        self.assert_code(grpc.StatusCode.NOT_FOUND, target.resolve, forged["name"])

    def test_4_after_a_partition_every_node_resolves_the_newest(self):
        publisher = self.nodes[0]
        name = publisher.set("partitioned", b"before").name
        stopped = self.nodes[3:5]
        for node in stopped:
            os.kill(node.daemon.proc.pid, signal.SIGSTOP)
        try:
            after = publisher.set("partitioned", b"after")
            self.assertGreaterEqual(after.replicas, 2)
        finally:
            for node in stopped:
                os.kill(node.daemon.proc.pid, signal.SIGCONT)
        for node in self.nodes:
            wait_until(lambda: node.value_of(name) == b"after", 30,
                       f"node {node.index} resolves the newest")

    def test_5_bad_input_gets_clear_codes(self):
        node = self.nodes[1]
        detail = self.assert_code(grpc.StatusCode.INVALID_ARGUMENT, node.set, "k" * 257, b"v")
        self.assertIn("at most 256", detail)
        detail = self.assert_code(grpc.StatusCode.RESOURCE_EXHAUSTED, node.set, "k",
                                  b"v" * (64 * 1024 + 1))
        self.assertIn("store larger values as content", detail)
        self.assert_code(grpc.StatusCode.INVALID_ARGUMENT, node.set, "", b"v")
        self.assert_code(grpc.StatusCode.INVALID_ARGUMENT, node.resolve, "")
        unknown = "b" + "a" * 52 + "/nothing"  # a well-formed id nobody publishes under
        self.assert_code(grpc.StatusCode.NOT_FOUND, node.resolve, unknown)
        node.set("once", b"1")
        self.assert_code(grpc.StatusCode.FAILED_PRECONDITION, node.set, "once", b"again", 1)
        self.assert_code(grpc.StatusCode.NOT_FOUND, node.stub.DeleteRecord,
                         node_pb2.DeleteRecordRequest(key="never-set"), 30)
        listed = node.stub.ListRecords(node_pb2.ListRecordsRequest(prefix="on"), timeout=30)
        self.assertEqual([r.name for r in listed.records], [f"{node.id}/once"])

    def test_5b_an_encrypted_record_needs_its_secret(self):
        node, other = self.nodes[0], self.nodes[3]
        secret = os.urandom(32)
        put = node.stub.PutRecord(node_pb2.PutRecordRequest(key="sealed", value=b"for my eyes",
                                                            secret=secret), timeout=30)
        resolve = other.stub.GetRecord
        detail = self.assert_code(grpc.StatusCode.FAILED_PRECONDITION, resolve,
                                  node_pb2.GetRecordRequest(key=put.name), 30)
        self.assertIn("encrypted", detail)
        self.assert_code(grpc.StatusCode.PERMISSION_DENIED, resolve,
                         node_pb2.GetRecordRequest(key=put.name, secret=os.urandom(32)), 30)
        got = resolve(node_pb2.GetRecordRequest(key=put.name, secret=secret), timeout=30)
        self.assertEqual((got.value, got.encrypted), (b"for my eyes", True))

    def test_6_two_nodes_with_one_publisher_key_write_one_namespace(self):
        tmp = tempfile.TemporaryDirectory(prefix="skv-pub-")
        self.addCleanup(tmp.cleanup)
        key = os.path.join(tmp.name, "publisher.key")
        made = subprocess.run([SWARMKV, "keygen", key], capture_output=True, text=True)
        self.assertEqual(made.returncode, 0, made.stderr)
        publisher_id = made.stdout.split()[1]
        self.assertEqual(os.stat(key).st_mode & 0o777, 0o600)
        again = subprocess.run([SWARMKV, "keygen", key], capture_output=True, text=True)
        self.assertNotEqual(again.returncode, 0)
        self.assertIn("never overwritten", again.stderr)

        entry = f"{self.nodes[0].id}@{self.nodes[0].peer_address}"
        a = Node(10, bootstrap=entry, extra_args=["--publisher-key", key])
        b = Node(11, bootstrap=entry, extra_args=["--publisher-key", key])
        self.addCleanup(a.close)
        self.addCleanup(b.close)
        for node in (a, b):
            wait_until(lambda: node.peers(), 30, f"node {node.index} joined")
        first = a.set("shared", b"from a")
        self.assertEqual(first.name, f"{publisher_id}/shared")
        second = b.set("shared", b"from b")  # one above what a published
        self.assertEqual((second.name, second.sequence), (first.name, first.sequence + 1))
        self.assertEqual(self.nodes[2].resolve(first.name).value, b"from b")
        # A key file that is not there is a clear error at start.
        with self.assertRaises(AssertionError) as failed:
            Daemon(SWARMKV, extra_args=["--publisher-key", key + ".missing"]).start()
        self.assertIn("swarmkv keygen", str(failed.exception))


if __name__ == "__main__":
    unittest.main(verbosity=2)
