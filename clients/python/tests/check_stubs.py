#!/usr/bin/python3
"""Fails when the committed stubs in swarmkv/v1 differ from what generate_stubs.sh writes from
rpc/proto/swarmkv/v1/node.proto today (someone changed the API and did not regenerate them).
Run by ctest `python_client_stubs`."""
import filecmp
import os
import subprocess
import sys
import tempfile

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    with tempfile.TemporaryDirectory(prefix="skv-stubs-") as out:
        subprocess.run(["bash", os.path.join(PACKAGE, "generate_stubs.sh"), out], check=True)
        stale = [name for name in ("node_pb2.py", "node_pb2_grpc.py")
                 if not filecmp.cmp(os.path.join(out, "swarmkv", "v1", name),
                                    os.path.join(PACKAGE, "swarmkv", "v1", name), shallow=False)]
    if stale:
        print(f"stale: {', '.join(stale)} in clients/python/swarmkv/v1; "
              "run bash clients/python/generate_stubs.sh")
        return 1
    print("the stubs match node.proto")
    return 0


if __name__ == "__main__":
    sys.exit(main())
