#!/bin/bash
# Makes the Dockerfile's base image, debian:bookworm, from Debian's packages where no image
# registry is reachable: debootstrap a minimal bookworm root file system from the mirror
# this machine's apt already uses, and `docker import` it under that tag. Where a registry
# is reachable, `docker pull debian:bookworm` gives the same tag and this is not needed.
#
#   tools/container/make_base_image.sh [TAG]     (default debian:bookworm; needs root)
set -euo pipefail
tag="${1:-debian:bookworm}"
# debootstrap lives in /usr/sbin, which a test's PATH lacks.
export PATH="$PATH:/usr/sbin:/sbin"
command -v debootstrap >/dev/null || { echo "make_base_image: needs Debian's debootstrap (apt-get install debootstrap)" >&2; exit 1; }
command -v docker >/dev/null || { echo "make_base_image: needs a docker client and a running engine" >&2; exit 1; }

# The first Debian mirror in apt's sources (deb822 or one-line format).
mirror="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}')"
[[ -n "$mirror" ]] || mirror="$(awk '/^deb / && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)"
[[ -n "$mirror" ]] || { echo "make_base_image: no Debian mirror in /etc/apt/sources.list(.d)" >&2; exit 1; }

rootfs="$(mktemp -d /tmp/tinyml-rootfs.XXXXXX)"
trap 'rm -rf "$rootfs"' EXIT
echo "make_base_image: debootstrap bookworm from $mirror into $rootfs" >&2
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 || {
    tail -20 "$rootfs.log" >&2
    echo "make_base_image: debootstrap failed (log: $rootfs.log)" >&2
    exit 1
}
# The same apt sources (suites, security and updates included) as this machine, so that
# the container installs the same package versions: the toolchains decide the bytes.
if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
    rm -f "$rootfs/etc/apt/sources.list"
    cp /etc/apt/sources.list.d/*.sources "$rootfs/etc/apt/sources.list.d/"
elif [[ -f /etc/apt/sources.list ]]; then
    cp /etc/apt/sources.list "$rootfs/etc/apt/sources.list"
fi
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar --numeric-owner -C "$rootfs" -c . | docker import - "$tag" >/dev/null
echo "make_base_image: imported $tag" >&2
