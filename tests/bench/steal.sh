# shellcheck shell=sh
# steal.sh - sourced by the benchmark runners: how much of the host's CPU
# time its hypervisor gave to others while a run went on. This machine is a
# VM; "steal" in /proc/stat counts the time its virtual CPUs were ready to
# run but not running. Every benchmark figure here is a time, so a run with
# much steal is slower and more scattered than the code it measures.

# Print "<steal ticks> <all ticks>" summed over the host's CPUs.
steal_sample() {
	awk '/^cpu /{ t = 0; for (i = 2; i <= NF; i++) t += $i; print $9, t; exit }' /proc/stat
}

# steal_percent "<sample before>" "<sample after>": steal as a percentage
# of all CPU time in between, one decimal.
steal_percent() {
	echo "$1 $2" | awk '{ d = $4 - $2; printf "%.1f", (d > 0 ? 100 * ($3 - $1) / d : 0) }'
}
