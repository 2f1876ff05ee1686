#!/usr/bin/env bash
# The whole test suite, as CI runs it on a clean clone: install what the tests need, build, type-check,
# lint, then every jest test (unit, integration against real Redis and Prometheus, promtool rule
# tests). Ends with the plain line `N passed, N failed` and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-deps.sh || exit 1
bash scripts/install-services.sh || exit 1

step() { echo "== $1" >&2; }
failed_steps=0

step "build"
npm run --silent build || failed_steps=$((failed_steps + 1))
step "typecheck"
npx tsc -p tsconfig.json || failed_steps=$((failed_steps + 1))
step "lint"
npm run --silent lint || failed_steps=$((failed_steps + 1))

step "jest"
mkdir -p reports
npx jest --ci --json --outputFile=reports/jest.json "$@"
jest_rc=$?

node -e '
const r = require("./reports/jest.json");
const passed = r.numPassedTests, failed = r.numFailedTests + (r.numRuntimeErrorTestSuites || 0);
const skipped = r.numPendingTests + r.numTodoTests;
const steps = Number(process.argv[1]);
if (steps > 0) console.log(`${steps} pre-test step(s) failed (build, typecheck or lint), counted as failed`);
if (skipped > 0) console.log(`${skipped} test(s) skipped: trace tests need ../shared/data or MLSCHED_DATA_DIR`);
console.log(`${passed} passed, ${failed + steps} failed, ${skipped} skipped`);
' "$failed_steps"

if [ "$jest_rc" -ne 0 ] || [ "$failed_steps" -ne 0 ]; then exit 1; fi
