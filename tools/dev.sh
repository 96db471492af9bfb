#!/usr/bin/env bash
# dev.sh — the README's two commands: set up everything a fresh Debian machine needs, build, then
#   tools/dev.sh app [ARGS...]    launch glmdesk (ARGS go to the app, e.g. a model path)
#   tools/dev.sh test [ARGS...]   run the whole ctest suite (ARGS go to ctest, e.g. -L unit)
# Both are idempotent and run as root or through sudo (they re-run themselves with sudo).
# The toolchain (Qt 6.8, KF6 SyntaxHighlighting, GCC 14, Vulkan + lavapipe, GoogleTest) lives in a
# Debian 13 build root made from Debian's own packages by tools/env-setup.sh; the host's CUDA
# toolkit, when there is one, is used from inside it.
#
# Environment: GLMDESK_PRESET (default dev; see CMakePresets.json), GLMDESK_JOBS (build jobs).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
top=$(cd "$here/.." && pwd -P)
env_setup="$here/env-setup.sh"
preset=${GLMDESK_PRESET:-dev}

die() { printf 'dev.sh: error: %s\n' "$*" >&2; exit 1; }
log() { printf '[dev.sh] %s\n' "$*" >&2; }

usage() {
  sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

need_root() {
  [ "$(id -u)" -eq 0 ] && return 0
  command -v sudo >/dev/null 2>&1 ||
    die "must run as root (the build root needs mount namespaces and chroot), and sudo is not installed: run it as root"
  log "re-running with sudo"
  exec sudo --preserve-env=DISPLAY,XAUTHORITY,LANG,LC_ALL,GLMDESK_PRESET,GLMDESK_JOBS,CI \
    "XAUTHORITY=${XAUTHORITY:-$HOME/.Xauthority}" "$0" "$@"
}

check_host() {
  [ -r /etc/debian_version ] || die "this script sets up Debian hosts (no /etc/debian_version found)"
  local tool
  for tool in apt-get unshare chroot flock git; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' is missing on the host (Debian: apt-get install util-linux coreutils git)"
  done
  [ -e "$top/.git" ] || die "$top is not a git checkout: clone the repository and run this from it"
}

setup_and_build() {
  bash "$env_setup"
  local jobs=${GLMDESK_JOBS:-$(nproc)}
  log "configuring (preset $preset)"
  bash "$env_setup" run cmake --preset "$preset" -S "$top" >/dev/null
  log "building with $jobs jobs"
  bash "$env_setup" run cmake --build "$top/build/$preset" -j "$jobs"
}

cmd=${1:-}
case "$cmd" in
  app | test) shift ;;
  -h | --help | help) usage; exit 0 ;;
  *) usage >&2; die "unknown command '${cmd}': use 'app' or 'test'" ;;
esac

need_root "$cmd" "$@"
check_host
cd "$top"
setup_and_build

case "$cmd" in
  test)
    exec bash "$env_setup" run ctest --test-dir "$top/build/$preset" --output-on-failure \
      --timeout 600 -j "${GLMDESK_JOBS:-$(nproc)}" "$@"
    ;;
  app)
    [ -n "${DISPLAY:-}" ] ||
      die "no X display (DISPLAY is unset): start GLM Desk from a graphical session"
    # The X authority file is usually in the user's home, which the build root cannot see.
    if [ -n "${XAUTHORITY:-}" ] && [ -f "$XAUTHORITY" ]; then
      export GLMDESK_BINDS="${GLMDESK_BINDS:-} $(dirname "$XAUTHORITY")"
    else
      unset XAUTHORITY
    fi
    lang_args=()
    case "${LC_ALL:-${LANG:-}}" in zh_CN* | zh_SG* | zh.*) lang_args=(--lang zh_CN) ;; esac
    exec bash "$env_setup" run "$top/build/$preset/app/glmdesk" "${lang_args[@]}" "$@"
    ;;
esac
