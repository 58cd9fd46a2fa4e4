#!/bin/sh
# install-allocators.sh - make sure the allocators `make bench-host` compares
# with are installed: Debian's jemalloc, tcmalloc (gperftools) and mimalloc
# development packages, plus valgrind for the instruction counts. Installs
# only what is missing (apt-get; as root or through sudo). Exit status 0 when
# everything is present afterwards.
set -eu

need=""
for pkg in libjemalloc-dev libgoogle-perftools-dev libmimalloc-dev valgrind; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
		need="$need $pkg"
done
[ -z "$need" ] && exit 0

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
echo "install-allocators:$need (apt-get)" >&2
$SUDO apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need >&2
