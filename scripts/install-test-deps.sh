#!/usr/bin/env bash
# Installs what the integration tests and the local multi-process stack need, idempotently:
#  - redis-server (Debian package)
#  - the npm packages pinned in tools/standins/package-lock.json (fauxqs for SQS, dynalite for DynamoDB,
#    @cdktf/hcl2json for the infra/ drift test)
# Safe to run again: it only installs what is missing or out of date.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    echo "error: need root to run: $*" >&2; exit 2; fi
}

if ! command -v redis-server >/dev/null 2>&1; then
  echo "installing redis-server (Debian package)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi

if ! command -v node >/dev/null 2>&1; then
  echo "error: Node.js (>= 20) is needed for the SQS and DynamoDB stand-ins; install it (e.g. apt-get install nodejs npm)" >&2
  exit 2
fi

standins=tools/standins
stamp="$standins/node_modules/.installed-lock"
if [ ! -f "$stamp" ] || ! cmp -s "$standins/package-lock.json" "$stamp"; then
  echo "installing npm stand-ins (npm ci in $standins)"
  (cd "$standins" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$standins/package-lock.json" "$stamp"
fi
