#!/usr/bin/env bash
# Time from starting the TUI on a warm cache to its first complete page (the table's
# "rows 1–" footer drawn), in tmux, over a few tries (docs/performance.md, "First screen").
# Usage: scripts/first-screen.sh STORE_YAML [TRIES]
# The store is ingested once first (into a cache under /tmp), so every try starts warm.
set -euo pipefail
store=${1:?usage: scripts/first-screen.sh STORE_YAML [TRIES]}
tries=${2:-5}
bin=${COSTSCOPE_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/costscope-target}/release/costscope}
work=$(mktemp -d /tmp/first-screen.XXXXXX)
export COSTSCOPE_CACHE_DIR=$work/cache COSTSCOPE_STATE_DIR=$work/state
"$bin" --store "$store" ingest --once >/dev/null
for i in $(seq "$tries"); do
  session=first-screen-$$-$i
  t0=$(date +%s.%N)
  tmux new -d -s "$session" -x 160 -y 48 "$bin --store '$store' --read-only"
  until tmux capture-pane -p -t "$session" 2>/dev/null | grep -q "rows 1–"; do
    sleep 0.02
    if (( $(echo "$(date +%s.%N) - $t0 > 30" | bc) )); then echo "try $i: no page after 30 s"; break; fi
  done
  echo "try $i: first page after $(echo "$(date +%s.%N) - $t0" | bc) s"
  tmux kill-session -t "$session" 2>/dev/null || true
  sleep 0.5
done
rm -rf "$work"
