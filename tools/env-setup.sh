#!/usr/bin/env bash
# env-setup.sh — the GLM Desk toolchain on a Debian 12 (bookworm) host, as a Debian 13 (trixie)
# build root made with mmdebstrap from Debian's binary packages only:
#   Qt 6.8 (Widgets, Sql + QSQLITE, Test, LinguistTools), KF6 SyntaxHighlighting 6.13, GCC 14,
#   CMake 3.31, Vulkan loader/headers + glslc/glslangValidator + Mesa 25 lavapipe, GoogleTest 1.16,
#   Xvfb + ImageMagick; the host's /usr/local/cuda (CUDA 13 + cuBLAS) is bind-mounted in.
#
# Usage (as root; every command is idempotent):
#   env-setup.sh                 create the root, or bring it up to date (no-op when current: <1 s)
#   env-setup.sh run CMD [ARG..] run CMD inside the root; cwd, exit status and stdio carry through
#   env-setup.sh shell           interactive shell inside the root
#   env-setup.sh check           print tool versions and run quick smoke checks
#   env-setup.sh rebuild         delete the root and create it again
#   env-setup.sh remove          delete the root
#
# Environment:
#   GLMDESK_ROOT            where the root lives (default /opt/glmdesk/trixie-root)
#   GLMDESK_EXTRA_PACKAGES  more trixie packages to install (space separated)
#   GLMDESK_BINDS           more host directories to bind at the same path (space separated)
#   GLMDESK_MIRROR          Debian mirror (default http://deb.debian.org/debian)
#
# Inside `run`, the same paths as on the host are visible for: /tmp, the directory above the
# current git top-level (so a repo and a sibling shared/ both appear), GLMDESK_BINDS, and the real
# directory behind /usr/local/cuda (with /usr/local/cuda -> it). /proc, /sys and /dev come from the
# host. All mounts live in a private mount namespace (unshare) and vanish when the command ends:
# nothing is left mounted, even after kill -9.
set -euo pipefail

FORMAT=3                                     # bump to force a rebuild of existing roots
SUITE=trixie
ROOT=${GLMDESK_ROOT:-/opt/glmdesk/trixie-root}
MIRROR=${GLMDESK_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${GLMDESK_SECURITY_MIRROR:-${MIRROR%/debian}/debian-security}

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkgconf git ccache gdb valgrind
  # Qt 6 + KSyntaxHighlighting (KF6)
  qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
  qt6-translations-l10n libkf6syntaxhighlighting-dev libgl-dev libxkbcommon-dev
  # Vulkan: loader + headers, GLSL -> SPIR-V compilers, Mesa (lavapipe = CPU Vulkan driver)
  libvulkan-dev glslc glslang-tools spirv-tools mesa-vulkan-drivers vulkan-tools
  # tests: GoogleTest/GoogleMock, a real X server, screenshots, fonts (Latin + CJK)
  libgtest-dev libgmock-dev libbenchmark-dev xvfb xauth imagemagick fonts-dejavu-core fonts-wqy-microhei
  # engine: JSON (HF folders, tool schemas), PCRE2 (the tokenizer's Unicode regex); tree hygiene: the same clang-format and clang-tidy everywhere
  nlohmann-json3-dev libpcre2-dev clang-format clang-tidy
  # libFuzzer for the model-file parsers (tools/run-fuzz.sh)
  clang libclang-rt-19-dev
  # the OpenAI-compatible server and client (HTTP), API keys in the system keyring
  libcpp-httplib-dev qtkeychain-qt6-dev
  # installer: .deb packaging checks, desktop file and AppStream validation
  desktop-file-utils appstream fakeroot lintian
)
# shellcheck disable=SC2206
PACKAGES+=(${GLMDESK_EXTRA_PACKAGES:-})

SELF=$(readlink -f "${BASH_SOURCE[0]}")
STAMP="$ROOT/.glmdesk-env"
LOCK="${ROOT%/}.lock"

log() { printf '[env-setup] %s\n' "$*" >&2; }
die() { printf '[env-setup] error: %s\n' "$*" >&2; exit 1; }

need_root() {
  [ "$(id -u)" -eq 0 ] || die "run as root (mount namespaces and chroot need it)"
}

wanted_stamp() {
  printf 'format=%s suite=%s mirror=%s packages=%s\n' "$FORMAT" "$SUITE" "$MIRROR" \
    "$(printf '%s\n' "${PACKAGES[@]}" | sort -u | tr '\n' ' ')"
}

# ---------------------------------------------------------------------------- host side
ensure_host_tools() {
  command -v unshare >/dev/null || die "unshare (util-linux) missing"
  command -v mmdebstrap >/dev/null && return 0
  log "installing mmdebstrap on the host"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q --no-install-recommends mmdebstrap >/dev/null; then
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends mmdebstrap >/dev/null
  fi
}

cuda_real() {
  if [ -e /usr/local/cuda ]; then readlink -f /usr/local/cuda; fi
}

# Directories bound into the root at the same path.
bindable() {   # bindable DIR: may DIR be bound into the root at the same path?
  local d=$1
  [ -d "$d" ] || return 1
  case "$d" in
    / | /usr | /usr/* | /etc | /etc/* | /bin | /sbin | /lib* | /var | /proc* | /sys* | /dev* | /boot* | /run | /run/*) return 1 ;;
  esac
  case "$ROOT/" in "$d"/*) return 1 ;; esac   # never a parent of the root itself
  case "$d/" in "$ROOT"/*) return 1 ;; esac   # nor anything inside it
  return 0
}

bind_dirs() {
  local dirs=(/tmp) top parent d
  if top=$(git -C "$PWD" rev-parse --show-toplevel 2>/dev/null); then
    parent=$(dirname "$top")
    if bindable "$parent"; then dirs+=("$parent"); else dirs+=("$top"); fi
  else
    dirs+=("$PWD")
  fi
  # shellcheck disable=SC2206
  dirs+=(${GLMDESK_BINDS:-})
  for d in "${dirs[@]}"; do
    d=$(readlink -f "$d" 2>/dev/null) || continue
    if bindable "$d"; then printf '%s\n' "$d"; fi
  done | sort -u | awk '{ for (i = 1; i <= n; i++) if (index($0 "/", kept[i] "/") == 1) next; kept[++n] = $0; print }'
}

# ---------------------------------------------------------------------------- inside a namespace
# `__enter MODE CWD CMD...` runs in a fresh private mount namespace (see enter()).
do_enter() {
  local mode=$1 cwd=$2
  shift 2
  mount -t proc proc "$ROOT/proc"
  mount --rbind /dev "$ROOT/dev"
  mount -t sysfs -o ro sysfs "$ROOT/sys" 2>/dev/null || mount --rbind /sys "$ROOT/sys"
  local cuda
  cuda=$(cuda_real)
  if [ -n "$cuda" ] && [ -d "$cuda" ]; then
    mkdir -p "$ROOT$cuda"
    mount --bind "$cuda" "$ROOT$cuda"
    mount -o remount,bind,ro "$ROOT$cuda" 2>/dev/null || true
  fi
  if [ "$mode" = setup ]; then
    mount --bind /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
  else
    local d
    while IFS= read -r d; do
      mkdir -p "$ROOT$d"
      mount --bind "$d" "$ROOT$d"
    done < <(bind_dirs)
  fi
  # A clean environment: only what a build or a test may legitimately want from the caller.
  local env=(HOME=/root LANG=C.UTF-8 "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/cuda/bin"
             "TERM=${TERM:-dumb}" XDG_RUNTIME_DIR=/tmp/runtime-root)
  local name
  while IFS= read -r name; do
    case "$name" in
      CI | DISPLAY | XAUTHORITY | TZ | USER | LOGNAME | SOURCE_DATE_EPOCH | MAKEFLAGS | LC_ALL | COLUMNS | \
      CTEST_* | CMAKE_* | QT_* | VK_* | MESA_* | LP_* | GTEST_* | GLMDESK_* | NVCC_* | CUDA_* | \
      NINJA_* | CCACHE_* | ASAN_* | UBSAN_* | LSAN_* | TSAN_* | DEBIAN_FRONTEND)
        env+=("$name=${!name}") ;;
    esac
  done < <(compgen -e)
  # shellcheck disable=SC2016
  exec chroot "$ROOT" /usr/bin/env -i "${env[@]}" /bin/bash -c '
    mkdir -p -m 700 /tmp/runtime-root 2>/dev/null || true
    cd "$1" 2>/dev/null || { echo "[env-setup] note: $1 is not visible in the root; starting in /" >&2; cd /; }
    shift
    exec "$@"' envsetup "$cwd" "$@"
}

enter() {   # enter MODE CMD...
  local mode=$1
  shift
  [ -x "$ROOT/usr/bin/env" ] || die "no build root at $ROOT: run $SELF first"
  exec unshare --mount --propagation private -- "$SELF" __enter "$mode" "$(pwd -P)" "$@"
}

run_setup_cmd() {   # like enter, but returns
  unshare --mount --propagation private -- "$SELF" __enter setup / "$@"
}

# ---------------------------------------------------------------------------- create / update
configure_root() {   # point the root's /usr/local/cuda at the host's toolkit (bound at run time)
  local cuda link="$ROOT/usr/local/cuda"
  cuda=$(cuda_real)
  [ -n "$cuda" ] || return 0
  # An old link or empty mount point from a previous layout goes first (never follow it).
  if [ -L "$link" ]; then rm -f "$link"; elif [ -d "$link" ]; then rmdir "$link" 2>/dev/null || true; fi
  mkdir -p "$ROOT$cuda"
  if [ "$cuda" != /usr/local/cuda ]; then ln -sfn "$cuda" "$link"; fi
  printf '%s\n' "$cuda/lib64" "$cuda/lib" "$cuda/targets/x86_64-linux/lib" > "$ROOT/etc/ld.so.conf.d/zz-host-cuda.conf"
  run_setup_cmd ldconfig
}

create_root() {
  local tmp="$ROOT.new"
  cleanup_dir "$tmp"
  mkdir -p "$(dirname "$ROOT")"
  log "creating $SUITE build root in $ROOT (${#PACKAGES[@]} packages + dependencies)"
  local inc
  inc=$(IFS=,; echo "${PACKAGES[*]}")
  # mmdebstrap runs in its own mount namespace too, so an interrupted run leaves nothing mounted.
  unshare --mount --propagation private -- mmdebstrap -q \
    --variant=apt --include="$inc" \
    --aptopt='Acquire::Retries "5"' --aptopt='APT::Install-Recommends "false"' \
    --dpkgopt='force-unsafe-io' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    "$SUITE" "$tmp" \
    "deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-updates main" "deb $SECURITY_MIRROR $SUITE-security main"
  cleanup_dir "$ROOT"
  mv "$tmp" "$ROOT"
  configure_root
  wanted_stamp > "$STAMP"
}

update_root() {
  log "updating $ROOT to the wanted package set"
  run_setup_cmd /bin/sh -c "export DEBIAN_FRONTEND=noninteractive; apt-get update -q && apt-get install -y -q --no-install-recommends $(printf '%s ' "${PACKAGES[@]}") && apt-get clean" >&2
  configure_root
  wanted_stamp > "$STAMP"
}

cleanup_dir() {   # remove a (possibly half-made) root safely: unmount anything below it first
  local dir=$1 m
  [ -e "$dir" ] || return 0
  while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(awk -v d="$dir" 'index($2, d "/") == 1 {print $2}' /proc/mounts | sort -r)
  rm -rf --one-file-system "$dir"
}

setup() {   # setup [fresh]
  need_root
  mkdir -p "$(dirname "$LOCK")"
  exec 9>"$LOCK"
  flock 9   # one setup at a time (a developer and CI on one machine)
  if [ "${1:-}" = fresh ]; then
    cleanup_dir "$ROOT"
  fi
  if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(wanted_stamp)" ] && [ -x "$ROOT/usr/bin/cmake" ]; then
    # Re-check the CUDA link: the host's /usr/local/cuda may have changed since.
    local cuda
    cuda=$(cuda_real)
    if [ -z "$cuda" ] || [ "$(readlink "$ROOT/usr/local/cuda" 2>/dev/null || echo /usr/local/cuda)" = "$cuda" ]; then
      log "build root $ROOT is current"
      return 0
    fi
    configure_root
    return 0
  fi
  ensure_host_tools
  if [ -x "$ROOT/usr/bin/apt-get" ] && [ -f "$STAMP" ] && grep -q "^format=$FORMAT suite=$SUITE " "$STAMP"; then
    update_root || { log "update failed: recreating"; create_root; }
  else
    create_root
  fi
  log "build root ready: $(du -sh --one-file-system "$ROOT" | cut -f1) in $ROOT"
}

check() {
  need_root
  # shellcheck disable=SC2016
  "$SELF" run /bin/bash -c '
    set -e
    echo "gcc:      $(gcc -dumpfullversion)"
    echo "cmake:    $(cmake --version | head -1)"
    echo "Qt:       $(/usr/lib/qt6/bin/qtpaths6 --qt-version 2>/dev/null || qtpaths6 --qt-version)"
    echo "KF6 SH:   $(dpkg-query -W -f="\${Version}" libkf6syntaxhighlighting-dev)"
    echo "glslc:    $(glslc --version | head -1)"
    echo "gtest:    $(dpkg-query -W -f="\${Version}" libgtest-dev)"
    echo "mesa:     $(dpkg-query -W -f="\${Version}" mesa-vulkan-drivers)"
    echo "vulkan:   $(vulkaninfo --summary 2>/dev/null | grep -m1 -E "deviceName" | sed "s/.*= //")"
    if [ -x /usr/local/cuda/bin/nvcc ]; then echo "nvcc:     $(/usr/local/cuda/bin/nvcc --version | tail -1)"; else echo "nvcc:     (no /usr/local/cuda on the host)"; fi
  '
}

case "${1:-setup}" in
  setup) setup ;;
  run)
    shift
    [ $# -gt 0 ] || die "usage: $0 run CMD [ARG...]"
    need_root
    enter run "$@" ;;
  shell) need_root; enter run /bin/bash -l ;;
  check) check ;;
  rebuild) setup fresh ;;
  remove) need_root; cleanup_dir "$ROOT"; cleanup_dir "$ROOT.new"; log "removed $ROOT" ;;
  __enter) shift; do_enter "$@" ;;
  -h | --help | help) sed -n '2,/^set -euo/p' "$SELF" | sed '$d; s/^# \{0,1\}//' ;;
  *) die "unknown command: $1 (try --help)" ;;
esac
