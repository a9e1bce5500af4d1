#!/bin/bash
# Installs what the build needs on a Debian bookworm machine (or container image):
# the Debian packages in tools/debian-packages.txt, then, unless --packages-only, has
# Bazel create the locked Python environment (third_party/python/requirements_lock.txt).
#
#   tools/setup.sh [--packages-only] [--quiet]
#
# Safe to run again: it only installs what is missing. Needs root (or sudo) to install.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
packages_only=false
quiet=false
for arg in "$@"; do
    case "$arg" in
        --packages-only) packages_only=true ;;
        --quiet) quiet=true ;;
        *) echo "setup.sh: unknown argument '$arg' (use --packages-only, --quiet)" >&2; exit 2 ;;
    esac
done
say() { $quiet || echo "setup: $*" >&2; }

mapfile -t wanted < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$root/tools/debian-packages.txt")

missing=()
for package in "${wanted[@]}"; do
    status="$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)"
    [[ "$status" == "installed" ]] || missing+=("$package")
done

if ((${#missing[@]})); then
    say "installing Debian packages: ${missing[*]}"
    if [[ $(id -u) -eq 0 ]]; then
        sudo=()
    elif command -v sudo >/dev/null; then
        sudo=(sudo)
    else
        echo "setup: missing Debian packages (${missing[*]}) and no root or sudo to install them" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    for package in "${missing[@]}"; do
        candidate="$(apt-cache policy "$package" 2>/dev/null | awk '/Candidate:/ {print $2}')"
        if [[ -z "$candidate" || "$candidate" == "(none)" ]]; then
            echo "setup: Debian package '$package' cannot be installed: no candidate in the configured apt sources (this project expects Debian bookworm)" >&2
            exit 1
        fi
    done
    if ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/tinyml-setup-apt.log 2>&1; then
        tail -20 /tmp/tinyml-setup-apt.log >&2
        echo "setup: apt-get install failed for: ${missing[*]} (log: /tmp/tinyml-setup-apt.log)" >&2
        exit 1
    fi
    say "Debian packages installed"
fi

if ! $packages_only; then
    say "creating the locked Python environment, the Rust repository and the cache server (bazel fetch)"
    (cd "$root" && /usr/bin/bazel fetch @py_env//:all @rust_system//:all @grpc_cache//:all)
fi
