"""Starts and stops a real `swarmkv daemon` process for Python tests."""
import base64
import hashlib
import os
import signal
import subprocess
import tempfile
import time


class Daemon:
    """A swarmkv daemon on a fresh data directory, reached through its Unix socket."""

    def __init__(self, swarmkv, data_dir=None, extra_args=(), env=None):
        self.swarmkv = swarmkv
        self._tmp = None
        if data_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="skv-")
            data_dir = os.path.join(self._tmp.name, "d")
        self.data_dir = data_dir
        self.extra_args = list(extra_args)
        # Tests run side by side: a free peer port unless the test chose one.
        if "--peer-listen" not in self.extra_args:
            self.extra_args += ["--peer-listen", "127.0.0.1:0"]
        self.env = env
        self.proc = None
        self.log_path = os.path.join(os.path.dirname(data_dir), "daemon.log")
        # A TCP daemon has no socket: client commands go to its --listen address.
        self.listen = None
        if "--listen" in self.extra_args:
            self.listen = self.extra_args[self.extra_args.index("--listen") + 1]

    @property
    def socket(self):
        return os.path.join(self.data_dir, "api.sock")

    @property
    def target(self):
        return self.listen or "unix:" + self.socket

    def cli(self, *args, stdin=None, check=True, timeout=120):
        api = ["--api", self.target]
        proc = subprocess.run([self.swarmkv, "--data-dir", self.data_dir, *api, *args], input=stdin,
                              capture_output=True, timeout=timeout, env=self.env)
        if check and proc.returncode != 0:
            raise AssertionError(f"swarmkv {' '.join(args)} failed: {proc.stderr.decode()}")
        return proc

    def start(self, deadline_s=30):
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [self.swarmkv, "--data-dir", self.data_dir, "daemon", *self.extra_args],
                stdout=log, stderr=log, env=self.env)
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise AssertionError(f"daemon exited with {self.proc.returncode}: {self.log()}")
            if self.listen or os.path.exists(self.socket):
                if self.cli("health", check=False, timeout=10).returncode == 0:
                    return self
            time.sleep(0.05)
        raise AssertionError(f"daemon not healthy within {deadline_s}s: {self.log()}")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc is None:
            return None
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=timeout)
        self.proc = None
        return code

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")[-4000:]
        except OSError:
            return ""

    def hand_over_dir(self, successor):
        """Makes `successor` (a daemon on the same data directory) the one that deletes it."""
        successor._tmp, self._tmp = self._tmp, None

    def close(self):
        if self.proc is not None:
            self.stop(signal.SIGKILL)
        if self._tmp is not None:
            self._tmp.cleanup()


_STUBS = None


def node_stubs(api_proto):
    """Generates the Python stubs of swarmkv.v1.Node with Debian's protoc and returns
    (node_pb2, node_pb2_grpc); once per process."""
    global _STUBS
    if _STUBS is None:
        import sys
        gen = tempfile.TemporaryDirectory(prefix="skv-stubs-")
        subprocess.run(
            ["protoc", "-I", api_proto, f"--python_out={gen.name}",
             f"--grpc_python_out={gen.name}",
             "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin",
             "swarmkv/v1/node.proto"],
            check=True)
        sys.path.insert(0, gen.name)
        from swarmkv.v1 import node_pb2, node_pb2_grpc
        _STUBS = (node_pb2, node_pb2_grpc, gen)
    return _STUBS[0], _STUBS[1]


def wait_until(condition, deadline_s, what, interval_s=0.1):
    """Polls `condition` until it returns a truthy value; fails with `what` at the deadline."""
    end = time.monotonic() + deadline_s
    last = None
    while time.monotonic() < end:
        last = condition()
        if last:
            return last
        time.sleep(interval_s)
    raise AssertionError(f"not within {deadline_s}s: {what} (last: {last})")


def raw_cid(data):
    """The CIDv1 (raw, sha2-256, base32) of `data`, computed independently of swarmkv."""
    digest = bytes([0x01, 0x55, 0x12, 0x20]) + hashlib.sha256(data).digest()
    return "b" + base64.b32encode(digest).decode().lower().rstrip("=")


def free_port():
    """A TCP port free on 127.0.0.1 right now (the kernel may hand it out again: see
    start_on_free_port)."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_on_free_port(make_daemon, attempts=3):
    """Starts make_daemon(port) on a port from free_port(); returns (daemon, port). A port freed
    by free_port can be taken again before the daemon binds it (by another test, or by the same
    daemon's own listener on port 0), so a start that failed to bind tries another port."""
    for attempt in range(attempts):
        port = free_port()
        daemon = make_daemon(port)
        try:
            return daemon.start(), port
        except AssertionError as error:
            daemon.close()
            if "cannot listen" not in str(error) or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")
