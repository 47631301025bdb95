#!/usr/bin/python3
"""The two builds do not drift (issue 13). Checks, and prints what differs:

1. Every .cc file in the repository is compiled by both builds: CMake (the compile_commands.json
   of throwaway configurations: the default one, the fuzz one and the TSan one, which between
   them compile everything) and Bazel (`bazel query` for the source files of //...). A file in
   one and not the other fails, as does a file in neither (dead code), except the few below
   that one build has on purpose.
2. The module arrows of DESIGN.md §1 hold in Bazel: no library of a module is visible to a module
   on the same or a lower level (bazel/module_order.bzl), so an upward dependency cannot build.
3. Both builds give the node the same version.

usage: check_build_drift.py   (from anywhere; needs cmake, clang++-14 and bazel)"""
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
from module_order_test import read_module_levels  # noqa: E402  (the order's one reader)

# Files only one build compiles, and why.
ONLY_IN_CMAKE = {
    "testing/tsan_absl_annotations.cc": "TSan builds only (the tsan preset); Bazel has no TSan configuration",
}
ONLY_IN_BAZEL = {}

# The CMake configurations that between them compile every source.
CMAKE_CONFIGURATIONS = {
    "default": [],
    "fuzz": ["-DCMAKE_CXX_COMPILER=clang++-14", "-DSWARMKV_FUZZ=ON", "-DSWARMKV_SANITIZE=ON"],
    "tsan": ["-DCMAKE_CXX_COMPILER=clang++-14", "-DSWARMKV_TSAN=ON"],
}


def run(args, **kwargs):
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        sys.exit(f"check_build_drift: {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def repository_sources():
    listed = run(["git", "ls-files", "*.cc"]).split()
    return {path for path in listed if os.path.exists(os.path.join(ROOT, path))}


def cmake_sources(scratch):
    sources = set()
    for name, options in CMAKE_CONFIGURATIONS.items():
        build = os.path.join(scratch, name)
        # Configuring writes compile_commands.json; nothing is compiled.
        run(["cmake", "-S", ROOT, "-B", build, "-G", "Ninja", "-DCMAKE_CXX_COMPILER_LAUNCHER="] + options)
        with open(os.path.join(build, "compile_commands.json")) as f:
            for entry in json.load(f):
                path = os.path.relpath(os.path.join(entry["directory"], entry["file"]), ROOT)
                if not path.startswith(".."):  # generated files live in the scratch tree
                    sources.add(path)
    return sources


def bazel_label_to_path(label):
    package, name = label[2:].split(":", 1)
    return f"{package}/{name}" if package else name


def bazel_sources():
    labels = run(["bazel", "query", "--noshow_progress", 'kind("source file", deps(//...))']).split()
    return {bazel_label_to_path(label) for label in labels if label.startswith("//") and label.endswith(".cc")}


def compare_sources(failures):
    in_repository = repository_sources()
    with tempfile.TemporaryDirectory(prefix="swarmkv-drift-") as scratch:
        in_cmake = cmake_sources(scratch)
    in_bazel = bazel_sources()
    for path in sorted(in_repository | in_cmake | in_bazel):
        cmake, bazel = path in in_cmake, path in in_bazel
        if cmake and not bazel and path not in ONLY_IN_CMAKE:
            failures.append(f"{path}: compiled by CMake, not by Bazel (add it to a BUILD.bazel)")
        elif bazel and not cmake and path not in ONLY_IN_BAZEL:
            failures.append(f"{path}: compiled by Bazel, not by CMake (add it to a CMakeLists.txt)")
        elif not cmake and not bazel:
            failures.append(f"{path}: compiled by neither build")
    for path in sorted(set(ONLY_IN_CMAKE) - (in_cmake - in_bazel)):
        failures.append(f"{path}: listed as CMake-only, but is not (update ONLY_IN_CMAKE)")
    print(f"check_build_drift: {len(in_repository)} .cc files; CMake compiles {len(in_cmake)}, "
          f"Bazel {len(in_bazel)}")


def check_visibility(failures):
    levels = read_module_levels(ROOT)
    checked = 0
    for module, level in levels.items():
        not_below = [other for other, other_level in levels.items()
                     if other != module and other_level >= level]
        if not not_below:
            continue
        universe = " + ".join(f"//{other}:all" for other in not_below)
        visible = run(["bazel", "query", "--noshow_progress",
                       f"kind(library, visible(//{module}:all, {universe}))"]).split()
        checked += len(not_below)
        for label in visible:
            failures.append(f"{label} is visible to //{module}, which is not above it "
                            "(DESIGN.md §1; bazel/swarmkv.bzl sets visibility)")
    # The check above must be able to fail: a module does see the modules below it.
    if not run(["bazel", "query", "--noshow_progress", "visible(//node:all, //base:swarmkv_base)"]).split():
        failures.append("//base:swarmkv_base is not visible to //node: the visibility query is broken")
    print(f"check_build_drift: module order checked for {checked} pairs of modules in Bazel")


def check_version(failures):
    with open(os.path.join(ROOT, "CMakeLists.txt")) as f:
        cmake = re.search(r"project\(swarmkv VERSION ([0-9.]+)", f.read()).group(1)
    with open(os.path.join(ROOT, "bazel", "version.bzl")) as f:
        bazel = re.search(r'SWARMKV_VERSION = "([^"]+)"', f.read()).group(1)
    if cmake != bazel:
        failures.append(f"version: CMakeLists.txt says {cmake}, bazel/version.bzl {bazel}")


def main():
    failures = []
    compare_sources(failures)
    check_visibility(failures)
    check_version(failures)
    for failure in failures:
        print(f"DRIFT: {failure}")
    print(f"check_build_drift: {'FAILED' if failures else 'the two builds agree'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
