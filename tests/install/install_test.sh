#!/usr/bin/env bash
# install_test.sh [BUILD_DIR]: package a built tree and prove the package works once installed.
#   1. the desktop file, AppStream metainfo, MIME type and icons validate (check_metadata.sh)
#   2. `cmake --install --prefix` gives a tree with no build-tree paths that runs, also after a move
#   3. `cpack -G DEB` (and TGZ): control fields, Depends without CUDA, the expected files
#   4. the .deb is installed with apt-get (proves Depends resolve), or unpacked with dpkg-deb -x
#      when not root / GLMDESK_INSTALL_MODE=extract; then glmdesk --version, glmdesk-cli --version,
#      glmdesk-cli on the installed demo model, and the GUI under Xvfb from the installed location
#   5. apt-get remove takes the program away and leaves the user's data alone
# Run it inside the build root, on a built tree (CI: build/dev after tools/dev.sh test):
#   bash tools/env-setup.sh run bash tests/install/install_test.sh build/dev
# The apt mode installs into the root it runs in: meant for the disposable build root or a CI
# machine. Set GLMDESK_INSTALL_KEEP=1 to keep the scratch folder.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd -P)
build=$(cd "${1:-$src/build/dev}" && pwd -P)
id=org.glmdesk.GlmDesk
t0=$(date +%s)

log() { printf '[install-test %3ds] %s\n' $(($(date +%s) - t0)) "$*"; }
fail() { printf '[install-test] FAIL: %s\n' "$*" >&2; exit 1; }

[ -f "$build/CPackConfig.cmake" ] || fail "$build is not a configured build tree (no CPackConfig.cmake)"
[ -x "$build/app/glmdesk" ] || fail "$build/app/glmdesk is not built (this test packages the GUI)"
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
[ -n "$version" ] || fail "no CPACK_PACKAGE_VERSION in $build/CPackConfig.cmake"

mode=${GLMDESK_INSTALL_MODE:-}
if [ -z "$mode" ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then mode=apt; else mode=extract; fi
fi
case "$mode" in apt | extract) ;; *) fail "GLMDESK_INSTALL_MODE must be apt or extract" ;; esac

work=$(mktemp -d /tmp/glmdesk-install-test.XXXXXX)
chmod 755 "$work" # apt's unprivileged download user must read the .deb
installed=0
gui_pid=
cleanup() {
  if [ -n "$gui_pid" ]; then kill "$gui_pid" 2>/dev/null || true; fi
  if [ "$installed" = 1 ]; then apt-get remove -y -q glmdesk >/dev/null 2>&1 || true; fi
  if [ "${GLMDESK_INSTALL_KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# Every file under PREFIX: no RPATH/RUNPATH and no text pointing into the build or source tree.
check_relocatable() { # check_relocatable PREFIX
  local f rp
  for f in "$1"/bin/*; do
    rp=$(readelf -d "$f" | grep -E '\((RPATH|RUNPATH)\)' || true)
    [ -z "$rp" ] || fail "$f keeps a run path: $rp"
  done
  if grep -rlF -e "$build" "$1" >"$work/leaks"; then
    fail "files under $1 name the build tree $build: $(tr '\n' ' ' <"$work/leaks")"
  fi
}

# glmdesk --version, glmdesk-cli --version and a few tokens from the demo model, from PREFIX/bin.
check_runs() { # check_runs PREFIX
  local out model="$1/share/glmdesk/demo/glmdesk-demo.gguf"
  out=$("$1/bin/glmdesk" --version) || fail "$1/bin/glmdesk --version failed"
  [[ "$out" == *"$version"* ]] || fail "glmdesk --version says '$out', expected $version"
  out=$("$1/bin/glmdesk-cli" --version) || fail "$1/bin/glmdesk-cli --version failed"
  [[ "$out" == *"$version"* ]] || fail "glmdesk-cli --version says '$out', expected $version"
  if [ -f "$model" ]; then
    "$1/bin/glmdesk-cli" --model "$model" --prompt hi --n 4 >"$work/cli.out" 2>&1 ||
      fail "glmdesk-cli on the installed demo model: $(cat "$work/cli.out")"
  elif [ -n "$demo" ]; then
    fail "the build has a demo model but $model is not installed"
  fi
}

demo=
[ -f "$build/share/glmdesk/demo/glmdesk-demo.gguf" ] && demo=yes

log "1/5 desktop file, metainfo, MIME type, icons"
bash "$src/tests/install/check_metadata.sh" "$src/resources" "$version"

log "2/5 cmake --install --strip --prefix (relocatable tree)"
cmake --install "$build" --strip --prefix "$work/prefix" >/dev/null
check_relocatable "$work/prefix"
mv "$work/prefix" "$work/moved"
check_runs "$work/moved"
log "    runs from $work/moved (installed elsewhere, then moved)"

log "3/5 cpack -G DEB;TGZ"
cpack --config "$build/CPackConfig.cmake" -G "DEB;TGZ" -B "$work/pkg" >"$work/cpack.log" 2>&1 ||
  fail "cpack: $(cat "$work/cpack.log")"
deb=$(echo "$work"/pkg/glmdesk_"$version"_*.deb)
tgz=$(echo "$work"/pkg/glmdesk-"$version"-*.tar.gz)
[ -f "$deb" ] && [ -f "$tgz" ] || fail "cpack made no .deb/.tar.gz: $(ls "$work/pkg")"
chmod 644 "$deb"
dpkg-deb --info "$deb" >"$work/info"
field() { sed -n "s/^ $1: //p" "$work/info"; }
[ "$(field Package)" = glmdesk ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version), expected $version"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] || fail "Architecture: $(field Architecture)"
[ -n "$(field Section)" ] && [ -n "$(field Maintainer)" ] && [ -n "$(field Description)" ] ||
  fail "Section, Maintainer or Description missing: $(cat "$work/info")"
depends=$(field Depends)
# Package names only: "libc6 (>= 2.38), libqt6core6t64 (>= 6.8) | x" -> one name a line.
tr ',|' '\n\n' <<<"$depends" | sed 's/(.*//; s/ //g' >"$work/depends"
for dep in 'libc6' 'libqt6core6(t64)?' 'libqt6widgets6(t64)?' 'libqt6sql6-sqlite'; do
  grep -qxE "$dep" "$work/depends" || fail "Depends lacks $dep: $depends"
done
if grep -qiE 'cuda|cublas|nvidia' <<<"$depends"; then fail "Depends names CUDA: $depends"; fi
dpkg-deb --contents "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$work/contents"
want=(/usr/bin/glmdesk /usr/bin/glmdesk-cli "/usr/share/applications/$id.desktop"
      "/usr/share/metainfo/$id.metainfo.xml" /usr/share/mime/packages/glmdesk-gguf.xml
      "/usr/share/icons/hicolor/scalable/apps/$id.svg")
for size in 16 32 48 64 128 256 512; do want+=("/usr/share/icons/hicolor/${size}x${size}/apps/$id.png"); done
[ -n "$demo" ] && want+=(/usr/share/glmdesk/demo/glmdesk-demo.gguf)
for f in "${want[@]}"; do grep -qx "$f" "$work/contents" || fail "the .deb lacks $f"; done
tar -tzf "$tgz" >"$work/tgz.contents"
grep -qE '^glmdesk-[^/]+/bin/glmdesk$' "$work/tgz.contents" || fail "the .tar.gz has no <top>/bin/glmdesk"
log "    $(basename "$deb") $(($(stat -c %s "$deb") / 1024)) KiB, $(basename "$tgz") $(($(stat -c %s "$tgz") / 1024)) KiB"
log "    Depends: $depends"

log "4/5 install ($mode) and run from the installed location"
if [ "$mode" = apt ]; then
  # One install test at a time per root: it owns the package name.
  exec 9>/var/lock/glmdesk-install-test.lock
  flock -w 600 9 || fail "another install test holds /var/lock/glmdesk-install-test.lock"
  installed=1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" \
    >"$work/apt.log" 2>&1 || fail "apt-get install: $(cat "$work/apt.log")"
  [ "$(dpkg-query -W -f '${Status}' glmdesk)" = "install ok installed" ] || fail "dpkg: not installed"
  prefix=/usr
  # dpkg's triggers compiled the MIME database: .gguf files now open with GLM Desk.
  if command -v update-mime-database >/dev/null; then
    [ -f /usr/share/mime/application/x-gguf.xml ] || fail "MIME database lacks application/x-gguf"
  fi
else
  dpkg-deb -x "$deb" "$work/root"
  prefix=$work/root/usr
fi
desktop-file-validate "$prefix/share/applications/$id.desktop"
check_runs "$prefix"

# A scratch home: the app writes its data and settings to the XDG dirs in it.
export HOME="$work/home" XDG_DATA_HOME="$work/home/.local/share" XDG_CONFIG_HOME="$work/home/.config"
export XDG_CACHE_HOME="$work/home/.cache" XDG_RUNTIME_DIR="$work/run"
mkdir -p "$XDG_DATA_HOME/glmdesk" "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
echo "a conversation the uninstall must keep" >"$XDG_DATA_HOME/glmdesk/keep-me.txt"
unset GLMDESK_DATA_DIR GLMDESK_DEMO_MODEL
gui_args=(--ready-file "$work/ready" --quit-after 4000)
[ -n "$demo" ] && gui_args+=("$prefix/share/glmdesk/demo/glmdesk-demo.gguf")
timeout 90 xvfb-run -a -s "-screen 0 1280x800x24" "$prefix/bin/glmdesk" "${gui_args[@]}" \
  >"$work/gui.log" 2>&1 &
gui_pid=$!
for _ in $(seq 1 300); do
  [ -f "$work/ready" ] && break
  kill -0 "$gui_pid" 2>/dev/null || break
  sleep 0.2
done
[ -f "$work/ready" ] || fail "the GUI never showed its window: $(cat "$work/gui.log")"
gui_rc=0
wait "$gui_pid" || gui_rc=$?
gui_pid=
[ "$gui_rc" = 0 ] || fail "the GUI exited with status $gui_rc: $(cat "$work/gui.log")"
log "    GUI from $prefix/bin: window shown under Xvfb, quit cleanly"

log "5/5 uninstall keeps user data"
(cd "$HOME" && find . -type f | sort) >"$work/home.before"
grep -q keep-me "$work/home.before" || fail "the marker file is missing before the uninstall"
if [ "$mode" = apt ]; then
  DEBIAN_FRONTEND=noninteractive apt-get remove -y -q glmdesk >"$work/apt.log" 2>&1 ||
    fail "apt-get remove: $(cat "$work/apt.log")"
  installed=0
  [ ! -e /usr/bin/glmdesk ] && [ ! -e "/usr/share/applications/$id.desktop" ] ||
    fail "apt-get remove left the program behind"
else
  rm -rf "$work/root"
fi
(cd "$HOME" && find . -type f | sort) >"$work/home.after"
diff "$work/home.before" "$work/home.after" >/dev/null ||
  fail "the uninstall changed the user's files: $(diff "$work/home.before" "$work/home.after")"
log "    kept: $(tr '\n' ' ' <"$work/home.after")"
log "all install checks passed ($mode mode)"
