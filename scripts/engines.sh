#!/usr/bin/env bash
# Data-lake engines for the Parquet export tests (docs/scale-out.md): Apache Spark (pyspark, local
# mode, on the machine's Java 17+) and ClickHouse's engine (chdb), from PyPI, in their own venv.
#
#   scripts/engines.sh install   install once (cached; about 400 MB the first time)
#   scripts/engines.sh env       print `export COSTSCOPE_TEST_ENGINES_PYTHON=…` when they are ready
#
# Everything lives under $COSTSCOPE_SERVERS_DIR (default $HOME/.cache/costscope-servers)/engines.
set -euo pipefail

ROOT="${COSTSCOPE_SERVERS_DIR:-$HOME/.cache/costscope-servers}"
VENV="$ROOT/engines"
SPEC="pyspark==3.5.8 chdb==4.4.0"

log() { printf '[engines] %s\n' "$*" >&2; }

ready() { [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.costscope-stamp" 2>/dev/null)" = "$SPEC" ]; }

case "${1:-}" in
  install)
    if ready; then exit 0; fi
    if ! command -v java >/dev/null 2>&1; then
      log "java not found: Spark needs Java 17+ (apt-get install openjdk-17-jre-headless); the Spark test will be skipped"
    fi
    mkdir -p "$ROOT"
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV" || { log "python3 -m venv failed; engine tests will be skipped"; exit 0; }
    log "installing $SPEC (a few minutes the first time)"
    # shellcheck disable=SC2086
    if "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check $SPEC; then
      printf '%s' "$SPEC" >"$VENV/.costscope-stamp"
    else
      log "pip install failed; engine tests will be skipped"
    fi
    ;;
  env)
    if ready; then echo "export COSTSCOPE_TEST_ENGINES_PYTHON=$VENV/bin/python"; fi
    ;;
  *)
    echo "usage: $0 install|env" >&2
    exit 2
    ;;
esac
