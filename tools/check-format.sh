#!/usr/bin/env bash
# Fails when a tracked C++/CUDA/GLSL file differs from clang-format's output (the build root's
# clang-format, so every machine judges with the same version). Fix with:
#   bash tools/env-setup.sh run clang-format -i FILE...
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.cpp' '*.h' '*.hpp' '*.cu' '*.cuh')
[ ${#files[@]} -gt 0 ] || { echo "check-format: no files"; exit 0; }
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  printf 'check-format: %d file(s) not clang-formatted (clang-format %s):\n' "${#bad[@]}" \
    "$(clang-format --version | grep -o '[0-9][0-9.]*' | head -1)"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "check-format: ${#files[@]} files formatted"
