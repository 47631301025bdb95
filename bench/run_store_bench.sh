#!/usr/bin/env bash
# Prints the store benchmark table (issue #2 §6): the sealed, verified BlockStore beside raw
# RocksDB with the same options, measured in one run, and content put/get of a 1 GiB stream with
# peak RSS. Medians of interleaved rounds. Usage: bash bench/run_store_bench.sh [GiB for content]
set -euo pipefail
cd "$(dirname "$0")/.."
content_gib="${1:-1}"

bash scripts/install-deps.sh >/dev/null
cmake --preset default >/dev/null
cmake --build --preset default --target store_bench >/dev/null
bench=build/bench/store_bench
work="$(mktemp -d /tmp/swarmkv-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

echo "swarmkv store benchmark — $(nproc) cores, $(date -u +%FT%TZ), data in $work"
echo
# Raw gets verify RocksDB's CRC32C (its default, and raw RocksDB's only integrity check). Sealed
# gets skip it: the AEAD tag and the re-hash to the CID check every byte instead. The last two
# columns show raw gets without the CRC too, i.e. with no integrity check at all.
echo "| block | sync | ops | raw put/s | sealed put/s | put ratio | raw get/s | sealed get/s | get ratio | sealed put MB/s | sealed get MB/s | raw get/s, no CRC | ratio to it |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
run() {  # size sync count
  read -r size sync count rp rg sp sg rgn < <("$bench" blocks --size "$1" --sync "$2" --count "$3" --rounds 3 --dir "$work")
  awk -v size="$size" -v sync="$sync" -v count="$count" -v rp="$rp" -v rg="$rg" -v sp="$sp" -v sg="$sg" -v rgn="$rgn" 'BEGIN {
    printf "| %s | %s | %d | %.0f | %.0f | **%.2f** | %.0f | %.0f | **%.2f** | %.1f | %.1f | %.0f | %.2f |\n",
      (size >= 1024*1024 ? size/1048576 " MiB" : size/1024 " KiB"), (sync ? "on" : "off"), count,
      rp, sp, sp/rp, rg, sg, sg/rg, sp*size/1e6, sg*size/1e6, rgn, sg/rgn }'
}
run 1024 0 100000
run 1024 1 4000
run 262144 0 2000
run 262144 1 600

# Not the default: reads that rely on the at-rest AEAD tag alone (verify_hash_on_read = false),
# as Kubo does by default (Datastore.HashOnRead = false). For the planner's decision on issue #2.
echo
echo "Reads without the re-hash to the CID (\`verify_hash_on_read = false\`; the AEAD tag still checks every byte):"
echo
echo "| block | raw get/s | sealed get/s | get ratio |"
echo "|---|---|---|---|"
for spec in "1024 100000" "262144 2000"; do
  read -r size count <<<"$spec"
  read -r _ _ _ _ rg _ sg _ < <("$bench" blocks --size "$size" --sync 0 --count "$count" --rounds 3 --hash-on-read 0 --dir "$work")
  awk -v size="$size" -v rg="$rg" -v sg="$sg" 'BEGIN {
    printf "| %s | %.0f | %.0f | **%.2f** |\n", (size >= 1024*1024 ? size/1048576 " MiB" : size/1024 " KiB"), rg, sg, sg/rg }'
done

echo
echo "| content | mode | put MB/s | put peak RSS | get MB/s | get peak RSS |"
echo "|---|---|---|---|---|---|"
bytes=$((content_gib * 1024 * 1024 * 1024))
for mode in random plain; do
  dir="$work/content-$mode"
  read -r put_mbs put_rss < <("$bench" content-put --dir "$dir" --bytes "$bytes" --mode "$mode")
  sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  read -r get_mbs get_rss < <("$bench" content-get --dir "$dir")
  printf "| %s GiB | %s | %s | %s MiB | %s | %s MiB |\n" "$content_gib" "$mode" "$put_mbs" \
    "$((put_rss / 1024))" "$get_mbs" "$((get_rss / 1024))"
  rm -rf "$dir"
done
