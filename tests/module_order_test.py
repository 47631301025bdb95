#!/usr/bin/python3
"""DESIGN.md §1, checked: arrows point one way only. A module's code may include its own headers
and those of modules below it, never one above it or beside it:
  node -> gateway -> api -> {pubsub, records} -> replication -> {storage, rpc} -> crypto -> base
(the levels are in bazel/module_order.bzl, which the Bazel build's visibility also reads; rpc,
under the networking modules, sits beside storage). Generated proto headers ("swarmkv/...pb.h")
belong to rpc. Only tests (files named *_test.cc, and the testing/, tests/, bench/ and fuzz/
folders) may include testing/.
usage: module_order_test.py <repository root>"""
import ast
import os
import re
import sys


def read_module_levels(root):
    """The module order's one copy, which the Bazel build's visibility also reads."""
    with open(os.path.join(root, "bazel", "module_order.bzl")) as f:
        text = f.read()
    return ast.literal_eval(re.search(r"MODULE_LEVEL = (\{.*?\})", text, re.S).group(1))


INCLUDE = re.compile(r'^\s*#include\s+"([^"]+)"')


def module_of_include(path, levels):
    top = path.split("/", 1)[0]
    if top == "swarmkv" and path.endswith(".pb.h"):
        return "rpc"
    if top in levels or top == "testing":
        return top
    return None  # a system or third-party header


def main(root):
    levels = read_module_levels(root)
    failures = []
    checked = 0
    for module, level in levels.items():
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
                        target = module_of_include(m.group(1), levels)
                        if target is None or target == module:
                            continue
                        if target == "testing":
                            if not is_test:
                                failures.append(f"{path}:{number}: only tests include testing/: {line.strip()}")
                            continue
                        if levels[target] >= level:
                            where = "above" if levels[target] > level else "beside"
                            failures.append(
                                f"{path}:{number}: {module}/ includes {target}/, which is {where} it "
                                f"in the module order (DESIGN.md §1): {line.strip()}")
    for failure in failures:
        print(failure)
    print(f"{checked} files checked, {len(failures)} includes against the module order")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
