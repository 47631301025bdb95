"""The Python client against real daemons: a 2-node swarm, content in every mode, errors as
exceptions, pubsub, queries, records, a TCP API with a token.

Run by install_and_test.py (ctest `python_client`) with the package installed in a virtual
environment; SWARMKV is the daemon binary, SWARMKV_FIXTURES the repository's tests/ folder.
"""
import hashlib
import io
import os
import random
import sys
import tempfile
import threading
import unittest

import grpc

sys.path.insert(0, os.environ["SWARMKV_FIXTURES"])
from daemon_fixture import Daemon, free_port, raw_cid, wait_until  # noqa: E402

import swarmkv  # noqa: E402

SWARMKV = os.environ["SWARMKV"]


class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        args = ["--maintenance-interval", "1s", "--peer-timeout", "1s"]
        cls.a = Daemon(SWARMKV, extra_args=args).start()
        cls.node = swarmkv.Client(api=cls.a.target, timeout=30)
        info = cls.node.info()
        entry = f"{info.node_id}@{info.peer_addresses[0]}"
        cls.b = Daemon(SWARMKV, extra_args=[*args, "--bootstrap", entry]).start()
        cls.other = swarmkv.Client(api=cls.b.target, timeout=30)
        b_id = cls.other.info().node_id
        wait_until(lambda: b_id in {p.node_id for p in cls.node.peers()}, 30, "b joined a")
        wait_until(lambda: info.node_id in {p.node_id for p in cls.other.peers()}, 30,
                   "a joined b")

    @classmethod
    def tearDownClass(cls):
        cls.node.close()
        cls.other.close()
        cls.a.close()
        cls.b.close()

    def test_round_trips_in_every_mode_from_bytes_files_and_paths(self):
        rng = random.Random(7)
        data = rng.randbytes(1_500_000)
        for mode in ("random", "convergent", "plain"):
            with self.subTest(mode=mode):
                cap = self.node.put(data, mode=mode, name=f"py-{mode}")
                self.assertIsInstance(cap, swarmkv.Capability)
                self.assertEqual(cap.size, len(data))
                self.assertEqual(cap.key is None, mode == "plain")
                self.assertEqual(self.node.get(cap), data)
                # The URI the CLI prints reads it too, and parses back to the same capability.
                self.assertEqual(self.node.get(str(cap)), data)
                self.assertEqual(swarmkv.Capability.parse(cap.uri),
                                 swarmkv.Capability(cap.cid, cap.key))
                self.assertEqual(self.node.get(cap.cid, key=cap.key, offset=1000, length=5000),
                                 data[1000:6000])
                # get's first MiB is one Read; the rest is streamed from where it stopped.
                for offset, length in ((0, None), (1000, 1_200_000), (1 << 20, None),
                                       ((1 << 20) - 1, 2), (len(data), None)):
                    end = len(data) if length is None else offset + length
                    self.assertEqual(self.node.get(cap, offset=offset, length=length),
                                     data[offset:end], (offset, length))
                chunks = list(self.node.get_chunks(cap))
                self.assertGreater(len(chunks), 1)
                self.assertEqual(b"".join(chunks), data)
        from_file = self.node.put(io.BytesIO(data[:1000]), mode="plain")
        with tempfile.NamedTemporaryFile() as f:
            f.write(data[:1000])
            f.flush()
            from_path = self.node.put(f.name, mode="plain")
        self.assertEqual(from_file.cid, from_path.cid)
        # A small plain file has the CID IPFS gives it.
        self.assertEqual(from_file.cid, raw_cid(data[:1000]))

    def test_put_sends_content_that_fits_one_message_in_one_write(self):
        calls = []

        class Counting:
            """The client's stub, counting the content calls it makes."""
            def __init__(self, stub, fail_write=False):
                self.stub, self.fail_write = stub, fail_write

            def __getattr__(self, method):
                call = getattr(self.stub, method)

                def counted(*args, **kwargs):
                    calls.append(method)
                    if method == "Write" and self.fail_write:
                        raise Unimplemented()
                    return call(*args, **kwargs)
                return counted

        class Unimplemented(grpc.RpcError):
            def code(self):
                return grpc.StatusCode.UNIMPLEMENTED

            def details(self):
                return "Method not found: swarmkv.v1.Node/Write"

        rng = random.Random(11)
        with swarmkv.Client(api=self.a.target, timeout=30) as client:
            client._stub = Counting(client._stub)
            for size, expected in ((0, ["Write"]), (1024, ["Write"]), (256 * 1024, ["Write"]),
                                   (256 * 1024 + 1, ["Put"]), (600 * 1024, ["Put"])):
                with self.subTest(size=size):
                    data = rng.randbytes(size)
                    calls.clear()
                    cap = client.put(io.BytesIO(data), mode="plain")
                    self.assertEqual(calls, expected)
                    self.assertEqual((cap.size, client.get(cap)), (size, data))
            # A node older than Write: the same content goes through Put, same address.
            client._stub = Counting(client._stub.stub, fail_write=True)
            calls.clear()
            self.assertEqual(client.put(data[:1000], mode="plain").cid, raw_cid(data[:1000]))
            self.assertEqual(calls, ["Write", "Put"])

    def test_the_key_never_shows_in_a_repr(self):
        cap = self.node.put(b"secret stuff")
        self.assertNotIn(cap.uri.split("#")[1], repr(cap))

    def test_content_put_on_one_node_reads_from_the_other(self):
        data = os.urandom(300_000)
        cap = self.node.put(data)
        self.assertEqual(self.other.get(cap), data)

    def test_stat_pin_unpin_and_pins(self):
        cap = self.node.put(b"pin me", pin=False)
        self.assertFalse(self.node.stat(cap).pinned)
        self.node.pin(cap, name="python-pin")
        stat = self.node.stat(cap)
        self.assertTrue(stat.present and stat.pinned)
        self.assertEqual((stat.size, stat.mode), (6, "random"))
        self.assertIn(("python-pin", cap.cid), {(p.name, p.cid) for p in self.node.pins()})
        self.node.unpin(cap)
        self.assertNotIn(cap.cid, {p.cid for p in self.node.pins()})
        with self.assertRaises(swarmkv.NotFound) as caught:
            self.node.unpin(cap)
        self.assertEqual(caught.exception.code.name, "NOT_FOUND")

    def test_errors_are_exceptions_with_the_grpc_code(self):
        cap = self.node.put(b"encrypted")
        with self.assertRaises(swarmkv.FailedPrecondition):
            self.node.get(cap.cid)  # no key
        with self.assertRaises(swarmkv.PermissionDenied):
            self.node.get(cap.cid, key=bytes(32))
        with self.assertRaises(swarmkv.InvalidArgument) as caught:
            self.node.stat("not-a-cid")
        self.assertTrue(caught.exception.details)
        with self.assertRaises(swarmkv.NotFound):
            self.node.get(raw_cid(b"nobody stored this"), local_only=True)
        with self.assertRaises(ValueError):
            self.node.put(b"x", mode="rot13")
        # Every class is a SwarmkvError.
        with self.assertRaises(swarmkv.SwarmkvError):
            self.node.stat("not-a-cid")

    def test_info_and_peers(self):
        info = self.node.info()
        self.assertTrue(info.node_id.startswith("b"))
        self.assertTrue(info.version)
        self.assertGreaterEqual(info.store.blocks, 0)
        self.assertEqual(info.known_peers, 1)
        peer = self.node.peers()[0]
        self.assertTrue(peer.addresses)
        self.assertGreater(peer.last_seen_unix, 0)

    def test_scrub(self):
        self.node.put(b"scrub me")
        result = self.node.scrub()
        self.assertGreaterEqual(result.counts.blocks_checked, 1)
        self.assertEqual(result.counts.lost, 0)

    def test_publish_reaches_a_subscriber_on_the_other_node(self):
        topic = "python-client"
        messages = self.node.subscribe(topic, timeout=30)
        received = []
        got = threading.Event()

        def read_one():
            received.append(next(messages))
            got.set()

        threading.Thread(target=read_one, daemon=True).start()
        # The subscription is live once the node has it: publish until a message gets there.
        wait_until(lambda: self.other.publish(topic, b"hello from b") and got.wait(0.5), 20,
                   "the subscriber on a got b's message")
        messages.close()
        self.assertEqual((received[0].topic, received[0].data), (topic, b"hello from b"))
        self.assertEqual(received[0].origin, self.other.info().node_id)

    def test_query_stats_answers_from_both_nodes(self):
        answers = list(self.node.query("STATS", deadline_ms=3000, limit=2))
        self.assertEqual({a.responder for a in answers},
                         {self.node.info().node_id, self.other.info().node_id})
        self.assertTrue(any(item.startswith("version=") for item in answers[0].items))

    def test_records_set_resolve_list_delete(self):
        written = self.node.put_record("py/color", b"blue")
        self.assertTrue(written.name.endswith("/py/color"))
        wait_until(lambda: self._value_on_other(written.name) == b"blue", 30, "b resolves it")
        secret = b"s" * 32
        sealed = self.node.put_record("py/secret", b"hidden", secret=secret)
        self.assertEqual(self.other.get_record(sealed.name, secret=secret).value, b"hidden")
        with self.assertRaises(swarmkv.FailedPrecondition):
            self.other.get_record(sealed.name)
        listed = self.node.list_records(prefix="py/")
        self.assertEqual([r.name for r in listed.records], [written.name, sealed.name])
        self.assertFalse(listed.truncated)
        self.node.delete_record("py/color")
        with self.assertRaises(swarmkv.NotFound):
            self.node.get_record(written.name)

    def _value_on_other(self, name):
        try:
            return self.other.get_record(name).value
        except swarmkv.SwarmkvError:
            return None


class TokenTest(unittest.TestCase):
    def test_a_tcp_api_with_a_token(self):
        address = f"127.0.0.1:{free_port()}"
        daemon = Daemon(SWARMKV, extra_args=["--listen", address, "--token", "py-token-1234"],
                        env={**os.environ, "SWARMKV_API_TOKEN": "py-token-1234"}).start()
        try:
            with swarmkv.Client(api=address, token="py-token-1234", timeout=30) as node:
                data = hashlib.sha256(b"tcp").digest() * 1000
                self.assertEqual(node.get(node.put(data)), data)
            with swarmkv.Client(api=address, token="wrong", timeout=30) as node:
                with self.assertRaises(swarmkv.Unauthenticated):
                    node.info()
        finally:
            daemon.close()

    def test_the_default_api_follows_the_cli(self):
        env = {"SWARMKV_API": "127.0.0.1:1", "SWARMKV_DATA_DIR": "/x", "HOME": "/h"}
        saved = {k: os.environ.get(k) for k in env}
        try:
            os.environ.update(env)
            self.assertEqual(swarmkv.default_api(), "127.0.0.1:1")
            del os.environ["SWARMKV_API"]
            self.assertEqual(swarmkv.default_api(), "unix:/x/api.sock")
            del os.environ["SWARMKV_DATA_DIR"]
            self.assertEqual(swarmkv.default_api(), "unix:/h/.swarmkv/api.sock")
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


if __name__ == "__main__":
    unittest.main()
