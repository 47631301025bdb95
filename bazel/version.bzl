"""The version the node reports (Info, STATS answers): CMakeLists.txt's project(VERSION), which
scripts/check_build_drift.py keeps equal to this."""

SWARMKV_VERSION = "0.1.0"
