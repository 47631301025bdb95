#!/usr/bin/python3
"""Installs the Python client as a user would on Debian 12 (a virtual environment that sees the
system's grpcio and protobuf, `pip install` with no network) and runs test_client.py with it
against real daemons. Run by ctest `python_client`.

usage: install_and_test.py /path/to/swarmkv
"""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.dirname(HERE)
FIXTURES = os.path.join(PACKAGE, "..", "..", "tests")


def main():
    swarmkv = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="skv-py-") as tmp:
        # Build from a copy: setuptools writes build/ and *.egg-info next to the sources.
        source = os.path.join(tmp, "source")
        shutil.copytree(PACKAGE, source, ignore=shutil.ignore_patterns("tests", "__pycache__"))
        venv = os.path.join(tmp, "venv")
        subprocess.run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", venv],
                       check=True)
        python = os.path.join(venv, "bin", "python")
        subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-index",
                        "--no-build-isolation", source], check=True)
        env = {**os.environ, "SWARMKV": swarmkv, "SWARMKV_FIXTURES": os.path.abspath(FIXTURES)}
        # From the temporary directory, so `import swarmkv` can only find the installed package.
        result = subprocess.run([python, os.path.join(HERE, "test_client.py"), "-v"], env=env,
                                cwd=tmp)
        return result.returncode


if __name__ == "__main__":
    sys.exit(main())
