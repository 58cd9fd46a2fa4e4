#!/bin/sh
# tests/install-deps.sh - make sure the tools to build, boot and test the
# kernel are installed; install the missing ones with apt-get (Debian/Ubuntu).
#
#   tests/install-deps.sh          build + boot + test tools
#   tests/install-deps.sh lint     also clang-format and cppcheck
#
# Fast when everything is present (`command -v`, a directory test, and
# clang asked where its libFuzzer runtime is).
# Uses sudo when not root. Exits non-zero, saying what to install by hand,
# when installing is impossible.
set -u

need_pkgs=""

# need COMMAND PACKAGE: queue PACKAGE when COMMAND is missing.
need() {
	if ! command -v "$1" >/dev/null 2>&1; then
		case " $need_pkgs " in
		*" $2 "*) ;;
		*) need_pkgs="$need_pkgs $2" ;;
		esac
	fi
}

need gcc gcc
need ld binutils
need nm binutils
need make make
need awk gawk
need python3 python3
need qemu-system-x86_64 qemu-system-x86
need grub-mkrescue grub-common
need grub-file grub-common
need xorriso xorriso
need mformat mtools
# grub-mkrescue needs the BIOS GRUB image files, not a command.
if [ ! -d /usr/lib/grub/i386-pc ]; then
	need_pkgs="$need_pkgs grub-pc-bin"
fi
# The fuzzers (tests/fuzz, which make test runs briefly) need clang, and its
# libFuzzer runtime, which Debian packages apart (libclang-rt-<version>-dev,
# below, once clang is there to say its version).
need clang clang
if [ "${1:-}" = lint ]; then
	need clang-format clang-format
	need cppcheck cppcheck
fi

# have_fuzzer_runtime: clang finds libclang_rt.fuzzer (named per architecture
# up to clang 15, per target directory after).
have_fuzzer_runtime() {
	for lib in libclang_rt.fuzzer-x86_64.a libclang_rt.fuzzer.a; do
		[ -f "$(clang -print-file-name=$lib 2>/dev/null)" ] && return 0
	done
	return 1
}

# install PACKAGE...: apt-get them (through sudo when not root); 0 on success.
install() {
	echo "install-deps: missing packages: $*" >&2
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "install-deps: no apt-get on this system; please install the equivalents of: $*" >&2
		return 1
	fi
	if [ "$(id -u)" = 0 ]; then
		SUDO=""
	elif command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "install-deps: not root and no sudo; please run as root: apt-get install $*" >&2
		return 1
	fi
	if $SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "$@"; then
		echo "install-deps: installed: $*" >&2
		return 0
	fi
	echo "install-deps: apt-get failed; please install by hand: $*" >&2
	return 1
}

if [ -n "$need_pkgs" ]; then
	# shellcheck disable=SC2086 # word splitting of the package list is intended
	install $need_pkgs || exit 1
fi
if command -v clang >/dev/null 2>&1 && ! have_fuzzer_runtime; then
	install "libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev" || exit 1
fi
exit 0
