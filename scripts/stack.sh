#!/usr/bin/env bash
# Local server stack for development and tests: real servers on 127.0.0.1 only.
#
#   scripts/stack.sh up [name...]      install if missing, start, wait until each answers
#   scripts/stack.sh down [name...]    stop (graceful, then kill)
#   scripts/stack.sh restart [name...] down + up
#   scripts/stack.sh status            each server, port, up/down
#   scripts/stack.sh logs [name] [-f]  tail the logs (-f follows)
#   scripts/stack.sh env               print the export lines only
#   scripts/stack.sh psql [args]       psql as superuser into FerretDB's database `ferretdb`
#                                      (one schema per MongoDB database)
#   scripts/stack.sh browser           install Debian chromium + chromium-driver
#
# names: mariadb (MySQL, 13306)  redis (16379)  kafka (19092, controller 19093)
#        postgres (PostgreSQL, 15432; FerretDB's backend, database and role `ferretdb`,
#                  password from KAYAK_PG_PASSWORD, default `ferretdb`, loopback only)
#        ferretdb (MongoDB wire protocol, 27018; `up ferretdb` starts postgres first,
#                  `down ferretdb` stops FerretDB alone)
#
# Everything (jars, binaries, data, pid files, logs) lives under
# ${KAYAK_STACK_DIR:-$HOME/.cache/kayak-stack}; logs are in $KAYAK_STACK_DIR/logs/<name>.log.
# PostgreSQL refuses to run as root: as root the cluster runs as the `postgres` user, and
# when that user cannot enter the stack dir (e.g. under /root) its data lives in
# /var/lib/postgresql/kayak-stack/<hash of the stack dir> (see $KAYAK_STACK_DIR/postgres/cluster).
# Progress lines go to stderr; `up` and `env` print `export VAR=...` lines on stdout, so
#   eval "$(scripts/stack.sh up)"
# starts the stack and sets DATABASE_URL, MONGO_URL, REDIS_URL, KAFKA_BOOTSTRAP.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SUPPORT=$SCRIPT_DIR/stack
STACK_DIR=${KAYAK_STACK_DIR:-$HOME/.cache/kayak-stack}
LOGS=$STACK_DIR/logs
RUN=$STACK_DIR/run
PYTHON=${PYTHON:-python3}

ALL=(mariadb redis kafka postgres ferretdb) # start order; down goes in reverse
HOST=127.0.0.1
MARIADB_PORT=13306
REDIS_PORT=16379
KAFKA_PORT=19092
KAFKA_CONTROLLER_PORT=19093
POSTGRES_PORT=15432
FERRETDB_PORT=27018

MDB_DIR=$STACK_DIR/mariadb
MDB_DATA=$MDB_DIR/data
MDB_SOCK=$MDB_DIR/mysqld.sock
REDIS_DIR=$STACK_DIR/redis
KAFKA_DIR=$STACK_DIR/kafka
KAFKA_LIB=$KAFKA_DIR/lib
KAFKA_DATA=$KAFKA_DIR/data
KAFKA_PROPS=$KAFKA_DIR/server.properties
FERRET_DIR=$STACK_DIR/ferretdb
FERRET_BIN=$FERRET_DIR/bin/ferretdb-kayak
PG_DIR=$STACK_DIR/postgres
PG_PASSWORD=${KAYAK_PG_PASSWORD:-ferretdb} # role ferretdb, host auth only on 127.0.0.1; local socket is private
FERRET_PG_URL=postgres://ferretdb:$PG_PASSWORD@$HOST:$POSTGRES_PORT/ferretdb

# seconds to wait for a server to answer after starting it
: "${STACK_TIMEOUT_MARIADB:=90}" "${STACK_TIMEOUT_REDIS:=30}"
: "${STACK_TIMEOUT_KAFKA:=120}" "${STACK_TIMEOUT_FERRETDB:=60}" "${STACK_TIMEOUT_POSTGRES:=60}"

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }

# --- helpers -------------------------------------------------------------------------

port_of() {
  case $1 in
    mariadb) echo $MARIADB_PORT ;; redis) echo $REDIS_PORT ;;
    kafka) echo $KAFKA_PORT ;; ferretdb) echo $FERRETDB_PORT ;;
    postgres) echo $POSTGRES_PORT ;;
  esac
}

# a token that must appear in the process's command line (guards against pid reuse)
proc_token() {
  case $1 in
    mariadb) echo mariadbd ;; redis) echo redis-server ;;
    kafka) echo kafka.Kafka ;; ferretdb) echo ferretdb-kayak ;;
    postgres) echo "bin/postgres -D" ;;
  esac
}

valid_name() {
  local n
  for n in "${ALL[@]}"; do [[ $1 == "$n" ]] && return 0; done
  return 1
}

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null; }

pid_matches() { # pid token
  [[ -n $1 && -r /proc/$1/cmdline ]] || return 1
  tr '\0' ' ' </proc/"$1"/cmdline | grep -q -- "$2"
}

# pid of our running server: from its pid file, else whoever listens on its port (if it
# looks like ours). Prints nothing if none.
server_pid() {
  local name=$1 pid="" token port
  token=$(proc_token "$name")
  if [[ -f $RUN/$name.pid ]]; then
    pid=$(cat "$RUN/$name.pid" 2>/dev/null || true)
    if pid_matches "$pid" "$token"; then echo "$pid"; return 0; fi
  fi
  port=$(port_of "$name")
  pid=$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2 || true)
  if pid_matches "$pid" "$token"; then echo "$pid"; fi
}

tail_log() { # name [lines]
  local f=$LOGS/$1.log
  if [[ -f $f ]]; then
    printf '[stack] ---- last %s lines of %s ----\n' "${2:-40}" "$f" >&2
    tail -n "${2:-40}" "$f" >&2 || true
    printf '[stack] ----\n' >&2
  fi
}

fail() { # name message
  tail_log "$1" 40
  die "$1: $2 (full log: $LOGS/$1.log)"
}

# spawn NAME CMD...: start CMD detached, output appended to logs/NAME.log, pid in run/NAME.pid
spawn() {
  local name=$1; shift
  printf '\n=== %s stack.sh starting %s: %s\n' "$(date '+%F %T')" "$name" "$*" >>"$LOGS/$name.log"
  # In a non-interactive script a background child is not a process-group leader, so
  # setsid does not fork and $! is the server's own pid.
  setsid "$@" 9>&- >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

# wait_until NAME TIMEOUT CHECK-FUNCTION: poll until the check passes; fail fast if our
# process died, fail with the log tail on timeout.
wait_until() {
  local name=$1 limit=$2 check=$3 start=$SECONDS pid=""
  [[ -f $RUN/$name.pid ]] && pid=$(cat "$RUN/$name.pid" 2>/dev/null || true)
  until "$check"; do
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$RUN/$name.pid"
      fail "$name" "process $pid exited during startup"
    fi
    if (( SECONDS - start >= limit )); then
      fail "$name" "did not answer within ${limit}s"
    fi
    sleep 0.5
  done
}

SUDO=()
if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null 2>&1; then SUDO=(sudo); fi
APT_UPDATED=0
apt_install() {
  mkdir -p "$LOGS"
  if [[ $APT_UPDATED == 0 ]]; then
    log "apt-get update"
    "${SUDO[@]}" apt-get update -q >>"$LOGS/apt.log" 2>&1 || { tail_log apt 20; die "apt-get update failed"; }
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" \
    >>"$LOGS/apt.log" 2>&1 || { tail_log apt 30; die "apt-get install $* failed"; }
}

hash_files() { cat "$@" | sha256sum | cut -c1-16; }

# --- install / build -----------------------------------------------------------------

need_apt_packages() { # names... -> prints Debian packages still to install
  local n
  for n in "$@"; do
    case $n in
      mariadb)
        command -v mariadbd >/dev/null && command -v mariadb-install-db >/dev/null || echo mariadb-server
        command -v mariadb >/dev/null && command -v mariadb-admin >/dev/null || echo mariadb-client ;;
      redis)
        command -v redis-server >/dev/null || echo redis-server
        command -v redis-cli >/dev/null || echo redis-tools ;;
      kafka)
        command -v java >/dev/null || echo openjdk-17-jre-headless
        command -v mvn >/dev/null || echo maven ;;
      postgres)
        # Debian's server package (postgresql-15 on bookworm) brings its client tools
        [[ -n $(pg_bindir) ]] || echo postgresql ;;
    esac
  done
}

kafka_stamp() { hash_files "$SUPPORT/kafka/pom.xml"; }
kafka_built() { [[ -f $KAFKA_LIB/.stamp && $(cat "$KAFKA_LIB/.stamp") == "$(kafka_stamp)" ]]; }

build_kafka() {
  local work=$KAFKA_DIR/build tmp=$KAFKA_DIR/lib.tmp
  log "kafka: fetching jars with Maven (log: $LOGS/kafka-build.log)"
  rm -rf "$work" "$tmp"; mkdir -p "$work"
  cp "$SUPPORT/kafka/pom.xml" "$work/pom.xml"
  if ! (cd "$work" && mvn -B -q dependency:copy-dependencies \
          -DincludeScope=runtime -DoutputDirectory="$tmp") >>"$LOGS/kafka-build.log" 2>&1; then
    tail_log kafka-build 30; die "kafka: Maven could not fetch the jars"
  fi
  ls "$tmp"/kafka_2.13-*.jar >/dev/null 2>&1 || die "kafka: kafka_2.13 jar missing after Maven run"
  kafka_stamp >"$tmp/.stamp"
  rm -rf "$KAFKA_LIB"; mv "$tmp" "$KAFKA_LIB"; rm -rf "$work"
  log "kafka: $(find "$KAFKA_LIB" -name '*.jar' | wc -l) jars in $KAFKA_LIB"
}

ferret_stamp() { hash_files "$SUPPORT/ferretdb/go.mod" "$SUPPORT/ferretdb/go.sum" "$SUPPORT/ferretdb/main.go"; }
ferret_built() { [[ -x $FERRET_BIN && -f $FERRET_BIN.stamp && $(cat "$FERRET_BIN.stamp") == "$(ferret_stamp)" ]]; }

build_ferretdb() {
  command -v go >/dev/null || die "ferretdb: the go toolchain is required to build FerretDB"
  log "ferretdb: building with go (log: $LOGS/ferretdb-build.log)"
  mkdir -p "$(dirname "$FERRET_BIN")"
  if ! (cd "$SUPPORT/ferretdb" && CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly \
          go build -trimpath -o "$FERRET_BIN.tmp" .) >>"$LOGS/ferretdb-build.log" 2>&1; then
    tail_log ferretdb-build 30; die "ferretdb: go build failed"
  fi
  mv "$FERRET_BIN.tmp" "$FERRET_BIN"
  ferret_stamp >"$FERRET_BIN.stamp"
  log "ferretdb: built $FERRET_BIN"
}

# Install/build what the named servers need. Apt runs in the foreground while the Maven
# fetch and the Go build run in the background.
prepare() {
  local pkgs pids=() what=() i rc=0
  pkgs=$(need_apt_packages "$@" | sort -u | tr '\n' ' ')
  local want_kafka=0 want_ferret=0 n
  for n in "$@"; do
    [[ $n == kafka ]] && ! kafka_built && want_kafka=1
    [[ $n == ferretdb ]] && ! ferret_built && want_ferret=1
  done
  # Maven needs java+mvn, so with those missing it waits for apt
  if [[ $want_ferret == 1 ]]; then build_ferretdb & pids+=($!); what+=(ferretdb); fi
  if [[ $want_kafka == 1 ]] && command -v java >/dev/null && command -v mvn >/dev/null; then
    build_kafka & pids+=($!); what+=(kafka); want_kafka=0
  fi
  if [[ -n ${pkgs// /} ]]; then
    # shellcheck disable=SC2086
    apt_install $pkgs || rc=1
  fi
  [[ $want_kafka == 1 ]] && { build_kafka || rc=1; }
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { log "${what[$i]}: build failed"; rc=1; }
  done
  [[ $rc == 0 ]] || die "installation failed"
}

# --- mariadb -------------------------------------------------------------------------

mdb_root() { mariadb --no-defaults --protocol=socket --socket="$MDB_SOCK" -uroot; }
mdb_kayak() { mariadb --no-defaults --protocol=tcp -h$HOST -P$MARIADB_PORT -ukayak -pkayak "$@"; }
# ping our own server through its socket (root over TCP is refused by design); a server
# that is not ours (no socket) counts as up when kayak can query it
mdb_ping() {
  if [[ -S $MDB_SOCK ]]; then
    mariadb-admin --no-defaults --socket="$MDB_SOCK" --connect-timeout=2 ping >/dev/null 2>&1
  else
    mdb_kayak_ok
  fi
}
mdb_kayak_ok() { mdb_kayak -N -e 'SELECT 1' kayak >/dev/null 2>&1; }

start_mariadb() {
  mkdir -p "$MDB_DIR" "$MDB_DIR/tmp"
  local user=()
  [[ $(id -u) -eq 0 ]] && user=(--user=root)
  if [[ ! -d $MDB_DATA/mysql ]]; then
    log "mariadb: initialising data dir $MDB_DATA"
    rm -rf "$MDB_DATA"; mkdir -p "$MDB_DATA"
    if ! mariadb-install-db --no-defaults --datadir="$MDB_DATA" "${user[@]}" \
          --auth-root-authentication-method=socket --skip-test-db >>"$LOGS/mariadb.log" 2>&1; then
      rm -rf "$MDB_DATA"; fail mariadb "mariadb-install-db failed"
    fi
  fi
  rm -f "$MDB_SOCK"
  spawn mariadb mariadbd --no-defaults --datadir="$MDB_DATA" "${user[@]}" \
    --bind-address=$HOST --port=$MARIADB_PORT --socket="$MDB_SOCK" \
    --pid-file="$MDB_DIR/mariadbd.pid" --tmpdir="$MDB_DIR/tmp" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --skip-name-resolve --max-connections=500 --innodb-buffer-pool-size=256M \
    --innodb-flush-log-at-trx-commit=2 --skip-log-bin --log-warnings=1
}

setup_mariadb() {
  mdb_kayak_ok && return 0
  [[ -S $MDB_SOCK ]] || fail mariadb "port $MARIADB_PORT answers but kayak cannot log in and $MDB_SOCK is missing (not our server?)"
  log "mariadb: creating user kayak and database kayak"
  mdb_root >>"$LOGS/mariadb.log" 2>&1 <<'SQL' || fail mariadb "bootstrap SQL failed"
CREATE DATABASE IF NOT EXISTS kayak CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'kayak'@'%' IDENTIFIED BY 'kayak';
CREATE USER IF NOT EXISTS 'kayak'@'localhost' IDENTIFIED BY 'kayak';
GRANT ALL PRIVILEGES ON *.* TO 'kayak'@'%' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'kayak'@'localhost' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
  mdb_kayak_ok || fail mariadb "user kayak still cannot query"
}

# --- redis ---------------------------------------------------------------------------

redis_ok() { [[ $(redis-cli -h $HOST -p $REDIS_PORT ping 2>/dev/null) == PONG ]]; }

start_redis() {
  mkdir -p "$REDIS_DIR"
  spawn redis redis-server --bind $HOST --port $REDIS_PORT --daemonize no \
    --dir "$REDIS_DIR" --save '' --appendonly no --protected-mode yes \
    --pidfile "$REDIS_DIR/redis.pid" --logfile ''
}

# --- kafka ---------------------------------------------------------------------------

kafka_ok() { "$PYTHON" "$SUPPORT/kafka_ready.py" "$HOST:$KAFKA_PORT" 2>/dev/null; }

write_kafka_props() {
  cat >"$KAFKA_PROPS.tmp" <<EOF
# generated by scripts/stack.sh on every start; edit the script, not this file
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DATA
num.network.threads=2
num.io.threads=4
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
auto.create.topics.enable=true
delete.topic.enable=true
group.initial.rebalance.delay.ms=0
# after an unclean stop (kill -9) the restarted broker waits for its old session to
# expire before it is unfenced: keep that short on loopback (defaults 9000/2000)
broker.session.timeout.ms=5000
broker.heartbeat.interval.ms=1000
log.retention.hours=24
log.segment.bytes=104857600
EOF
  mv "$KAFKA_PROPS.tmp" "$KAFKA_PROPS"
}

kafka_java() { # extra JVM args then main class and its args
  java -Djava.awt.headless=true -Dlog4j2.configurationFile="$SUPPORT/kafka/log4j2.properties" \
    -Dkafka.logs.dir="$LOGS" -cp "$KAFKA_LIB/*" "$@"
}

start_kafka() {
  mkdir -p "$KAFKA_DATA"
  write_kafka_props
  if [[ ! -f $KAFKA_DATA/meta.properties ]]; then
    local cid
    cid=$("$PYTHON" -c 'import base64, uuid
while True:
    s = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    if not s.startswith("-"):
        print(s); break')
    log "kafka: formatting storage (cluster id $cid)"
    kafka_java -Xmx256m kafka.tools.StorageTool format -t "$cid" -c "$KAFKA_PROPS" --ignore-formatted \
      >>"$LOGS/kafka.log" 2>&1 || fail kafka "StorageTool format failed"
  fi
  spawn kafka java -Xmx512m -Xms256m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$SUPPORT/kafka/log4j2.properties" \
    -Dkafka.logs.dir="$LOGS" -cp "$KAFKA_LIB/*" kafka.Kafka "$KAFKA_PROPS"
}

# --- postgres (FerretDB's backend) --------------------------------------------------

# newest Debian server install, e.g. /usr/lib/postgresql/15/bin (initdb, postgres, psql)
pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
  [[ -n $d && -x $d/postgres && -x $d/initdb && -x $d/psql ]] && echo "$d"
}

# Where the cluster lives and who runs it (sets PG_BIN PG_BASE PG_DATA PG_SOCK AS_PG).
# PostgreSQL will not run as root, so as root it runs as the `postgres` user (created by
# the Debian package) in a directory that user can enter.
pg_layout() {
  [[ -n ${PG_LAID_OUT:-} ]] && return 0
  PG_LAID_OUT=1
  PG_BIN=$(pg_bindir) || die "postgres: no PostgreSQL server under /usr/lib/postgresql"
  AS_PG=()
  PG_BASE=$PG_DIR
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "postgres: running as root needs the 'postgres' user (Debian package postgresql)"
    AS_PG=(setpriv --reuid=postgres --regid=postgres --init-groups --)
    mkdir -p "$PG_DIR"
    if ! "${AS_PG[@]}" test -x "$PG_DIR"; then
      PG_BASE=/var/lib/postgresql/kayak-stack/$(printf '%s' "$STACK_DIR" | sha256sum | cut -c1-16)
    fi
  fi
  PG_DATA=$PG_BASE/data
  PG_SOCK=$PG_BASE/run
}

# superuser over the cluster's private unix socket (trust; the socket dir is 0700)
pg_super() { "$PG_BIN/psql" -X -q -h "$PG_SOCK" -p $POSTGRES_PORT -U postgres -v ON_ERROR_STOP=1 "$@"; }
pg_ferret_ok() {
  PGPASSWORD=$PG_PASSWORD PGCONNECT_TIMEOUT=2 "$PG_BIN/psql" -X -q -h $HOST -p $POSTGRES_PORT \
    -U ferretdb -d ferretdb -tAc 'SELECT 1' >/dev/null 2>&1
}
pg_ok() {
  pg_layout
  if [[ -S $PG_SOCK/.s.PGSQL.$POSTGRES_PORT ]]; then
    PGCONNECT_TIMEOUT=2 pg_super -d postgres -tAc 'SELECT 1' >/dev/null 2>&1
  else
    pg_ferret_ok # a server that is not ours counts as up when ferretdb can query it
  fi
}

start_postgres() {
  pg_layout
  mkdir -p "$PG_DIR"
  # A cluster belongs to one stack dir: $PG_DIR/cluster names it. Data outside the stack
  # dir without that note is left from a deleted stack dir: start again from nothing.
  if [[ $PG_BASE != "$PG_DIR" && -d $PG_BASE && ! -f $PG_DIR/cluster ]]; then
    log "postgres: removing $PG_BASE (left by an earlier stack dir at the same path)"
    rm -rf "$PG_BASE"
  fi
  mkdir -p "$PG_BASE" "$PG_SOCK"
  if [[ ${#AS_PG[@]} -gt 0 ]]; then chown postgres:postgres "$PG_BASE" "$PG_SOCK"; fi
  chmod 0700 "$PG_BASE" "$PG_SOCK"
  echo "$PG_DATA" >"$PG_DIR/cluster"
  if [[ ! -f $PG_DATA/PG_VERSION ]]; then
    log "postgres: initialising cluster $PG_DATA"
    rm -rf "$PG_DATA"
    if ! "${AS_PG[@]}" "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --no-locale \
          --auth-local=trust --auth-host=scram-sha-256 >>"$LOGS/postgres.log" 2>&1; then
      rm -rf "$PG_DATA"; fail postgres "initdb failed"
    fi
  fi
  local have want
  have=$(cat "$PG_DATA/PG_VERSION") want=$(basename "$(dirname "$PG_BIN")")
  [[ $have == "$want" ]] || die "postgres: $PG_DATA is a PostgreSQL $have cluster but the server is $want; remove $PG_BASE (FerretDB's data) or run PostgreSQL $have"
  # synchronous_commit=off: like MariaDB's flush_log_at_trx_commit=2 here (a crash may lose
  # the last moments of writes, never consistency); jit=off: short OLTP queries only.
  spawn postgres "${AS_PG[@]}" "$PG_BIN/postgres" -D "$PG_DATA" -p $POSTGRES_PORT \
    -c listen_addresses=$HOST -c unix_socket_directories="$PG_SOCK" \
    -c max_connections=200 -c synchronous_commit=off -c jit=off \
    -c log_min_messages=warning -c log_checkpoints=off -c log_line_prefix='%m [%p] '
}

setup_postgres() {
  if ! pg_ferret_ok; then
    [[ -S $PG_SOCK/.s.PGSQL.$POSTGRES_PORT ]] || fail postgres "port $POSTGRES_PORT answers but ferretdb cannot log in and $PG_SOCK is missing (not our server?)"
    log "postgres: creating role ferretdb and database ferretdb"
    pg_super -d postgres >>"$LOGS/postgres.log" 2>&1 <<SQL || fail postgres "bootstrap SQL failed"
SELECT 'CREATE ROLE ferretdb LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ferretdb')\\gexec
ALTER ROLE ferretdb LOGIN PASSWORD '$PG_PASSWORD';
SELECT 'CREATE DATABASE ferretdb OWNER ferretdb' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'ferretdb')\\gexec
SQL
    pg_ferret_ok || fail postgres "role ferretdb still cannot query database ferretdb"
  fi
  # GIN twins for FerretDB's indexes (idempotent; see the file)
  if [[ -S $PG_SOCK/.s.PGSQL.$POSTGRES_PORT ]]; then
    pg_super -d ferretdb -o /dev/null -f "$SUPPORT/postgres/ferretdb_gin.sql" >>"$LOGS/postgres.log" 2>&1 \
      || fail postgres "loading $SUPPORT/postgres/ferretdb_gin.sql failed"
  fi
}

# --- ferretdb ------------------------------------------------------------------------

ferret_ok() {
  port_open $FERRETDB_PORT || return 1
  if "$PYTHON" -c 'import pymongo' 2>/dev/null; then
    "$PYTHON" - "$HOST" "$FERRETDB_PORT" <<'PY' >/dev/null 2>&1
import sys, pymongo
c = pymongo.MongoClient(sys.argv[1], int(sys.argv[2]), serverSelectionTimeoutMS=2000, connectTimeoutMS=2000)
c.admin.command("ping")
PY
  fi
}

start_ferretdb() {
  spawn ferretdb "$FERRET_BIN" -listen "$HOST:$FERRETDB_PORT" -postgresql-url "$FERRET_PG_URL"
}

# --- commands ------------------------------------------------------------------------

print_env() {
  cat <<EOF
export DATABASE_URL=mysql+pymysql://kayak:kayak@$HOST:$MARIADB_PORT/kayak
export MONGO_URL=mongodb://$HOST:$FERRETDB_PORT/
export REDIS_URL=redis://$HOST:$REDIS_PORT/0
export KAFKA_BOOTSTRAP=$HOST:$KAFKA_PORT
EOF
}

check_names() {
  local n
  for n in "$@"; do valid_name "$n" || die "unknown server '$n' (one of: ${ALL[*]})"; done
}

names_or_all() { # the given names, or all of them
  if [[ $# -eq 0 ]]; then printf '%s\n' "${ALL[@]}"; else printf '%s\n' "$@"; fi
}

# for `up`: the given names (or all) plus what they need, in start order (ALL's order)
names_with_deps() {
  local want=" ${*:-${ALL[*]}} " n
  [[ $want == *" ferretdb "* ]] && want+=" postgres "
  for n in "${ALL[@]}"; do [[ $want == *" $n "* ]] && echo "$n"; done
  return 0
}

# servers started only once the ones they need answer (the others start in parallel)
after_deps() { [[ $1 == ferretdb ]]; }

start_if_down() {
  local n=$1 pid
  # a FerretDB started by an older stack.sh runs on SQLite: move it to PostgreSQL
  if [[ $n == ferretdb ]] && pid=$(server_pid ferretdb) && [[ -n $pid ]] \
      && ! pid_matches "$pid" -postgresql-url; then
    log "ferretdb: pid $pid runs the SQLite backend; restarting it on PostgreSQL"
    stop_one ferretdb
  fi
  if port_open "$(port_of "$n")"; then
    log "$n: already answering on $HOST:$(port_of "$n")"
    return 0
  fi
  rm -f "$RUN/$n.pid"
  log "$n: starting on $HOST:$(port_of "$n")"
  "start_$n"
}

lock() {
  mkdir -p "$STACK_DIR" "$LOGS" "$RUN"
  exec 9>"$STACK_DIR/.lock"
  flock -w 900 9 || die "another stack.sh holds $STACK_DIR/.lock"
}

cmd_up() {
  local names n
  check_names "$@"
  mapfile -t names < <(names_with_deps "$@")
  lock
  local t0=$SECONDS
  prepare "${names[@]}"
  for n in "${names[@]}"; do
    after_deps "$n" || start_if_down "$n"
  done
  for n in "${names[@]}"; do
    after_deps "$n" && start_if_down "$n"
    case $n in
      mariadb) wait_until mariadb "$STACK_TIMEOUT_MARIADB" mdb_ping; setup_mariadb ;;
      redis) wait_until redis "$STACK_TIMEOUT_REDIS" redis_ok ;;
      kafka) wait_until kafka "$STACK_TIMEOUT_KAFKA" kafka_ok ;;
      postgres) wait_until postgres "$STACK_TIMEOUT_POSTGRES" pg_ok; setup_postgres ;;
      ferretdb) wait_until ferretdb "$STACK_TIMEOUT_FERRETDB" ferret_ok ;;
    esac
    log "$n: ready on $HOST:$(port_of "$n")"
  done
  log "up: ${names[*]} ready in $((SECONDS - t0))s (logs: $LOGS). Environment:"
  print_env
}

stop_one() {
  local name=$1 pid limit i port sig
  port=$(port_of "$name")
  pid=$(server_pid "$name")
  if [[ -z $pid ]]; then
    rm -f "$RUN/$name.pid"
    if port_open "$port"; then
      log "$name: something answers on $port but it is not ours; leaving it"
    else
      log "$name: not running"
    fi
    return 0
  fi
  case $name in kafka) limit=40 ;; mariadb) limit=40 ;; postgres) limit=40 ;; *) limit=15 ;; esac
  # PostgreSQL's TERM waits for every client to leave; INT is its "fast" shutdown
  # (rolls back open transactions, checkpoints, exits)
  case $name in postgres) sig=INT ;; *) sig=TERM ;; esac
  log "$name: stopping pid $pid"
  kill -"$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < limit * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name: still running after ${limit}s, killing"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$RUN/$name.pid"
  for ((i = 0; i < 50; i++)); do port_open "$port" || break; sleep 0.2; done
  log "$name: stopped"
}

cmd_down() {
  local names n i
  check_names "$@"
  mapfile -t names < <(names_or_all "$@")
  lock
  # stop in reverse order of ALL
  for ((i = ${#ALL[@]} - 1; i >= 0; i--)); do
    for n in "${names[@]}"; do [[ $n == "${ALL[$i]}" ]] && stop_one "$n"; done
  done
  return 0
}

cmd_status() {
  local n port pid state
  mkdir -p "$RUN"
  printf '%-9s %-16s %-5s %s\n' SERVER ADDRESS STATE PID
  for n in "${ALL[@]}"; do
    port=$(port_of "$n")
    pid=$(server_pid "$n" || true)
    if port_open "$port"; then state=up; else state=down; fi
    printf '%-9s %-16s %-5s %s\n' "$n" "$HOST:$port" "$state" "${pid:--}"
  done
  echo "dir: $STACK_DIR"
}

cmd_logs() {
  local follow=0 names=() n files=()
  for n in "$@"; do
    if [[ $n == -f ]]; then follow=1; else names+=("$n"); fi
  done
  if [[ ${#names[@]} -eq 0 ]]; then names=("${ALL[@]}"); fi
  for n in "${names[@]}"; do
    if [[ -f $LOGS/$n.log ]]; then files+=("$LOGS/$n.log")
    elif [[ -f $LOGS/$n ]]; then files+=("$LOGS/$n")
    else log "no log for $n in $LOGS"; fi
  done
  [[ ${#files[@]} -gt 0 ]] || return 0
  if [[ $follow == 1 ]]; then
    exec tail -n "${STACK_LOG_LINES:-50}" -F "${files[@]}"
  fi
  tail -n "${STACK_LOG_LINES:-50}" "${files[@]}"
}

cmd_browser() {
  local pkgs=()
  command -v chromium >/dev/null || pkgs+=(chromium)
  command -v chromedriver >/dev/null || pkgs+=(chromium-driver)
  if [[ ${#pkgs[@]} -gt 0 ]]; then
    apt_install "${pkgs[@]}"
  fi
  log "browser: $(chromium --version 2>/dev/null || echo 'chromium ?') at $(command -v chromium)"
  log "browser: $(chromedriver --version 2>/dev/null | head -n1 || echo 'chromedriver ?')"
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

main() {
  local cmd=${1:-}
  [[ $# -gt 0 ]] && shift
  case $cmd in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    restart) cmd_down "$@"; exec 9>&-; cmd_up "$@" ;;
    status) cmd_status ;;
    logs) cmd_logs "$@" ;;
    env) print_env ;;
    psql) pg_layout; exec "$PG_BIN/psql" -X -h "$PG_SOCK" -p $POSTGRES_PORT -U postgres -d ferretdb "$@" ;;
    browser) cmd_browser ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
