#!/bin/bash
# compare.sh - `make bench-compare`: Linux's allocators and ours on the same
# workloads, in the same session, on the same guest machine; then the table
# and the targets (compare.py kernel).
#
#   1. ../shared/bench/linux-reference/run.sh (Debian's 6.1 kernel, bench.ko;
#      about 1.5-2.5 min under TCG) -> build/bench/<date>-linux-<accel>.txt
#   2. run-kernel.sh with the ISO made for bench=* (`make bench`, about 1 min)
#      -> build/bench/<date>-<accel>.txt
#   3. compare.py kernel ours linux -> build/bench/<date>-compare-<accel>.txt
#
# With BOOTS=n (n > 1) steps 1 and 2 alternate n times (files get -1..-n) and
# every figure is the median over the boots: TCG figures move by up to 2x
# from one boot to the next on this machine (docs/BENCHMARKS.md), far more
# than within one boot.
#
# Environment: ACCEL (auto|tcg|kvm), ISO (default build/bench.iso), BOOTS,
# LINUX_REF (the run.sh to use).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BENCH_OUT=${BENCH_OUT:-build/bench}
LINUX_REF=${LINUX_REF:-../shared/bench/linux-reference/run.sh}
ACCEL=${ACCEL:-auto}
ISO=${ISO:-build/bench.iso}
BOOTS=${BOOTS:-1}
stamp=$(date +%Y-%m-%d)
mkdir -p "$BENCH_OUT"

[ -x "$LINUX_REF" ] || { echo "compare.sh: no Linux reference at $LINUX_REF" >&2; exit 1; }
case $BOOTS in '' | *[!0-9]* | 0) echo "compare.sh: BOOTS must be a positive number" >&2; exit 2 ;; esac

ours_files=""
linux_files=""
ours_status=0
laccel=tcg
oaccel=tcg
for i in $(seq 1 "$BOOTS"); do
	sfx=""
	[ "$BOOTS" -gt 1 ] && sfx="-$i"

	echo "== boot $i/$BOOTS: Linux 6.1 reference ($LINUX_REF)"
	linux_tmp=$BENCH_OUT/linux-run.tmp
	if ! ACCEL=$ACCEL LOG="$PWD/$BENCH_OUT/$stamp-linux-serial$sfx.log" "$LINUX_REF" | tee "$linux_tmp"; then
		echo "compare.sh: the Linux reference run failed or was incomplete" >&2
	fi
	grep -q '^# accelerator: kvm' "$linux_tmp" && laccel=kvm
	linux_out=$BENCH_OUT/$stamp-linux-$laccel$sfx.txt
	mv "$linux_tmp" "$linux_out"
	linux_files="$linux_files${linux_files:+,}$linux_out"

	echo "== boot $i/$BOOTS: this kernel (make bench)"
	ours_tmp=$BENCH_OUT/ours-run$sfx.tmp.txt
	ACCEL=$ACCEL ISO=$ISO OUT_FILE=$ours_tmp "$HERE/run-kernel.sh" || ours_status=$?
	grep -q '^# accelerator: kvm' "$ours_tmp" && oaccel=kvm
	ours_out=$BENCH_OUT/$stamp-$oaccel$sfx.txt
	mv "$ours_tmp" "$ours_out"
	mv "${ours_tmp%.txt}.log" "${ours_out%.txt}.log" 2>/dev/null || true
	ours_files="$ours_files${ours_files:+,}$ours_out"
done
[ "$oaccel" = "$laccel" ] || echo "compare.sh: WARNING: Linux ran under $laccel, ours under $oaccel: cycles do not compare" >&2

echo "== comparison"
table=$BENCH_OUT/$stamp-compare-$oaccel.txt
{
	echo "# bench-compare $(date -u +%Y-%m-%dT%H:%M:%SZ), $BOOTS boot(s) each: ours $ours_files; Linux $linux_files"
	python3 "$HERE/compare.py" kernel "$ours_files" "$linux_files"
} | tee "$table"
echo "compare.sh: table in $table" >&2
exit "$ours_status"
