#!/usr/bin/python3
"""DESIGN.md §1, checked: arrows point one way only. A module's code may include its own headers
and those of modules below it, never one above it or beside it:
  node -> {api, gateway} -> {pubsub, records, replication} -> {storage, rpc} -> crypto -> base
(records and pubsub sit above replication; rpc, under the networking modules, sits beside
storage). Generated proto headers ("swarmkv/...pb.h") belong to rpc. Only tests (files named
*_test.cc, and the testing/, tests/, bench/ and fuzz/ folders) may include testing/.
usage: module_order_test.py <repository root>"""
import os
import re
import sys

LEVEL = {
    "base": 0,
    "crypto": 1,
    "storage": 2,
    "rpc": 2,
    "replication": 3,
    "records": 4,
    "pubsub": 4,
    "api": 5,
    "gateway": 6,
    "node": 7,
}
INCLUDE = re.compile(r'^\s*#include\s+"([^"]+)"')


def module_of_include(path):
    top = path.split("/", 1)[0]
    if top == "swarmkv" and path.endswith(".pb.h"):
        return "rpc"
    if top in LEVEL or top == "testing":
        return top
    return None  # a system or third-party header


def main(root):
    failures = []
    checked = 0
    for module, level in LEVEL.items():
        folder = os.path.join(root, module)
        if not os.path.isdir(folder):
            continue
        for dirpath, _, files in os.walk(folder):
            for name in files:
                if not name.endswith((".h", ".cc")):
                    continue
                is_test = name.endswith("_test.cc")
                path = os.path.join(dirpath, name)
                checked += 1
                with open(path) as f:
                    for number, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        target = module_of_include(m.group(1))
                        if target is None or target == module:
                            continue
                        if target == "testing":
                            if not is_test:
                                failures.append(f"{path}:{number}: only tests include testing/: {line.strip()}")
                            continue
                        if LEVEL[target] >= level:
                            where = "above" if LEVEL[target] > level else "beside"
                            failures.append(
                                f"{path}:{number}: {module}/ includes {target}/, which is {where} it "
                                f"in the module order (DESIGN.md §1): {line.strip()}")
    for failure in failures:
        print(failure)
    print(f"{checked} files checked, {len(failures)} includes against the module order")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
