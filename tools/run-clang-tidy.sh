#!/usr/bin/env bash
# usage: run-clang-tidy.sh BUILD_DIR
# clang-tidy (checks in .clang-tidy, warnings are errors) over the engine, the CPU kernels and the
# command-line tools: the code that must stay correct without Qt's safety nets.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: run-clang-tidy.sh BUILD_DIR}
[ -f "$build/compile_commands.json" ] || { echo "run-clang-tidy: no $build/compile_commands.json"; exit 1; }
mapfile -t files < <(git ls-files --cached --others --exclude-standard \
  'engine/*.cpp' 'kernels/cpu/*.cpp' 'app/cli/*.cpp' 'app/bench/*.cpp')
[ ${#files[@]} -gt 0 ] || { echo "run-clang-tidy: no files"; exit 0; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
printf '%s\n' "${files[@]}" |
  xargs -P "$(nproc)" -n 2 clang-tidy -p "$build" --quiet >"$log" 2>&1 || status=$?
grep -v -E '^\[[0-9]+/[0-9]+\] Processing file|^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.?$|^Suppressed [0-9]+ warnings|^Use -header-filter' "$log" || true
if [ $status -ne 0 ]; then
  echo "run-clang-tidy: findings above (${#files[@]} files checked)"
  exit 1
fi
echo "run-clang-tidy: ${#files[@]} files clean"
