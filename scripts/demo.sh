#!/usr/bin/env bash
# The README's main-job command: builds ppctl and runs it against the local platform.
set -euo pipefail
cd "$(dirname "$0")/.."
ppctl() { node bin/run.js "$@"; }

npm run --silent build:ts
ppctl sandbox start --port "${PPCTL_SANDBOX_PORT:-0}"
ppctl sandbox status
ppctl sandbox users
echo
echo "The local platform keeps running; stop it with: node bin/run.js sandbox stop"
