#!/usr/bin/env bash
# Shared helpers for test/run_all.sh and test/demo.sh: packages, build,
# throwaway clusters.  Sourced, not run.

PGBIN=/usr/lib/postgresql/15/bin
PG_CONFIG=$PGBIN/pg_config
APT_PACKAGES="build-essential postgresql-15 postgresql-server-dev-15 postgresql-contrib
  libzstd-dev liblz4-dev postgresql-15-cron libipc-run-perl python3 python3-psycopg2
  clang libclang-rt-14-dev valgrind prometheus-postgres-exporter curl"

log() { printf '\n== %s\n' "$*"; }

install_packages() {
  if [ "$(id -u)" != 0 ]; then
    log "not root: assuming these packages are installed: $APT_PACKAGES"
    return 0
  fi
  log "installing Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $APT_PACKAGES >/dev/null
}

build_install() {
  log "building and installing cocoon"
  make -C "$REPO" -s -j2 PG_CONFIG="$PG_CONFIG"
  if [ "$(id -u)" = 0 ]; then
    make -C "$REPO" -s install PG_CONFIG="$PG_CONFIG" >/dev/null
  else
    sudo make -C "$REPO" -s install PG_CONFIG="$PG_CONFIG" >/dev/null
  fi
}

# free_port [FROM]: the first port from FROM up that nothing answers on.
# Callers start below 32768, under Linux's ephemeral range (32768-60999),
# so that an outgoing connection's local port cannot take it meanwhile.
free_port() {
  local p
  for p in $(seq "${1:-25432}" 32767); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"; return 0
    fi
  done
  return 1
}

# run a command as the postgres user when root (initdb refuses root)
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    su postgres -s /bin/bash -c "$*"
  else
    bash -c "$*"
  fi
}

# start_cluster DIR PORT: initdb + start on 127.0.0.1:PORT, socket in DIR.
# shared_buffers is $COCOON_SHARED_BUFFERS (default 256MB).  If the server
# does not come up, its log is printed; a port taken meanwhile by someone
# else, or shared memory refused, is retried (next free port, smaller
# shared_buffers) before giving up.  The port used is left in DIR/port.
start_cluster() {
  local dir=$1 port=$2 sb=${COCOON_SHARED_BUFFERS:-256MB} try
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  if ! as_pg "$PGBIN/initdb -D '$dir/data' -A trust -U postgres ${INITDB_OPTS:---data-checksums} >'$dir/initdb.log' 2>&1"; then
    echo "initdb failed:" >&2; tail -30 "$dir/initdb.log" >&2; return 1
  fi
  cp "$dir/data/postgresql.conf" "$dir/postgresql.conf.initdb"
  for try in 1 2 3; do
    cp "$dir/postgresql.conf.initdb" "$dir/data/postgresql.conf"
    cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
shared_buffers = '$sb'
max_prepared_transactions = 10
max_parallel_workers_per_gather = 2
fsync = on
CONF
    [ "$(id -u)" = 0 ] && chown postgres "$dir/data/postgresql.conf"
    if as_pg "$PGBIN/pg_ctl -D '$dir/data' -l '$dir/server.log' -w -t 120 start >/dev/null"; then
      echo "$port" >"$dir/port"
      [ "$port" = "$2" ] || echo "start_cluster: started on port $port instead of $2" >&2
      return 0
    fi
    echo "start_cluster: the server in $dir did not start (try $try, port $port, shared_buffers $sb); its log:" >&2
    tail -20 "$dir/server.log" >&2
    as_pg "$PGBIN/pg_ctl -D '$dir/data' -m immediate -w stop >/dev/null 2>&1" || true
    if grep -q -i -E 'shared memory|could not map|out of memory' "$dir/server.log"; then
      sb=128MB
    fi
    port=$(free_port $((port + 1))) || return 1
  done
  return 1
}

stop_cluster() {
  local dir=$1
  [ -d "$dir/data" ] && as_pg "$PGBIN/pg_ctl -D '$dir/data' -m fast -w stop >/dev/null 2>&1" || true
}
