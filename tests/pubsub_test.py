#!/usr/bin/python3
"""Pubsub across real `swarmkv daemon` processes on 127.0.0.1 (issue 10 §4, real daemons):
frames travel on the TLS peer links; subscribers are Debian's python3-grpcio streams and the
CLI. Every wait is on a condition with a deadline.

usage: pubsub_test.py /path/to/swarmkv /path/to/rpc/proto
"""
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest

SWARMKV, API_PROTO = sys.argv[1:3]
del sys.argv[1:3]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_fixture import Daemon, node_stubs, wait_until  # noqa: E402

import grpc  # noqa: E402

node_pb2, node_pb2_grpc = node_stubs(API_PROTO)

NODES = 5
MESSAGES = 200


class Subscriber:
    """A Subscribe stream read on its own thread; counts each payload."""

    def __init__(self, stub, topic, read=True):
        self.counts = {}
        self.lock = threading.Lock()
        self.call = stub.Subscribe(node_pb2.SubscribeRequest(topic=topic))
        self.thread = None
        if read:
            self.thread = threading.Thread(target=self._read, daemon=True)
            self.thread.start()

    def _read(self):
        try:
            for message in self.call:
                with self.lock:
                    self.counts[message.data] = self.counts.get(message.data, 0) + 1
        except grpc.RpcError:
            pass

    def snapshot(self):
        with self.lock:
            return dict(self.counts)

    def cancel(self):
        self.call.cancel()


class PubsubTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemons, cls.stubs = [], []
        first = None
        for i in range(NODES):
            args = ["--maintenance-interval", "1s", "--peer-timeout", "2s"]
            if first is not None:
                args += ["--bootstrap", first]
            d = Daemon(SWARMKV, extra_args=args).start()
            stub = node_pb2_grpc.NodeStub(grpc.insecure_channel(d.target))
            info = stub.Info(node_pb2.InfoRequest(), timeout=10)
            if first is None:
                first = f"{info.node_id}@{info.peer_addresses[0]}"
            cls.daemons.append(d)
            cls.stubs.append(stub)
        wait_until(lambda: all(s.Info(node_pb2.InfoRequest(), timeout=10).known_peers == NODES - 1
                               for s in cls.stubs), 60, "every node knows every other")

    @classmethod
    def tearDownClass(cls):
        for d in cls.daemons:
            d.stop()
            d.close()

    def publish_until_heard(self, topic, subscribers):
        """Meshes form in a second or two: publish probes until every subscriber hears one."""
        n = 0

        def heard():
            nonlocal n
            n += 1
            self.stubs[0].Publish(node_pb2.PublishRequest(topic=topic, data=b"probe%d" % n),
                                  timeout=10)
            time.sleep(0.2)
            return all(any(k.startswith(b"probe") for k in s.snapshot()) for s in subscribers)
        wait_until(heard, 60, "every subscriber hears a probe")

    def test_each_subscriber_gets_each_message_exactly_once(self):
        subscribers = [Subscriber(self.stubs[i], "news") for i in range(1, NODES)]
        # One more that never reads: it must hold up nobody.
        stalled = Subscriber(self.stubs[2], "news", read=False)
        self.publish_until_heard("news", subscribers)
        payloads = [b"message %03d " % i + b"x" * 1000 for i in range(MESSAGES)]
        for p in payloads:
            reply = self.stubs[0].Publish(node_pb2.PublishRequest(topic="news", data=p),
                                          timeout=10)
            self.assertIn("/", reply.message_id)
        for s in subscribers:
            got = wait_until(lambda: s.snapshot() if all(p in s.snapshot() for p in payloads)
                             else None, 30, "every message at a subscriber")
            for p in payloads:
                self.assertEqual(got[p], 1)
        stalled.cancel()
        for s in subscribers:
            s.cancel()

    def test_the_cli_publishes_and_subscribes(self):
        sub = subprocess.Popen([SWARMKV, "--api", self.daemons[3].target, "sub", "cli-topic",
                                "--json"], stdout=subprocess.PIPE, text=True)
        try:
            lines = []
            reader = threading.Thread(target=lambda: lines.extend(sub.stdout), daemon=True)
            reader.start()

            def heard():
                self.daemons[1].cli("pub", "cli-topic", "hello from the cli")
                time.sleep(0.3)
                return [l for l in lines if l.strip()]
            got = wait_until(heard, 30, "the CLI subscriber prints a message")
            message = json.loads(got[0])
            self.assertEqual(message["topic"], "cli-topic")
            self.assertIn("/", message["message_id"])
        finally:
            sub.terminate()
            sub.wait(timeout=10)

    def test_bad_input_gets_clear_codes(self):
        for topic, data in (("", b"x"), ("t" * 257, b"x"), ("ok", b"x" * (64 * 1024 + 1)),
                            ("query", b"x"), ("result", b"x")):
            with self.assertRaises(grpc.RpcError) as caught:
                self.stubs[0].Publish(node_pb2.PublishRequest(topic=topic, data=data), timeout=10)
            self.assertEqual(caught.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        call = self.stubs[0].Subscribe(node_pb2.SubscribeRequest(topic=""))
        with self.assertRaises(grpc.RpcError) as caught:
            next(iter(call))
        self.assertEqual(caught.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)


if __name__ == "__main__":
    unittest.main()
