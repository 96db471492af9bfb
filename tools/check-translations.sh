#!/usr/bin/env bash
# usage: check-translations.sh BUILD_DIR
# Re-runs lupdate over the app's sources and fails when the committed catalogues are stale (a tr()
# string was added or changed without updating translations/) or when zh_CN has an unfinished,
# vanished or obsolete entry. Fix: cmake --build BUILD_DIR --target update_translations, translate.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: check-translations.sh BUILD_DIR}
cmake --build "$build" --target update_translations >/dev/null
status=0
if ! git diff --quiet -- translations/; then
  echo "check-translations: translations/*.ts are stale (lupdate changed them):"
  git --no-pager diff --stat -- translations/
  status=1
fi
zh=translations/glmdesk_zh_CN.ts
for kind in unfinished vanished obsolete; do
  n=$(grep -c "type=\"$kind\"" "$zh" || true)
  if [ "$n" -gt 0 ]; then
    echo "check-translations: $zh has $n $kind entr$( [ "$n" -eq 1 ] && echo y || echo ies)"
    status=1
  fi
done
total=$(grep -c '<message' "$zh" || true)
[ $status -eq 0 ] && echo "check-translations: $zh complete ($total messages)"
exit $status
