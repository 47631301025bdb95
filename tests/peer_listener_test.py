#!/usr/bin/python3
"""Issue 15 finding 3, on a real daemon.

One host's connections to the peer port are capped: past the cap the newest are shut down
within about a second (rpc/connection_cap.h), long before the 10 s handshake timeout.

Without the cap (or from many hosts), idle TCP connections to the peer port up to the
open-files limit made one accept() fail with EMFILE, after which gRPC 1.51 never accepted
again: the node kept running, unreachable to peers. Now the daemon watches gRPC's log for that
failure (rpc/grpc_log.h) and exits non-zero (a supervisor restarts it) instead of living on as
a zombie.

The daemon runs under a hard limit of 128 open files (so its own raise of the soft limit cannot
lift it); the test opens 400 idle connections to its peer port, and closes them once the daemon
has seen the failure (a shutdown without a free descriptor proves nothing).

usage: peer_listener_test.py /path/to/swarmkv
"""
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import unittest

SWARMKV = sys.argv[1]
del sys.argv[1]


def limit_files():
    resource.setrlimit(resource.RLIMIT_NOFILE, (128, 128))


def peer_port(data):
    """The daemon's bound peer port, from `swarmkv id`, once it is up."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        info = subprocess.run([SWARMKV, "--data-dir", data, "id"], capture_output=True, text=True)
        for line in info.stdout.splitlines():
            if line.startswith("peer ") and ":" in line:
                return int(line.rsplit(":", 1)[1])
        time.sleep(0.1)
    return None


def is_open(sock):
    """True while the far end has not closed or shut down the connection."""
    try:
        return sock.recv(1, socket.MSG_DONTWAIT) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


class PeerListenerTest(unittest.TestCase):
    def test_one_hosts_connections_beyond_the_cap_are_shut_down(self):
        with tempfile.TemporaryDirectory() as parent:
            data = os.path.join(parent, "node")
            log = open(os.path.join(parent, "log"), "wb")
            daemon = subprocess.Popen(
                [SWARMKV, "--data-dir", data, "daemon", "--peer-listen", "127.0.0.1:0",
                 "--peer-max-connections-per-ip", "8"],
                stdout=log, stderr=subprocess.STDOUT)
            sockets = []
            try:
                port = peer_port(data)
                self.assertIsNotNone(port, "the daemon did not come up")
                def connect(n):
                    for _ in range(n):  # idle, no TLS
                        sockets.append(socket.create_connection(("127.0.0.1", port), timeout=5))
                        sockets[-1].setblocking(False)

                def until_open_is(n):
                    started = time.monotonic()
                    while sum(map(is_open, sockets)) > n and time.monotonic() - started < 8:
                        time.sleep(0.05)
                    # Well inside the handshake timeout (10 s), which would close them all.
                    self.assertEqual(sum(map(is_open, sockets)), n,
                                     [is_open(s) for s in sockets])
                # Nine: one check shuts one down; the eight left have been seen by a check.
                connect(9)
                until_open_is(8)
                first = [s for s in sockets if is_open(s)]
                # 32 more: they are newer than those eight, and they are the ones shut down.
                connect(32)
                until_open_is(8)
                self.assertTrue(all(map(is_open, first)), "the connections seen first are kept")
                self.assertIsNone(daemon.poll())
            finally:
                for s in sockets:
                    s.close()
                daemon.terminate()
                self.assertEqual(daemon.wait(timeout=30), 0)
                log.close()
            with open(os.path.join(parent, "log")) as f:
                self.assertIn("peer.connections_capped", f.read())

    def test_a_listener_killed_by_fd_exhaustion_stops_the_daemon_with_an_error(self):
        if os.environ.get("SWARMKV_SANITIZED"):
            self.skipTest("UBSan's checks need free descriptors and misreport when none is left; "
                          "this test runs in the ordinary build")
        with tempfile.TemporaryDirectory() as parent:
            data = os.path.join(parent, "node")
            log_path = os.path.join(parent, "log")
            # The daemon writes through a file description of its own: one shared with the
            # reader would share its offset, and each re-read would make it overwrite the log.
            log = open(log_path, "wb")

            def read_log():
                with open(log_path) as f:
                    return f.read()
            daemon = subprocess.Popen(
                [SWARMKV, "--data-dir", data, "daemon", "--peer-listen", "127.0.0.1:0",
                 "--worker-threads", "4", "--peer-max-connections-per-ip", "0"],
                stdout=log, stderr=subprocess.STDOUT, preexec_fn=limit_files)
            sockets = []
            try:
                port = peer_port(data)
                self.assertIsNotNone(port, "the daemon did not come up")
                # Idle connections, no TLS: more than the daemon has descriptors.
                for _ in range(400):
                    s = socket.socket()
                    s.settimeout(2)
                    try:
                        s.connect(("127.0.0.1", port))
                    except OSError:
                        s.close()
                        continue
                    sockets.append(s)
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline and daemon.poll() is None:
                    if "peer.listener_dead" in read_log():
                        break
                    time.sleep(0.1)
                for s in sockets:
                    s.close()
                code = daemon.wait(timeout=60)
                output = read_log()
                self.assertNotEqual(code, 0, output[-2000:])
                self.assertIn("peer.listener_dead", output)
                self.assertIn("a listener stopped accepting", output)
            finally:
                for s in sockets:
                    s.close()
                if daemon.poll() is None:
                    daemon.kill()
                    daemon.wait()
                log.close()


if __name__ == "__main__":
    unittest.main()
