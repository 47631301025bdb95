#!/usr/bin/python3
"""The five-node Compose cluster of deploy/docker-compose.yml, on real containers, under the
faults clusters suffer (issue 12 §2). A workload runs the whole time: writers put content in
every mode on random nodes and record each acknowledged capability with its bytes' hash;
readers get recorded content back from random nodes. Meanwhile, one after another:

  kill       SIGKILL (docker kill) of two nodes, then start them again
  partition  two nodes cut off the cluster network (docker network disconnect), then back
  rolling    every node stopped with SIGTERM and started again, one at a time; each stop must
             be clean (exit 0) and well inside the Compose stop timeout
  disk-full  node 5's disk filled: it refuses writes with RESOURCE_EXHAUSTED, keeps serving
             reads, and takes writes again once space is freed
  pause      a node frozen (docker pause) during writes

After each fault the cluster must be whole again (every node knows the other four) within two
maintenance intervals of the fault ending (of the node serving again, for a restarted one). At
the end, after a maintenance round: every acknowledged write reads back byte-identical from
every node, every block is held by >= R nodes (the root of every write, and each leaf of plain
content, whose CIDs the test computes; an encrypted leaf's CID is known only to the node), and
no data directory holds the plaintext of encrypted content (markers planted in it are searched
for).

One summary line says writes acknowledged, writes lost (must be 0), reads failed during each
fault and the time to full repair. A failure prints the containers' logs; the cluster is taken
down with its volumes whatever happens. Without Docker the test says so and exits 77 (skipped).

usage: cluster_faults_test.py /path/to/rpc/proto
"""
import collections
import concurrent.futures
import hashlib
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
from daemon_fixture import node_stubs, raw_cid  # noqa: E402

import grpc  # noqa: E402

SKIP = 77
NODES = [f"node{i}" for i in range(1, 6)]
R = 3
MAINTENANCE_S = 10  # deploy/docker-compose.yml's default: the cluster as users run it
WHOLE_WITHIN_S = 2 * MAINTENANCE_S
FAULT_S = 10
STOP_GRACE_PERIOD_S = 20  # deploy/docker-compose.yml
NODE_UID = 10001          # deploy/Dockerfile
MARKER = b"SKV-E2E-PLAINTEXT-"
CALL_TIMEOUT_S = 15
CHUNK = 256 * 1024  # bytes per block of the writes


def log(*args):
    print(time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


def run(*cmd, check=True, timeout=600, **kwargs):
    proc = subprocess.run(list(cmd), capture_output=True, text=True, timeout=timeout, **kwargs)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({proc.returncode}): "
                             f"{proc.stderr.strip()[-2000:]}")
    return proc


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, deadline_s, what, interval_s=0.2):
    """Polls `condition` until truthy; returns the seconds it took, or fails naming `what`."""
    start = time.monotonic()
    last = None
    while time.monotonic() - start < deadline_s:
        try:
            last = condition()
            if last:
                return time.monotonic() - start
        except Exception as e:  # a node mid-restart answers with errors for a while
            last = e
        time.sleep(interval_s)
    raise AssertionError(f"not within {deadline_s}s: {what} (last: {last})")


class Cluster:
    """The Compose project, its five nodes' API channels and the faults done to them."""

    def __init__(self, workdir, stubs):
        self.pb, self.pb_grpc = stubs
        self.project = f"swarmkv-e2e-{os.getpid()}"
        self.node5_data = os.path.join(workdir, "node5-data")
        self.ports = {n: free_port() for n in NODES}
        self.env = dict(os.environ, COMPOSE_PROJECT_NAME=self.project,
                        SWARMKV_MAINTENANCE_INTERVAL=f"{MAINTENANCE_S}s",
                        SWARMKV_E2E_NODE5_DATA=self.node5_data,
                        **{f"SWARMKV_NODE{n[4:]}_PORT": str(p) for n, p in self.ports.items()})
        with open(os.path.join(ROOT, "deploy", "secrets", "api-token")) as f:
            self.metadata = [("authorization", "Bearer " + f.read().strip())]
        self.channels = {}
        self.stubs = {}
        self.ids = {}

    def compose(self, *args, check=True, timeout=600):
        return run("docker-compose", "-f", os.path.join(ROOT, "deploy", "docker-compose.yml"),
                   "-f", os.path.join(HERE, "faults.override.yml"), *args, check=check,
                   timeout=timeout, env=self.env)

    def container(self, node):
        return self.compose("ps", "-q", node).stdout.strip()

    def mount_node5_disk(self):
        """A 512 MiB tmpfs on the host for node 5's data: fillable, and it outlives restarts."""
        os.makedirs(self.node5_data)
        run("mount", "-t", "tmpfs", "-o", f"size=512m,mode=0700,uid={NODE_UID},gid={NODE_UID}",
            "tmpfs", self.node5_data)

    def unmount_node5_disk(self):
        run("umount", "-l", self.node5_data, check=False)

    def up(self):
        self.compose("up", "-d")
        for node, port in self.ports.items():
            channel = grpc.insecure_channel(f"127.0.0.1:{port}")
            self.channels[node] = channel
            self.stubs[node] = self.pb_grpc.NodeStub(channel)
        for node in NODES:
            self.wait_serving(node)
            self.ids[node] = self.info(node).node_id
        self.wait_whole(60, "the cluster comes up")

    def down(self):
        for channel in self.channels.values():
            channel.close()
        self.compose("down", "-v", "-t", "30", check=False)

    # --- calls -----------------------------------------------------------------------------

    def info(self, node):
        return self.stubs[node].Info(self.pb.InfoRequest(), metadata=self.metadata, timeout=5)

    def peers(self, node):
        reply = self.stubs[node].Peers(self.pb.PeersRequest(), metadata=self.metadata, timeout=5)
        return {p.node_id for p in reply.peers}

    def put(self, node, data, mode, timeout=CALL_TIMEOUT_S):
        def requests():
            yield self.pb.PutRequest(header=self.pb.PutHeader(mode=mode, pin=True,
                                                              chunk_size=CHUNK))
            for i in range(0, len(data), 256 * 1024):
                yield self.pb.PutRequest(chunk=data[i:i + 256 * 1024])
        return self.stubs[node].Put(requests(), metadata=self.metadata, timeout=timeout)

    def get(self, node, target, timeout=CALL_TIMEOUT_S, local_only=False):
        request = self.pb.GetRequest(target=target, local_only=local_only)
        return b"".join(r.chunk for r in self.stubs[node].Get(request, metadata=self.metadata,
                                                              timeout=timeout))

    def holds(self, node, cid):
        return self.stubs[node].Stat(self.pb.StatRequest(target=cid), metadata=self.metadata,
                                     timeout=5).present

    # --- whole ------------------------------------------------------------------------------

    def missing_links(self):
        """Pairs (node, peer it does not know); empty when the cluster is whole."""
        missing = []
        for node in NODES:
            known = self.peers(node)
            for other, other_id in self.ids.items():
                if other != node and other_id not in known:
                    missing.append((node, other))
        return missing

    def wait_whole(self, deadline_s, what):
        try:
            return wait_for(lambda: not self.missing_links(), deadline_s,
                            f"every node knows the other four after {what}")
        except AssertionError as e:
            raise AssertionError(f"{e}; (node, peer it does not know): {self.missing_links()}")

    def wait_serving(self, node, deadline_s=60):
        wait_for(lambda: self.info(node), deadline_s, f"{node} serving its API")

    # --- faults -----------------------------------------------------------------------------

    def docker(self, *args, check=True):
        return run("docker", *args, check=check, timeout=120)

    def network(self):
        return f"{self.project.replace('.', '')}_default"

    def disconnect(self, node):
        cid = self.container(node)
        self.docker("network", "disconnect", self.network(), cid)
        return cid

    def reconnect(self, node, cid):
        # The service name comes back; the address may be another one (Compose's network has no
        # fixed subnet), which the others learn through the name.
        self.docker("network", "connect", "--alias", node, self.network(), cid)

    def logs(self):
        return self.compose("logs", "--no-color", "--tail", "300", check=False).stdout


class Workload:
    """Writers and readers running against random nodes until stopped, counting by phase."""

    MODES = ("plain", "random", "convergent")

    def __init__(self, cluster, writers=2, readers=2):
        self.cluster = cluster
        self.pb = cluster.pb
        self.mode_values = {"plain": self.pb.ENCRYPTION_MODE_PLAIN,
                            "random": self.pb.ENCRYPTION_MODE_RANDOM,
                            "convergent": self.pb.ENCRYPTION_MODE_CONVERGENT}
        self.lock = threading.Lock()
        self.acked = []       # (capability, cid, sha256 hex, chunks, mode)
        self.phase = "warm-up"
        self.faulted = set()  # nodes a fault is being done to now
        self.counts = collections.defaultdict(collections.Counter)
        self.corrupt = []     # reads that returned other bytes: always a failure
        self.stop_event = threading.Event()
        self.serial = 0
        self.threads = [threading.Thread(target=self.writer, args=(i,), daemon=True)
                        for i in range(writers)]
        self.threads += [threading.Thread(target=self.reader, args=(100 + i,), daemon=True)
                         for i in range(readers)]

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self):
        self.stop_event.set()
        for t in self.threads:
            t.join(timeout=2 * CALL_TIMEOUT_S)

    def set_phase(self, phase, faulted=()):
        with self.lock:
            self.phase = phase
            self.faulted = set(faulted)

    def count(self, node, what):
        with self.lock:
            where = "faulted" if node in self.faulted else "healthy"
            self.counts[self.phase][f"{what}_{where}"] += 1

    def content(self, rng, mode):
        with self.lock:
            self.serial += 1
            serial = self.serial
        # Mostly single blocks; one in ten spans several (a manifest and its leaves).
        size = rng.choice([200, 1000, 4096, 30000, 120000] * 2 + [700000])
        body = bytearray(rng.randbytes(size))
        if mode != "plain":
            # A marker in encrypted content: found on a disk, it would be plaintext at rest.
            marker = MARKER + b"%08d" % serial
            at = rng.randrange(0, max(1, size - len(marker)))
            body[at:at + len(marker)] = marker
        return bytes(body)

    def writer(self, seed):
        rng = random.Random(seed)
        while not self.stop_event.is_set():
            node = rng.choice(NODES)
            mode = rng.choice(self.MODES)
            data = self.content(rng, mode)
            try:
                reply = self.cluster.put(node, data, self.mode_values[mode])
            except grpc.RpcError:
                self.count(node, "writes_failed")
                continue
            # The blocks to count copies of: the root, and for plain content of several blocks
            # its leaves too (raw blocks of CHUNK bytes, whose CIDs the test computes itself;
            # an encrypted leaf's CID is of its ciphertext, which only the node knows).
            blocks = [reply.cid]
            if mode == "plain" and reply.chunks > 1:
                blocks += [raw_cid(data[i:i + CHUNK]) for i in range(0, len(data), CHUNK)]
            with self.lock:
                self.acked.append((reply.capability, reply.cid,
                                   hashlib.sha256(data).hexdigest(), blocks, mode))
            self.count(node, "writes_ok")

    def reader(self, seed):
        rng = random.Random(seed)
        while not self.stop_event.is_set():
            with self.lock:
                record = rng.choice(self.acked) if self.acked else None
            if record is None:
                time.sleep(0.05)
                continue
            node = rng.choice(NODES)
            try:
                data = self.cluster.get(node, record[0])
            except grpc.RpcError:
                self.count(node, "reads_failed")
                continue
            if hashlib.sha256(data).hexdigest() != record[2]:
                with self.lock:
                    self.corrupt.append((node, record[1]))
            self.count(node, "reads_ok")


def thread_stacks(pid):
    """Every thread's stack of the process `pid` (a node that hangs), when gdb is here."""
    if shutil.which("gdb") is None:
        return "(no gdb here to show them)"
    try:
        proc = run("gdb", "-p", pid, "-batch", "-ex", "thread apply all bt 30", check=False,
                   timeout=30)
    except subprocess.TimeoutExpired:
        return "(gdb did not finish: the process may have ended meanwhile)"
    frames = [line for line in proc.stdout.splitlines() if line.startswith(("Thread", "#"))]
    return "\n".join(frames) or f"(gdb showed no threads: {proc.stdout[-500:]} {proc.stderr[-500:]})"


class FaultTest:
    def __init__(self, cluster, workload):
        self.cluster = cluster
        self.workload = workload
        self.report = []

    def whole_again(self, fault):
        took = self.cluster.wait_whole(WHOLE_WITHIN_S, fault)
        log(f"{fault}: cluster whole again {took:.1f} s after the fault ended")
        self.report.append(f"{fault} whole in {took:.1f}s")

    def kill_two(self):
        victims = ["node2", "node4"]
        self.workload.set_phase("kill", victims)
        for node in victims:
            self.cluster.docker("kill", self.cluster.container(node))
        time.sleep(FAULT_S)
        for node in victims:
            self.cluster.docker("start", self.cluster.container(node))
        for node in victims:
            self.cluster.wait_serving(node)
        self.whole_again("kill")

    def partition_two(self):
        victims = ["node1", "node3"]
        self.workload.set_phase("partition", victims)
        cut = [(node, self.cluster.disconnect(node)) for node in victims]
        time.sleep(FAULT_S)
        # The three others kept taking writes.
        with self.workload.lock:
            majority_writes = self.workload.counts["partition"]["writes_ok_healthy"]
        assert majority_writes > 0, "the three connected nodes took no writes in the partition"
        for node, cid in cut:
            self.cluster.reconnect(node, cid)
        self.whole_again("partition")

    def rolling_restart(self):
        self.workload.set_phase("rolling")
        for node in NODES:
            self.workload.set_phase("rolling", [node])
            container = self.cluster.container(node)
            pid = self.cluster.docker("inspect", "-f", "{{.State.Pid}}", container).stdout.strip()
            start = time.monotonic()
            stop = subprocess.Popen(["docker", "stop", "-t", str(STOP_GRACE_PERIOD_S), container],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            stacks = ""
            try:
                stop.wait(timeout=STOP_GRACE_PERIOD_S / 2)
            except subprocess.TimeoutExpired:
                stacks = thread_stacks(pid)
                stop.wait()
            stopped = time.monotonic() - start
            code = self.cluster.docker("inspect", "-f", "{{.State.ExitCode}}",
                                       container).stdout.strip()
            if code != "0" or stopped >= STOP_GRACE_PERIOD_S / 2:
                tail = self.cluster.docker("logs", "--tail", "60", container).stderr
                raise AssertionError(f"{node} exited {code} (137: killed at the stop timeout) "
                                     f"after {stopped:.1f}s on SIGTERM; its last lines:\n{tail}"
                                     f"\nits threads while it hung:\n{stacks}")
            self.cluster.compose("start", node)
            self.cluster.wait_serving(node)
            log(f"rolling: {node} stopped cleanly in {stopped:.1f} s and serves again")
            self.whole_again(f"rolling restart of {node}")
        self.workload.set_phase("rolling")

    def fill_disk(self):
        node = "node5"
        self.workload.set_phase("disk-full", [node])
        ballast = os.path.join(self.cluster.node5_data, "ballast")
        free = shutil.disk_usage(self.cluster.node5_data).free
        with open(ballast, "wb") as f:  # leaves 4 MiB, under the node's 16 MiB reserve
            f.truncate(0)
            chunk = b"\0" * (1 << 20)
            for _ in range(max(0, free - (4 << 20)) >> 20):
                f.write(chunk)
        try:
            code, details = None, ""
            try:
                self.cluster.put(node, os.urandom(50000), self.workload.mode_values["random"])
            except grpc.RpcError as e:
                code, details = e.code(), e.details()
            assert code == grpc.StatusCode.RESOURCE_EXHAUSTED, (code, details)
            assert "free" in details or "disk" in details or "space" in details, details
            log(f"disk-full: node5 refuses writes: {details}")
            # Reads go on: content the node holds and content it fetches.
            with self.workload.lock:
                sample = random.Random(5).sample(self.workload.acked,
                                                 min(10, len(self.workload.acked)))
            for cap, cid, digest, _, _ in sample:
                got = self.cluster.get(node, cap)
                assert hashlib.sha256(got).hexdigest() == digest, f"node5 read {cid} wrong"
            time.sleep(FAULT_S)
        finally:
            os.remove(ballast)
        took = wait_for(
            lambda: self.cluster.put(node, os.urandom(50000),
                                     self.workload.mode_values["random"]),
            WHOLE_WITHIN_S, "node5 takes writes again once space is freed")
        log(f"disk-full: node5 takes writes again {took:.1f} s after space was freed")
        self.whole_again("disk-full")

    def pause_one(self):
        node = "node3"
        self.workload.set_phase("pause", [node])
        container = self.cluster.container(node)
        self.cluster.docker("pause", container)
        time.sleep(FAULT_S)
        self.cluster.docker("unpause", container)
        self.whole_again("pause")


def check_convergent_dedup(cluster):
    """One secret for the cluster: identical content in convergent mode gets one CID anywhere."""
    data = random.Random(11).randbytes(40000)
    mode = cluster.pb.ENCRYPTION_MODE_CONVERGENT
    cids = {cluster.put(node, data, mode).cid for node in ("node1", "node4", "node5")}
    assert len(cids) == 1, f"convergent puts of the same bytes on 3 nodes gave CIDs {cids}"


def check_final_state(cluster, workload):
    acked = list(workload.acked)
    blocks = sorted({cid for record in acked for cid in record[3]})

    def copies_short():
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            counts = pool.map(lambda cid: sum(1 for n in NODES if cluster.holds(n, cid)), blocks)
            short = [cid for cid, count in zip(blocks, counts) if count < R]
        return not short or None
    repair = wait_for(copies_short, 6 * MAINTENANCE_S,
                      f"every one of {len(blocks)} blocks on >= {R} nodes", interval_s=1)

    def read_back(record, node):
        cap, cid, digest, _, _ = record
        try:
            data = cluster.get(node, cap, timeout=60)
        except grpc.RpcError as e:
            return (cid, node, e.code())
        return None if hashlib.sha256(data).hexdigest() == digest else (cid, node, "other bytes")
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        reads = [pool.submit(read_back, record, node) for record in acked for node in NODES]
        lost = [r.result() for r in reads if r.result() is not None]
    plaintext = []
    for node in NODES:
        found = cluster.docker("exec", cluster.container(node), "grep", "-rlaF",
                               MARKER.decode(), "/data", check=False)
        if found.stdout.strip():
            plaintext.append((node, found.stdout.split()))
    return repair, lost, plaintext


def main():
    if shutil.which("docker") is None or shutil.which("docker-compose") is None:
        print("SKIPPED: docker or docker-compose is not installed", file=sys.stderr)
        return SKIP
    if run("docker", "info", check=False, timeout=60).returncode != 0:
        print("SKIPPED: the Docker engine does not answer (docker info failed)", file=sys.stderr)
        return SKIP
    if os.geteuid() != 0:
        print("SKIPPED: needs root (the image build runs debootstrap; node 5's disk is a tmpfs)",
              file=sys.stderr)
        return SKIP
    api_proto = sys.argv[1]
    log("building the image (deploy/build-images.sh)")
    run("bash", os.path.join(ROOT, "deploy", "build-images.sh"), timeout=1800)
    run("bash", os.path.join(ROOT, "deploy", "cluster.sh"), "secrets")
    stubs = node_stubs(api_proto)

    workdir = tempfile.mkdtemp(prefix="swarmkv-e2e-")
    cluster = Cluster(workdir, stubs)
    workload = None
    failed = True
    try:
        cluster.mount_node5_disk()
        started = time.monotonic()
        cluster.up()
        log(f"five nodes up and whole in {time.monotonic() - started:.1f} s")
        check_convergent_dedup(cluster)
        workload = Workload(cluster)
        workload.start()
        time.sleep(FAULT_S)
        faults = FaultTest(cluster, workload)
        for fault in (faults.kill_two, faults.partition_two, faults.rolling_restart,
                      faults.fill_disk, faults.pause_one):
            log(f"fault: {fault.__name__}")
            fault()
        workload.set_phase("after")
        time.sleep(MAINTENANCE_S)
        workload.stop()
        assert not workload.corrupt, f"reads returned other bytes: {workload.corrupt[:5]}"
        repair, lost, plaintext = check_final_state(cluster, workload)
        memory = cluster.docker("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}",
                                *[cluster.container(n) for n in NODES]).stdout.split("\n")
        reads = ", ".join(
            f"{phase} {c['reads_failed_healthy']}+{c['reads_failed_faulted']}/"
            f"{c['reads_ok_healthy'] + c['reads_ok_faulted'] + c['reads_failed_healthy'] + c['reads_failed_faulted']}"
            for phase, c in workload.counts.items())
        print(f"e2e cluster faults: writes acknowledged {len(workload.acked)}, "
              f"writes lost {len({l[0] for l in lost})}, reads failed (on healthy+faulted nodes"
              f"/all) by phase: {reads}; time to full repair {repair:.1f} s; "
              f"{'; '.join(faults.report)}; memory: {'; '.join(m for m in memory if m)}",
              flush=True)
        assert not lost, f"acknowledged writes not read back: {lost[:10]}"
        assert not plaintext, f"plaintext of encrypted content on disk: {plaintext}"
        failed = False
        return 0
    except Exception:
        traceback.print_exc()
        return 1
    finally:
        if workload is not None:
            workload.stop()
        if failed:
            print("---- container logs ----\n" + cluster.logs(), file=sys.stderr)
        cluster.down()
        cluster.unmount_node5_disk()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
