#!/bin/bash
# A real Remote Execution API service on loopback, for tools/remote_exec_check.sh:
# BuildGrid (PyPI, pinned with hashes in requirements_lock.txt) with its PostgreSQL
# scheduler (Debian's postgresql-15) in a temporary directory. Runs until Ctrl-C.
#
#   tools/remote_exec/local_buildgrid.sh [PORT]     (default 50051)
#   TINYML_REAPI_ENDPOINT=grpc://127.0.0.1:50051 tools/remote_exec_check.sh
#
# It answers Bazel's capability query and accepts actions; running them needs a BuildGrid
# worker (buildbox-worker with buildbox-run-hosttools), which no registry here ships.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
port="${1:-50051}"
pg_bin=/usr/lib/postgresql/15/bin
[[ -x "$pg_bin/initdb" ]] || { echo "local_buildgrid: needs Debian's postgresql-15 (apt-get install postgresql-15)" >&2; exit 1; }
[[ -x /usr/bin/python3.11 ]] || { echo "local_buildgrid: needs Debian's python3.11 and python3-venv" >&2; exit 1; }

venv="${XDG_CACHE_HOME:-$HOME/.cache}/tinyml-buildgrid/venv"
if [[ ! -x "$venv/bin/bgd" ]]; then
    echo "local_buildgrid: installing BuildGrid into $venv (requirements_lock.txt, hashes checked)" >&2
    /usr/bin/python3.11 -m venv "$venv"
    "$venv/bin/pip" install -q --require-hashes --no-deps -r "$here/requirements_lock.txt"
fi

work="$(mktemp -d /tmp/tinyml-buildgrid.XXXXXX)"
pg_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# PostgreSQL refuses to run as root: the cluster belongs to `postgres` when we are root.
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
    chown postgres "$work"
    as_pg=(runuser -u postgres --)
fi
cleanup() {
    [[ -n "${server:-}" ]] && kill "$server" 2>/dev/null || true
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
"${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
    -o "-k $work -p $pg_port -c listen_addresses=127.0.0.1" start >/dev/null
"$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -q \
    -c "create user bgd password 'bgd'" -c "create database bgd owner bgd"
"$venv/bin/bgd" migrate apply "postgresql://bgd:bgd@127.0.0.1:$pg_port/bgd" >/dev/null

mkdir -p "$work/cas"
sed -e "s|@PORT@|$port|" -e "s|@PGPORT@|$pg_port|" -e "s|@DIR@|$work|" "$here/buildgrid.yml.in" >"$work/buildgrid.yml"
"$venv/bin/bgd" server start "$work/buildgrid.yml" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.2
done
echo "BuildGrid at grpc://127.0.0.1:$port (log: $work/server.log); Ctrl-C stops it"
echo "  TINYML_REAPI_ENDPOINT=grpc://127.0.0.1:$port tools/remote_exec_check.sh"
wait "$server"
