#!/usr/bin/env bash
# Builds the swarmkv Docker images without any registry (none is reachable here, DESIGN §10):
#   swarmkv-base:bookworm  a minimal Debian 12 root made with debootstrap, holding exactly the
#                          runtime libraries the swarmkv binary links (made once, then reused)
#   swarmkv:latest         that base plus build/node/swarmkv
# usage: bash deploy/build-images.sh   (run from anywhere; needs root for debootstrap)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh >/dev/null
command -v debootstrap >/dev/null || apt-get install -y -q debootstrap >/dev/null
cmake --preset default >/dev/null
cmake --build --preset default --target swarmkv >/dev/null

# The Debian packages that own the binary's shared libraries (so the list never goes stale).
runtime_packages() {
  ldd build/node/swarmkv | awk '$3 ~ /^\// {print $3}' | while read -r lib; do
    dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib"
  done | cut -d: -f1 | sort -u | paste -sd, -
}

if ! docker image inspect swarmkv-base:bookworm >/dev/null 2>&1; then
  # The machine's own Debian mirror, only from its apt configuration (deb822 or one-line form):
  # no file here names a mirror host.
  mirror="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null \
            | awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}')"
  if [ -z "$mirror" ]; then
    mirror="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
              | awk '$1 == "deb" && $2 !~ /^\[/ && $2 !~ /security/ {print $2; exit}')"
  fi
  if [ -z "$mirror" ]; then
    echo "build-images: no Debian mirror in this machine's apt sources (/etc/apt/sources.list," \
         "/etc/apt/sources.list.d/); add the one apt should use, then run this again" >&2
    exit 1
  fi
  root="$(mktemp -d /tmp/swarmkv-rootfs.XXXXXX)"
  trap 'rm -rf "$root"' EXIT
  echo "debootstrap bookworm from $mirror (once; about a minute)"
  debootstrap --variant=minbase --include="$(runtime_packages)" bookworm "$root" "$mirror" \
    >/tmp/swarmkv-debootstrap.log
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" --numeric-owner -c . | docker import - swarmkv-base:bookworm >/dev/null
fi
docker build -q -t swarmkv:latest -f deploy/Dockerfile . >/dev/null
echo "built swarmkv:latest on swarmkv-base:bookworm"
