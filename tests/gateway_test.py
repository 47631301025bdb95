#!/usr/bin/python3
"""The HTTP gateway (gateway/, docs/gateway.md) on real daemons, with a plain HTTP client
(http.client): /ipfs/<cid> as an IPFS path gateway serves it (ranges, ETag and 304, HEAD,
immutable caching, a sniffed type, the raw block), /swarmkv/<cid> with the key in a header,
errors as HTTP statuses, content another node holds, /metrics, and the token on an address other
hosts can reach.

usage: gateway_test.py /path/to/swarmkv
"""
import base64
import hashlib
import http.client
import os
import random
import subprocess
import sys
import tempfile
import time
import unittest

SWARMKV = sys.argv[1]
del sys.argv[1:2]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_fixture import Daemon, raw_cid, start_on_free_port, wait_until  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def node_id(daemon):
    out = daemon.cli("id").stdout.decode()
    return next(line.split()[-1] for line in out.splitlines() if line.startswith("node id"))


class Http:
    """One request on a fresh connection: (status, headers as a dict with lower-case names,
    body)."""

    def __init__(self, port):
        self.port = port

    def __call__(self, path, method="GET", headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, headers=headers or {})
            response = connection.getresponse()
            body = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            connection.close()


def put(daemon, data, mode="plain"):
    """Puts `data` through the CLI; returns the capability URI."""
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        return daemon.cli("put", "--mode", mode, f.name).stdout.decode().strip()


def split(capability):
    rest = capability[len("swarmkv://"):]
    cid, _, key = rest.partition("#")
    return cid, key


class GatewayTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        args = ["--maintenance-interval", "1s", "--peer-timeout", "1s"]
        cls.a, cls.port = start_on_free_port(lambda port: Daemon(
            SWARMKV, extra_args=[*args, "--http-listen", f"127.0.0.1:{port}"]))
        peer = next(line.split()[-1] for line in cls.a.cli("id").stdout.decode().splitlines()
                    if line.startswith("peer"))
        cls.b = Daemon(SWARMKV, extra_args=[*args, "--bootstrap", f"{node_id(cls.a)}@{peer}"])
        cls.b.start()
        wait_until(lambda: cls.a.cli("peers").stdout.strip() not in (b"", b"no peers"), 30,
                   "b joined a")
        cls.http = Http(cls.port)
        cls.text = b"hello, gateway\n" * 10
        cls.text_cid = split(put(cls.a, cls.text))[0]
        cls.big = random.Random(5).randbytes(3_000_000)
        cls.big_cid = split(put(cls.a, cls.big))[0]

    @classmethod
    def tearDownClass(cls):
        cls.a.close()
        cls.b.close()

    def test_plain_content_as_an_ipfs_path_gateway_serves_it(self):
        for path in (f"/ipfs/{self.text_cid}", f"/ipfs/{self.text_cid}/"):
            status, headers, body = self.http(path)
            self.assertEqual((status, body), (200, self.text), path)
            self.assertEqual(headers["etag"], f'"{self.text_cid}"')
            self.assertEqual(headers["cache-control"], "public, max-age=29030400, immutable")
            self.assertEqual(headers["content-type"], "text/plain; charset=utf-8")
            self.assertEqual(headers["x-content-type-options"], "nosniff")
            self.assertEqual(headers["content-security-policy"], "sandbox")
            self.assertEqual(headers["accept-ranges"], "bytes")
        # A small plain file has the CID IPFS gives it.
        self.assertEqual(self.text_cid, raw_cid(self.text))
        cid = split(put(self.a, PNG))[0]
        status, headers, body = self.http(f"/ipfs/{cid}")
        self.assertEqual((status, headers["content-type"], body), (200, "image/png", PNG))

    def test_large_content_streams_byte_identical(self):
        status, headers, body = self.http(f"/ipfs/{self.big_cid}")
        self.assertEqual(status, 200)
        self.assertEqual(int(headers["content-length"]), len(self.big))
        self.assertEqual(hashlib.sha256(body).digest(), hashlib.sha256(self.big).digest())

    def test_ranges(self):
        cases = {
            "bytes=10-19": (10, 20),
            "bytes=-5": (len(self.big) - 5, len(self.big)),
            # Across block boundaries (256 KiB blocks), ending past the end: clamped.
            "bytes=262000-": (262000, len(self.big)),
            "bytes=200000-800000": (200000, 800001),
        }
        for header, (start, end) in cases.items():
            status, headers, body = self.http(f"/ipfs/{self.big_cid}", headers={"Range": header})
            self.assertEqual(status, 206, header)
            self.assertEqual(headers["content-range"], f"bytes {start}-{end - 1}/{len(self.big)}")
            self.assertTrue(body == self.big[start:end], header)
        # Several ranges: the whole content. A header that does not parse is refused by
        # cpp-httplib before the gateway sees it.
        status, _, body = self.http(f"/ipfs/{self.text_cid}", headers={"Range": "bytes=0-1,5-6"})
        self.assertEqual((status, body), (200, self.text))
        self.assertEqual(self.http(f"/ipfs/{self.text_cid}", headers={"Range": "bytes=x-y"})[0],
                         416)

    def test_a_range_past_the_end_is_416_and_the_node_lives_on(self):
        # cpp-httplib's own range code crashed the process on this (docs/gateway.md).
        for header in ("bytes=5000-", "bytes=5000-6000", "bytes=-0"):
            status, headers, _ = self.http(f"/ipfs/{self.text_cid}", headers={"Range": header})
            self.assertEqual(status, 416, header)
            self.assertEqual(headers["content-range"], f"bytes */{len(self.text)}")
        self.assertEqual(self.http(f"/ipfs/{self.text_cid}")[0], 200)
        self.assertIsNone(self.a.proc.poll())

    def test_etag_gives_304_and_head_gives_headers_only(self):
        etag = f'"{self.text_cid}"'
        for tag in (etag, f"W/{etag}", f'"other", {etag}', "*"):
            status, _, body = self.http(f"/ipfs/{self.text_cid}", headers={"If-None-Match": tag})
            self.assertEqual((status, body), (304, b""), tag)
        status, _, _ = self.http(f"/ipfs/{self.text_cid}", headers={"If-None-Match": '"other"'})
        self.assertEqual(status, 200)
        status, headers, body = self.http(f"/ipfs/{self.big_cid}", method="HEAD")
        self.assertEqual((status, body), (200, b""))
        self.assertEqual(int(headers["content-length"]), len(self.big))
        self.assertEqual(headers["etag"], f'"{self.big_cid}"')

    def test_the_raw_block_for_clients_that_verify(self):
        for headers, path in (({}, f"/ipfs/{self.text_cid}?format=raw"),
                              ({"Accept": "application/vnd.ipld.raw"}, f"/ipfs/{self.text_cid}")):
            status, answer, body = self.http(path, headers=headers)
            self.assertEqual(status, 200, path)
            self.assertEqual(answer["content-type"], "application/vnd.ipld.raw")
            self.assertEqual(answer["etag"], f'"{self.text_cid}.raw"')
            self.assertEqual(raw_cid(body), self.text_cid)  # verified by the client itself
        # Encrypted content's blocks are ciphertext: anyone may fetch them, the key stays away.
        cid, _ = split(put(self.a, b"sealed block", mode="random"))
        status, _, body = self.http(f"/ipfs/{cid}?format=raw")
        self.assertEqual(status, 200)
        self.assertNotIn(b"sealed block", body)

    def test_encrypted_content_with_its_key_in_a_header(self):
        secret = b"only with the key " * 100
        cid, key = split(put(self.a, secret, mode="random"))
        status, _, body = self.http(f"/ipfs/{cid}")
        self.assertEqual(status, 400)
        self.assertIn(b"/swarmkv/", body)
        status, _, body = self.http(f"/swarmkv/{cid}")
        self.assertEqual(status, 400)
        self.assertIn(b"X-Swarmkv-Key", body)
        wrong = base64.urlsafe_b64encode(bytes(32)).decode().rstrip("=")
        self.assertEqual(self.http(f"/swarmkv/{cid}", headers={"X-Swarmkv-Key": wrong})[0], 403)
        self.assertEqual(self.http(f"/swarmkv/{cid}", headers={"X-Swarmkv-Key": "!!"})[0], 400)
        status, headers, body = self.http(f"/swarmkv/{cid}", headers={"X-Swarmkv-Key": key})
        self.assertEqual((status, body), (200, secret))
        self.assertEqual(headers["cache-control"], "no-store")
        status, _, body = self.http(f"/swarmkv/{cid}", headers={"X-Swarmkv-Key": key,
                                                                "Range": "bytes=5-9"})
        self.assertEqual((status, body), (206, secret[5:10]))

    def test_errors(self):
        status, headers, body = self.http("/ipfs/not-a-cid")
        self.assertEqual(status, 400)
        self.assertTrue(headers["content-type"].startswith("text/plain"))
        self.assertTrue(body.strip())
        self.assertEqual(self.http(f"/ipfs/{raw_cid(b'nobody stored this')}")[0], 404)
        self.assertEqual(self.http(f"/ipfs/{self.text_cid}/inside")[0], 404)
        self.assertEqual(self.http("/ipfs/")[0], 400)
        self.assertEqual(self.http("/nothing-here")[0], 404)

    def test_content_another_node_holds(self):
        data = os.urandom(700_000)
        cid, _ = split(put(self.b, data))
        status, _, body = self.http(f"/ipfs/{cid}")
        self.assertEqual(status, 200)
        self.assertTrue(body == data)

    def test_metrics_are_served_here(self):
        status, headers, body = self.http("/metrics")
        self.assertEqual(status, 200)
        self.assertIn(b"\nswarmkv_store_blocks ", body)


class GatewayTokenTest(unittest.TestCase):
    def test_other_hosts_reach_it_only_with_the_token(self):
        refused = Daemon(SWARMKV, extra_args=["--http-listen", "0.0.0.0:8080"])
        with self.assertRaises(AssertionError) as caught:
            refused.start()
        self.assertIn("http.listen", str(caught.exception))
        refused.close()

        daemon, port = start_on_free_port(lambda port: Daemon(
            SWARMKV, extra_args=["--http-listen", f"0.0.0.0:{port}", "--token", "gateway-token-1"],
            env={**os.environ, "SWARMKV_API_TOKEN": "gateway-token-1"}))
        try:
            cid = split(put(daemon, b"behind a token"))[0]
            http = Http(port)
            status, headers, _ = http(f"/ipfs/{cid}")
            self.assertEqual(status, 401)
            self.assertEqual(headers["www-authenticate"], "Bearer")
            self.assertEqual(http(f"/ipfs/{cid}", headers={"Authorization": "Bearer nope"})[0], 401)
            status, _, body = http(f"/ipfs/{cid}",
                                   headers={"Authorization": "Bearer gateway-token-1"})
            self.assertEqual((status, body), (200, b"behind a token"))
            # Prometheus scrapes without it.
            self.assertEqual(http("/metrics")[0], 200)
        finally:
            daemon.close()

    def test_a_port_alone_is_loopback_and_the_old_flag_is_an_alias(self):
        daemon, port = start_on_free_port(
            lambda port: Daemon(SWARMKV, extra_args=["--http-listen", str(port)]))
        try:
            self.assertIn(f'http=127.0.0.1:{port} http_reach="this host only"', daemon.log())
        finally:
            daemon.close()
        daemon, port = start_on_free_port(lambda port: Daemon(
            SWARMKV, extra_args=["--metrics-listen", f"127.0.0.1:{port}"]))
        try:
            cid = split(put(daemon, b"alias"))[0]
            self.assertEqual(Http(port)(f"/ipfs/{cid}")[2], b"alias")
        finally:
            daemon.close()


class GatewayStopTest(unittest.TestCase):
    def test_an_idle_kept_alive_connection_does_not_hold_a_stop(self):
        # Issue 17: a stop ends within 2 s of the last call, open idle connections or not.
        for _ in range(3):
            daemon, port = start_on_free_port(
                lambda port: Daemon(SWARMKV, extra_args=["--http-listen", f"127.0.0.1:{port}"]))
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection.request("GET", "/metrics")
                connection.getresponse().read()  # the connection stays open, idle
                started = time.monotonic()
                self.assertEqual(daemon.stop(), 0)
                self.assertLess(time.monotonic() - started, 2.0)
                connection.close()
            finally:
                daemon.close()


if __name__ == "__main__":
    unittest.main()
