#!/bin/bash
# run-kernel.sh - `make bench`: boot the kernel with bench=<glob> (and no
# ktest) on the guest machine of shared/bench/WORKLOADS.md and keep what it
# prints.
#
# The guest: QEMU -smp 2 -m 1G; KVM (-accel kvm -cpu host) only when the host
# CPU shows vmx or svm and /dev/kvm is usable, else TCG (-accel
# tcg,thread=multi -cpu max,la57=off): the flags linux-reference/run.sh uses.
# The ISO (build/bench.iso, made by the top Makefile's ISO rule) has the
# command line bench=<glob> baked into its grub.cfg.
#
# Output: a header (host, QEMU, accelerator) and the kernel's "# ...", "bench
# ..." and "stat ..." lines, printk timestamps removed, on standard output and
# in build/bench/<date>-<accel>.txt; the raw serial log next to it (.log).
# Exit status 0 when the kernel reported success.
#
# Environment: ISO (default build/bench.iso), BENCH (the glob baked into it,
# for the header; default *), ACCEL (auto|tcg|kvm), KERNEL_ELF (for the
# header), BENCH_OUT (default build/bench), TIME_LIMIT (seconds, default 900),
# OUT_FILE (override the result file's name).
set -euo pipefail

BENCH=${BENCH:-*}
ACCEL=${ACCEL:-auto}
ISO=${ISO:-build/bench.iso}
KERNEL_ELF=${KERNEL_ELF:-build/kernel.elf}
BENCH_OUT=${BENCH_OUT:-build/bench}
TIME_LIMIT=${TIME_LIMIT:-900}

# shellcheck source=tests/bench/steal.sh
. "$(dirname "$0")/steal.sh"

die() { echo "run-kernel.sh: $*" >&2; exit 1; }
[ -r "$ISO" ] || die "no ISO at $ISO (make build/bench.iso BENCH=...)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found"

accel=tcg
note=""
if [ "$ACCEL" = kvm ] || [ "$ACCEL" = auto ]; then
	if ! grep -qwE 'vmx|svm' /proc/cpuinfo; then
		note="no vmx/svm flag on the host CPU: /dev/kvm (if any) cannot run this guest"
		[ "$ACCEL" = kvm ] && die "KVM requested but $note"
	elif [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		accel=kvm
	else
		note="/dev/kvm missing or not accessible"
		[ "$ACCEL" = kvm ] && die "KVM requested but $note"
	fi
fi
if [ $accel = kvm ]; then
	accel_flags=(-accel kvm -cpu host)
	accel_desc="kvm (-accel kvm -cpu host): cycles are real TSC ticks"
else
	accel_flags=(-accel tcg,thread=multi -cpu max,la57=off)
	accel_desc="tcg (-accel tcg,thread=multi -cpu max,la57=off): guest TSC = host TSC, so cycles are host TSC ticks of emulation; compare only with TCG figures of the same machine, best in the same session"
fi

mkdir -p "$BENCH_OUT"
stamp=$(date +%Y-%m-%d)
OUT_FILE=${OUT_FILE:-$BENCH_OUT/$stamp-$accel.txt}
LOG=${OUT_FILE%.txt}.log

work=$(mktemp -d /tmp/kbench.XXXXXX)
qpid=""
cleanup() {
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid" 2>/dev/null || true
		wait "$qpid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- boot
header() {
	echo "# kernel-bench $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "# accelerator: $accel_desc"
	[ -n "$note" ] && echo "# accelerator note: $note"
	echo "# host: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores, $(uname -r); $(qemu-system-x86_64 --version | head -1)"
	echo "# qemu: ${qemu_args[*]}"
	echo "# host load at start (1/5/15 min): $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs (other work on the host inflates and scatters TCG figures)"
	echo "# kernel: $KERNEL_ELF ($(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- 2>/dev/null || echo ', uncommitted changes')), command line: $(cat "${ISO%.iso}.iso.cmdline" 2>/dev/null || echo "bench=$BENCH")"
}
qemu_args=("${accel_flags[@]}" -smp 2 -m 1G -cdrom "$ISO" -boot d
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
	-display none -serial "file:$LOG" -monitor none -no-reboot)
header | tee "$work/header.txt"
rm -f "$LOG" # QEMU creates it; the loop below must not stream an old one
t0=$(date +%s)
steal0=$(steal_sample)
qemu-system-x86_64 "${qemu_args[@]}" </dev/null >"$work/qemu.out" 2>&1 &
qpid=$!

# stream the interesting lines while the guest runs
clean() { tr -d '\r' | sed -E 's/^\[ *[0-9]+\.[0-9]+\] //'; }
shown=0
status=""
while :; do
	if [ -f "$LOG" ]; then
		n=$(wc -l <"$LOG")
		if [ "$n" -gt "$shown" ]; then
			sed -n "$((shown + 1)),${n}p" "$LOG" | clean | grep -E '^(bench |# )' || true
			shown=$n
		fi
	fi
	if ! kill -0 "$qpid" 2>/dev/null; then
		set +e
		wait "$qpid"
		status=$?
		set -e
		qpid=""
		break
	fi
	if [ $(($(date +%s) - t0)) -ge "$TIME_LIMIT" ]; then
		kill "$qpid" 2>/dev/null || true
		wait "$qpid" 2>/dev/null || true
		qpid=""
		status=timeout
		break
	fi
	sleep 1
done
elapsed=$(($(date +%s) - t0))

# ---- the result file
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
steal=$(steal_percent "$steal0" "$(steal_sample)")
case $status in
33) verdict="# complete in ${elapsed}s (QEMU boot to exit); host load at the end: $load_end; host CPU time stolen by its hypervisor during the boot: ${steal}%" ;;
timeout) verdict="# INCOMPLETE: killed after ${TIME_LIMIT}s; see $LOG" ;;
35) verdict="# kernel reported failure (QEMU exit 35) after ${elapsed}s; see $LOG" ;;
*) verdict="# kernel did not report (QEMU exit $status) after ${elapsed}s; see $LOG" ;;
esac
{
	cat "$work/header.txt"
	clean <"$LOG" | grep -E '^(# |bench |stat )' || true
	echo "$verdict"
} >"$OUT_FILE"
echo "$verdict"
echo "run-kernel.sh: figures in $OUT_FILE, serial log in $LOG" >&2
[ "$status" = 33 ]
