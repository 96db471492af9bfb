#!/usr/bin/env bash
# check_metadata.sh RESOURCES_DIR VERSION: the desktop integration files must pass their
# validators and agree with each other (icon name, MIME type, launchable, release = VERSION).
# Exit 77 (ctest: skipped) when a validator is missing; run through tools/env-setup.sh it is there.
set -euo pipefail
res=${1:?usage: check_metadata.sh RESOURCES_DIR VERSION}
version=${2:?usage: check_metadata.sh RESOURCES_DIR VERSION}
id=org.glmdesk.GlmDesk
for tool in desktop-file-validate appstreamcli update-mime-database; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# desktop-file-validate prints nothing for a clean file; hints count as findings too.
out=$(desktop-file-validate "$res/$id.desktop" 2>&1) || true
[ -z "$out" ] || bad "desktop-file-validate: $out"

# Errors fail; of the warnings only these are accepted: no homepage yet (none exists), and the
# app id has capitals (fixed since the first release: the id is the D-Bus/desktop-file name).
out=$(appstreamcli validate --no-net --no-color --pedantic "$res/$id.metainfo.xml" 2>&1) || true
echo "$out" | grep -E '^[EWIP]:' | grep -vE '^(W|P): [^ ]+ (url-homepage-missing|cid-contains-uppercase-letter)' |
  grep -E '^(E|W):' && bad "appstreamcli reports the findings above"
grep -qE '^E:|errors: [1-9]' <<<"$out" && bad "appstreamcli: $out"
newest=$(grep -o '<release version="[^"]*"' "$res/$id.metainfo.xml" | head -1 | cut -d'"' -f2)
[ "$newest" = "$version" ] ||
  bad "metainfo: newest <release> is '$newest', the project is $version: add a <release> entry"
grep -q "<launchable type=\"desktop-id\">$id.desktop</launchable>" "$res/$id.metainfo.xml" ||
  bad "metainfo: launchable is not $id.desktop"

# The desktop entry's icon and MIME type exist.
grep -qx "Icon=$id" "$res/$id.desktop" || bad "desktop: Icon is not $id"
grep -qx 'MimeType=application/x-gguf;' "$res/$id.desktop" || bad "desktop: no application/x-gguf"
grep -q 'Exec=glmdesk %f' "$res/$id.desktop" || bad "desktop: Exec is not 'glmdesk %f'"
for size in 16 32 48 64 128 256 512; do
  png="$res/icons/hicolor/${size}x${size}/apps/$id.png"
  if [ ! -f "$png" ]; then bad "icon $png missing"; continue; fi
  # PNG: width and height are the big-endian words at byte 16 and 20 of the IHDR chunk.
  dims=$(od -An -tu1 -j16 -N8 "$png" | awk '{print $3*256+$4 "x" $7*256+$8}')
  [ "$dims" = "${size}x${size}" ] || bad "icon $png is $dims"
done
grep -q '<svg' "$res/icons/$id.svg" || bad "icon $id.svg missing"

# The MIME package compiles, and the compiled database knows the magic and the glob.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/mime/packages"
cp "$res/glmdesk-gguf.xml" "$tmp/mime/packages/"
update-mime-database "$tmp/mime" >/dev/null 2>&1 || bad "update-mime-database rejects glmdesk-gguf.xml"
[ -f "$tmp/mime/application/x-gguf.xml" ] || bad "mime: application/x-gguf not defined"
grep -aq 'application/x-gguf' "$tmp/mime/magic" 2>/dev/null && grep -aq 'GGUF' "$tmp/mime/magic" ||
  bad "mime: no GGUF magic for application/x-gguf"
grep -q ':application/x-gguf:\*\.gguf' "$tmp/mime/globs2" 2>/dev/null || bad "mime: no *.gguf glob"

[ "$fail" -eq 0 ] && echo "desktop file, AppStream metainfo, MIME type and icons: ok"
exit "$fail"
