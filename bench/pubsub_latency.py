#!/usr/bin/python3
"""Publish -> deliver latency and throughput on 10 real `swarmkv daemon` processes on loopback
(TLS peer links): every node but the publisher subscribes through the API; the publisher sends
1 KiB messages that carry their send time (one clock: one machine). Reports p50/p99 of the
latency from Publish to each subscriber's receipt, and the messages per second every subscriber
received under a closed loop of publishes.

usage: pubsub_latency.py SWARMKV API_PROTO [--nodes 10] [--messages 500] [--rate 200]
"""
import argparse
import os
import struct
import sys
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("swarmkv")
parser.add_argument("api_proto")
parser.add_argument("--nodes", type=int, default=10)
parser.add_argument("--messages", type=int, default=500)
parser.add_argument("--rate", type=float, default=200, help="publishes per second (latency run)")
args = parser.parse_args()

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from daemon_fixture import Daemon, node_stubs, wait_until  # noqa: E402

import grpc  # noqa: E402

node_pb2, node_pb2_grpc = node_stubs(args.api_proto)
PAYLOAD = 1024


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] if values else float("nan")


class Receiver:
    def __init__(self, stub, topic):
        self.lock = threading.Lock()
        self.latencies = []
        self.seen = set()
        self.call = stub.Subscribe(node_pb2.SubscribeRequest(topic=topic))
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            for m in self.call:
                now = time.monotonic()
                sent, index = struct.unpack_from("<dQ", m.data)
                with self.lock:
                    self.seen.add(index)
                    self.latencies.append(now - sent)
        except grpc.RpcError:
            pass


def message(index):
    head = struct.pack("<dQ", time.monotonic(), index)
    return head + b"x" * (PAYLOAD - len(head))


def main():
    daemons, stubs = [], []
    try:
        first = None
        for _ in range(args.nodes):
            extra = ["--maintenance-interval", "1s"] + (["--bootstrap", first] if first else [])
            d = Daemon(args.swarmkv, extra_args=extra).start()
            stub = node_pb2_grpc.NodeStub(grpc.insecure_channel(d.target))
            info = stub.Info(node_pb2.InfoRequest(), timeout=10)
            first = first or f"{info.node_id}@{info.peer_addresses[0]}"
            daemons.append(d)
            stubs.append(stub)
        wait_until(lambda: all(s.Info(node_pb2.InfoRequest(), timeout=10).known_peers
                               >= args.nodes - 1 for s in stubs), 90, "every node knows the others")
        receivers = [Receiver(s, "bench") for s in stubs[1:]]
        # Warm up: meshes form and the first messages prune the extra links.
        warm = 0

        def everyone_heard():
            nonlocal warm
            stubs[0].Publish(node_pb2.PublishRequest(topic="bench", data=message(10**9 + warm)))
            warm += 1
            time.sleep(0.1)
            return warm > 50 and all(r.seen for r in receivers)
        wait_until(everyone_heard, 60, "every subscriber hears the warm-up")
        time.sleep(1)
        for r in receivers:
            with r.lock:
                r.latencies.clear()
        # Latency at a steady rate.
        for i in range(args.messages):
            stubs[0].Publish(node_pb2.PublishRequest(topic="bench", data=message(i)), timeout=10)
            time.sleep(1.0 / args.rate)
        def all_seen():
            for r in receivers:
                with r.lock:
                    if not all(i in r.seen for i in range(args.messages)):
                        return False
            return True
        wait_until(all_seen, 30, "every message at every subscriber")
        latencies = []
        for r in receivers:
            with r.lock:
                latencies += r.latencies
        # Throughput: 8 publishers in a closed loop for a few seconds.
        base = 10**6
        count = [0]
        stop = time.monotonic() + 5
        lock = threading.Lock()

        def publisher(offset):
            i = 0
            while time.monotonic() < stop:
                stubs[0].Publish(node_pb2.PublishRequest(
                    topic="bench", data=message(base + offset * 10**5 + i)), timeout=10)
                i += 1
                with lock:
                    count[0] += 1
        started = time.monotonic()
        threads = [threading.Thread(target=publisher, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        sent = count[0]

        def throughput_counts():
            out = []
            for r in receivers:
                with r.lock:
                    out.append(sum(1 for i in r.seen if base <= i < 10**9))
            return out
        # Until every subscriber has all of them, or their counts stop growing for a second.
        previous = [None]

        def settled():
            now = throughput_counts()
            done = min(now) >= sent or now == previous[0]
            previous[0] = now
            time.sleep(1)
            return done
        wait_until(settled, 60, "the throughput run settles")
        elapsed = time.monotonic() - started - 1
        delivered = min(throughput_counts())
        print("| work | deliveries | latency p50 | latency p99 | throughput |")
        print("|---|---|---|---|---|")
        print(f"| {args.nodes} daemons, 1 KiB, {args.rate:.0f} publishes/s | {len(latencies)} | "
              f"{percentile(latencies, 0.5) * 1000:.2f} ms | "
              f"{percentile(latencies, 0.99) * 1000:.2f} ms | "
              f"8 publishers on one node: {sent / elapsed:.0f} msgs/s published, each of "
              f"{len(receivers)} subscribers got {delivered} of {sent} |")
    finally:
        for d in daemons:
            d.stop()
            d.close()


if __name__ == "__main__":
    main()
