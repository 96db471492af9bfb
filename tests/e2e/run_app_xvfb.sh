#!/bin/sh
# usage: run_app_xvfb.sh GLMDESK LANG OUT.png
# Starts the real glmdesk in a real X server (Xvfb), waits until its window has been painted
# (--ready-file, no guessed sleep), grabs the screen with ImageMagick's import and checks that the
# picture shows a window rather than an empty screen.
set -eu
app=$1
lang=$2
out=$3
mkdir -p "$(dirname "$out")"
ready=$(mktemp -u "${TMPDIR:-/tmp}/glmdesk-ready.XXXXXX")
rm -f "$out"
# The app gets a throwaway HOME so a developer's settings never leak into the test (or back).
home=$(mktemp -d "${TMPDIR:-/tmp}/glmdesk-home.XXXXXX")
trap 'rm -rf "$home" "$ready"' EXIT
# shellcheck disable=SC2016
HOME=$home xvfb-run -a -s "-screen 0 1280x800x24" sh -c '
  "$1" --lang "$4" --ready-file "$2" --quit-after 60000 & pid=$!
  i=0
  while [ ! -f "$2" ] && [ $i -lt 400 ]; do
    if ! kill -0 $pid 2>/dev/null; then echo "glmdesk exited before its window appeared" >&2; exit 1; fi
    sleep 0.1; i=$((i + 1))
  done
  if [ ! -f "$2" ]; then echo "the window never became ready" >&2; kill $pid; exit 1; fi
  import -window root "$3"
  kill $pid; wait $pid 2>/dev/null || true
' sh "$app" "$ready" "$out" "$lang"
test -s "$out"
colours=$(identify -format %k "$out")
stddev=$(identify -format '%[fx:int(1000*standard_deviation)]' "$out")
echo "screenshot $out: $colours distinct colours, stddev x1000 = $stddev"
# A blank or single-colour screen has 1-2 colours and no spread; text and buttons give hundreds.
[ "$colours" -gt 64 ] && [ "$stddev" -gt 20 ]
