#!/bin/sh
# usage: run_app_xvfb.sh GLMDESK LANG OUT.png [GLMDESK ARGS...]
# Starts the real glmdesk in a real X server (Xvfb), waits until its window has been painted
# (--ready-file, no guessed sleep), grabs the screen with ImageMagick's import and checks that the
# picture shows a window rather than an empty screen. The screen is the window's size: with no
# window manager the window sits at the origin, so the picture is the window without margins.
# With --send among the arguments the app sends that message once its model has loaded and writes
# the ready file (the transcript) when the answer has ended; the transcript is printed for the
# test to check.
set -eu
app=$1
lang=$2
out=$3
shift 3
mkdir -p "$(dirname "$out")"
ready=$(mktemp -u "${TMPDIR:-/tmp}/glmdesk-ready.XXXXXX")
rm -f "$out"
# The app gets a throwaway HOME so a developer's settings never leak into the test (or back).
home=$(mktemp -d "${TMPDIR:-/tmp}/glmdesk-home.XXXXXX")
trap 'rm -rf "$home" "$ready"' EXIT
# shellcheck disable=SC2016
HOME=$home xvfb-run -a -s "-screen 0 1100x720x24" sh -c '
  app=$1 ready=$2 shot=$3 lang=$4
  shift 4
  "$app" --lang "$lang" --ready-file "$ready" --quit-after 170000 "$@" & pid=$!
  i=0
  while [ ! -f "$ready" ] && [ $i -lt 1500 ]; do
    if ! kill -0 $pid 2>/dev/null; then echo "glmdesk exited before its window appeared" >&2; exit 1; fi
    sleep 0.1; i=$((i + 1))
  done
  if [ ! -f "$ready" ]; then echo "the window never became ready" >&2; kill $pid; exit 1; fi
  import -window root "$shot"
  echo "transcript:"; cat "$ready"; echo
  kill $pid; wait $pid 2>/dev/null || true
' sh "$app" "$ready" "$out" "$lang" "$@"
test -s "$out"
colours=$(identify -format %k "$out")
stddev=$(identify -format '%[fx:int(1000*standard_deviation)]' "$out")
echo "screenshot $out: $colours distinct colours, stddev x1000 = $stddev"
# A blank or single-colour screen has 1-2 colours and no spread; text and buttons give hundreds.
if [ "$colours" -gt 64 ] && [ "$stddev" -gt 20 ]; then
  echo "screenshot check: ok"
else
  echo "screenshot check: blank"
  exit 1
fi
