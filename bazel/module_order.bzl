"""DESIGN.md §1, the one copy of the module order. Read by the Bazel build (visibility) and by
tests/module_order_test.py (includes). A module may use the modules on lower levels only; two
modules on one level may not use each other:
  node -> gateway -> api -> {pubsub, records} -> replication -> {storage, rpc} -> crypto -> base
Generated proto code belongs to rpc."""

MODULE_LEVEL = {
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

# Folders outside the order: tests, simulators, benchmarks and fuzz targets may use every module.
USERS_OF_EVERY_MODULE = ["testing", "tests", "bench", "fuzz"]
