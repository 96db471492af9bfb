#!/usr/bin/env bash
# Renders org.glmdesk.GlmDesk.svg into the committed hicolor PNGs (and the embedded window icon).
# Run it after editing the SVG. The build root has no SVG renderer (ImageMagick there delegates SVG
# to rsvg-convert, which is not installed), so the PNGs are committed rather than made at build
# time. Needs rsvg-convert, or Python with cairosvg (pip install cairosvg).
set -euo pipefail
cd "$(dirname "$0")"
svg=org.glmdesk.GlmDesk.svg
render() { # render SIZE OUT
  if command -v rsvg-convert >/dev/null; then
    rsvg-convert -w "$1" -h "$1" -o "$2" "$svg"
  else
    python3 -c 'import sys, cairosvg; cairosvg.svg2png(url=sys.argv[1], write_to=sys.argv[3],
                output_width=int(sys.argv[2]), output_height=int(sys.argv[2]))' "$svg" "$1" "$2"
  fi
}
for size in 16 32 48 64 128 256 512; do
  mkdir -p "hicolor/${size}x${size}/apps"
  render "$size" "hicolor/${size}x${size}/apps/org.glmdesk.GlmDesk.png"
done
cp hicolor/256x256/apps/org.glmdesk.GlmDesk.png glmdesk.png
