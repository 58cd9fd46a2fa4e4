#!/bin/bash
# compare.sh - `make bench-compare`: Linux's allocators and ours on the same
# workloads, in the same session, on the same guest machine; then the table
# and the targets (compare.py kernel).
#
#   1. ../shared/bench/linux-reference/run.sh (Debian's 6.1 kernel, bench.ko;
#      about 1.5 min under TCG) -> build/bench/<date>-linux-<accel>.txt
#   2. run-kernel.sh with bench=* (`make bench`) -> build/bench/<date>-<accel>.txt
#   3. compare.py kernel ours linux -> build/bench/<date>-compare-<accel>.txt
#
# Environment: ACCEL (auto|tcg|kvm), KERNEL_ELF, LINUX_REF (the run.sh to use).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BENCH_OUT=${BENCH_OUT:-build/bench}
LINUX_REF=${LINUX_REF:-../shared/bench/linux-reference/run.sh}
ACCEL=${ACCEL:-auto}
stamp=$(date +%Y-%m-%d)
mkdir -p "$BENCH_OUT"

[ -x "$LINUX_REF" ] || { echo "compare.sh: no Linux reference at $LINUX_REF" >&2; exit 1; }

echo "== 1/3 Linux 6.1 reference ($LINUX_REF)"
linux_tmp=$BENCH_OUT/linux-run.tmp
if ! ACCEL=$ACCEL LOG="$PWD/$BENCH_OUT/$stamp-linux-serial.log" "$LINUX_REF" | tee "$linux_tmp"; then
	echo "compare.sh: the Linux reference run failed or was incomplete" >&2
fi
laccel=tcg
grep -q '^# accelerator: kvm' "$linux_tmp" && laccel=kvm
linux_out=$BENCH_OUT/$stamp-linux-$laccel.txt
mv "$linux_tmp" "$linux_out"

echo "== 2/3 this kernel (make bench)"
ours_status=0
BENCH='*' ACCEL=$ACCEL "$HERE/run-kernel.sh" || ours_status=$?
ours_out=""
for f in "$BENCH_OUT/$stamp-tcg.txt" "$BENCH_OUT/$stamp-kvm.txt"; do
	if [ -f "$f" ] && { [ -z "$ours_out" ] || [ "$f" -nt "$ours_out" ]; }; then
		ours_out=$f
	fi
done
[ -n "$ours_out" ] || { echo "compare.sh: make bench left no figures" >&2; exit 1; }
oaccel=$(basename "$ours_out" .txt | sed 's/.*-//')
[ "$oaccel" = "$laccel" ] || echo "compare.sh: WARNING: Linux ran under $laccel, ours under $oaccel: cycles do not compare" >&2

echo "== 3/3 comparison"
table=$BENCH_OUT/$stamp-compare-$oaccel.txt
{
	echo "# bench-compare $(date -u +%Y-%m-%dT%H:%M:%SZ): ours $ours_out, Linux $linux_out"
	python3 "$HERE/compare.py" kernel "$ours_out" "$linux_out"
} | tee "$table"
echo "compare.sh: table in $table" >&2
exit "$ours_status"
