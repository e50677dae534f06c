#!/usr/bin/env bash
# Start the local PostgreSQL server (Debian's postgresql package, see install-system-deps.sh) and
# make sure the test role and database exist; print the SQLAlchemy URL of that database on stdout
# (the store tests read it from ASSAY_TEST_POSTGRES_URL). Needs root (or sudo).
set -euo pipefail
role="${ASSAY_PG_ROLE:-assay}"
password="${ASSAY_PG_PASSWORD:-assay}"
database="${ASSAY_PG_DATABASE:-assay_test}"
as_root=()
if [ "$(id -u)" -ne 0 ]; then as_root=(sudo); fi
as_postgres() { "${as_root[@]}" su postgres -s /bin/sh -c "$1"; }

if ! command -v pg_lsclusters >/dev/null; then
  echo "start-postgres: PostgreSQL is not installed (run scripts/install-system-deps.sh)" >&2
  exit 1
fi
read -r version cluster port status _ < <(pg_lsclusters --no-header | head -n 1) || true
if [ -z "${version:-}" ]; then
  version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
  cluster=main
  "${as_root[@]}" pg_createcluster "$version" "$cluster" >&2
  read -r version cluster port status _ < <(pg_lsclusters --no-header | head -n 1)
fi
if [ "$status" != "online" ]; then
  "${as_root[@]}" pg_ctlcluster "$version" "$cluster" start >&2
fi
for _ in $(seq 1 30); do
  as_postgres "pg_isready -q -p $port" && break
  sleep 1
done
psql_cmd="psql -p $port -v ON_ERROR_STOP=1 -qtAX"
if [ "$(as_postgres "$psql_cmd -c \"SELECT 1 FROM pg_roles WHERE rolname = '$role'\"")" != "1" ]; then
  as_postgres "$psql_cmd -c \"CREATE ROLE $role LOGIN PASSWORD '$password'\"" >&2
fi
if [ "$(as_postgres "$psql_cmd -c \"SELECT 1 FROM pg_database WHERE datname = '$database'\"")" != "1" ]; then
  as_postgres "$psql_cmd -c \"CREATE DATABASE $database OWNER $role\"" >&2
fi
echo "postgresql+psycopg://$role:$password@127.0.0.1:$port/$database"
