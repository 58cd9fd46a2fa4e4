#!/bin/sh
# host-bench.sh - `make bench-host`: run the hosted benchmark binaries one
# after the other (never two at once: they would share the host's cores),
# keep each one's output, print the comparison table (compare.py host) and the
# fast-path instruction counts (insns.py, callgrind).
#
# Usage: host-bench.sh build/bench/host_bench_mm build/bench/host_bench_<malloc>...
# (the first one is ours). BENCH=<glob> restricts the workloads; ROUNDS=<n>
# (default 5) sets how many times each binary runs (median per figure).
# Each run's share of host CPU time stolen by the hypervisor is printed
# beside it (steal.sh): a run with much steal is slower than the code.
set -eu

[ $# -ge 1 ] || { echo "usage: $0 host_bench_mm [host_bench_other...]" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bench/steal.sh
. "$HERE/steal.sh"
OUT=${BENCH_OUT:-build/bench}
STAMP=$(date +%Y-%m-%d)
DIR=$OUT/host-$STAMP
mkdir -p "$DIR"
GLOB=${BENCH:-*}

{
	echo "# bench-host $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "# host: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs, $(uname -r)"
	echo "# compiler: $(${BENCH_HOSTCC:-gcc} --version | head -1); -O2, no sanitizers"
	echo "# load before the run: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the host skews ns figures)"
} | tee "$DIR/header.txt"

# Round-robin: every allocator once per round, ROUNDS rounds; each figure is
# the median over the rounds. The host's speed drifts (a shared machine), and
# rounds spread that drift over all allocators instead of favouring whichever
# ran in a fast minute.
ROUNDS=${ROUNDS:-5}
all0=$(steal_sample)
for r in $(seq 1 "$ROUNDS"); do
	for bin in "$@"; do
		name=$(basename "$bin" | sed 's/^host_bench_//')
		s0=$(steal_sample)
		"$bin" "$GLOB" >"$DIR/$name-$r.txt" || echo "host-bench: $bin failed (exit $?)" >&2
		echo "== round $r/$ROUNDS: $name (host CPU time stolen by its hypervisor: $(steal_percent "$s0" "$(steal_sample)")%)" >&2
		[ "$r" = 1 ] && grep '^#' "$DIR/$name-$r.txt" | head -1
	done
done
echo "# host CPU time stolen by its hypervisor over all rounds: $(steal_percent "$all0" "$(steal_sample)")%" | tee -a "$DIR/header.txt"
files=""
for bin in "$@"; do
	name=$(basename "$bin" | sed 's/^host_bench_//')
	list=""
	for r in $(seq 1 "$ROUNDS"); do list="$list${list:+,}$DIR/$name-$r.txt"; done
	files="$files $name=$list"
done

echo
# shellcheck disable=SC2086
python3 "$HERE/compare.py" host $files | tee "$DIR/table.txt"

echo
echo "# instructions per fast-path pair (valgrind --tool=callgrind, exact counts):"
if command -v valgrind >/dev/null; then
	for bin in "$@"; do
		name=$(basename "$bin" | sed 's/^host_bench_//')
		case $name in
		mm) kinds="kmalloc64 alt64-96 batch64 free256-local free256-remote cache192 page0" ;;
		*) kinds="kmalloc64 alt64-96 batch64 free256-local free256-remote" ;;
		esac
		# shellcheck disable=SC2086
		python3 "$HERE/insns.py" --label "$name" "$bin" $kinds
	done | tee "$DIR/insns.txt"
	python3 "$HERE/compare.py" insns "$DIR/insns.txt"
else
	echo "# valgrind missing: no instruction counts"
fi
echo "# outputs kept in $DIR/"
