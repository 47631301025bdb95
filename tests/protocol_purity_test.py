#!/usr/bin/python3
"""STYLE rule 3: protocol cores (replication/, pubsub/, records/) do no I/O. Outside the files that adapt
them to the world (*_transport.*, *_service.*), no gRPC, threads, sockets, files or wall-clock
reads may appear. usage: protocol_purity_test.py <repository root>"""
import os
import re
import sys

FORBIDDEN = [
    (r'#include\s+[<"]grpc', "gRPC"),
    (r'#include\s+<thread>', "threads"),
    (r'#include\s+<(sys/socket|netinet/|arpa/)', "sockets"),
    (r'#include\s+<(fstream|filesystem)>', "files"),
    (r'#include\s+"rocksdb/', "RocksDB"),
    (r'absl::Now\(\)|std::chrono::(system|steady)_clock|\btime\(nullptr\)', "the wall clock"),
    (r'std::random_device|absl::BitGen', "unseeded randomness"),
]

root = sys.argv[1]
failures = []
checked = 0
for module in ("replication", "pubsub", "records"):
    folder = os.path.join(root, module)
    if not os.path.isdir(folder):
        continue
    for dirpath, _, files in os.walk(folder):
        for name in files:
            if not name.endswith((".h", ".cc")) or name.endswith("_test.cc"):
                continue
            if "_transport." in name or "_service." in name:
                continue
            checked += 1
            path = os.path.join(dirpath, name)
            with open(path) as f:
                for number, line in enumerate(f, 1):
                    for pattern, what in FORBIDDEN:
                        if re.search(pattern, line):
                            failures.append(f"{path}:{number}: {what} in a protocol core: {line.strip()}")
for failure in failures:
    print(failure)
print(f"{checked} protocol files checked, {len(failures)} violations")
sys.exit(1 if failures or checked == 0 else 0)
