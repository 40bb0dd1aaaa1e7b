#!/usr/bin/env bash
set -euo pipefail

source ./lib/log.sh
. "$HOME/.config/backup.env"

readonly MAX_BACKUPS=5
BACKUP_DIR="${BACKUP_DIR:-/var/backups}"
export TZ=UTC

usage() {
  echo "usage: $0 [-n] SOURCE" >&2
  exit 2
}

function rotate {
  local count
  count=$(ls -1 "$BACKUP_DIR" | wc -l)
  while [ "$count" -gt "$MAX_BACKUPS" ]; do
    oldest=$(ls -1t "$BACKUP_DIR" | tail -n 1)
    rm -f "$BACKUP_DIR/$oldest"
    count=$((count - 1))
  done
}

backup() {
  local src="$1"
  if [[ ! -d "$src" ]]; then
    log_error "not a directory: $src"
    return 1
  elif [[ -n "${DRY_RUN:-}" ]]; then
    echo "would back up $src"
  else
    tar -czf "$BACKUP_DIR/$(date +%F).tar.gz" "$src"
  fi
}

for arg in "$@"; do
  case "$arg" in
    -n)
      DRY_RUN=1
      ;;
    -h|--help)
      usage
      ;;
    *)
      backup "$arg" && rotate
      ;;
  esac
done
