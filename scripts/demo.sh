#!/usr/bin/env bash
# The main job on a fresh machine: install dependencies from the lockfile, build, then train the
# predictor on the shared traces, serve it, and replay a trace-driven workload against the
# request-based baseline. Extra arguments go to the demo (e.g. --seed 7 --hours 6).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
npm run --silent build
node demo/lib/main.js "$@"
