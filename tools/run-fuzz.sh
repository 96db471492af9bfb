#!/usr/bin/env bash
# usage: run-fuzz.sh [SECONDS]
# Builds the GGUF and safetensors parsers' libFuzzer targets with clang under ASan + UBSan and
# runs each for SECONDS (default 60). Seeds: the heads of the fixture files when ../shared is
# there; otherwise libFuzzer starts from nothing (its comparison tracing finds the magic numbers).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
build=build/fuzz
command -v clang++ >/dev/null || { echo "run-fuzz: clang++ is missing (Debian: clang libclang-rt-19-dev)"; exit 1; }
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DGLMDESK_FUZZ=ON -DGLMDESK_UI=OFF -DGLMDESK_CUDA=OFF -DGLMDESK_VULKAN=OFF \
  -DGLMDESK_SANITIZE=address,undefined >/dev/null
cmake --build "$build" --target fuzz_gguf fuzz_safetensors
fixtures=${GLMDESK_FIXTURES:-../shared/fixtures}
for target in gguf safetensors; do
  corpus="$build/corpus_$target"
  mkdir -p "$corpus"
  if [ -d "$fixtures/air-mini" ]; then
    case $target in
      gguf) seeds=$(ls "$fixtures"/air-mini/gguf/*.gguf) ;;
      safetensors) seeds="$fixtures/air-mini/hf/model.safetensors" ;;
    esac
    for f in $seeds; do head -c 65536 "$f" > "$corpus/seed-$(basename "$f")"; done
  fi
  echo "run-fuzz: fuzz_$target for ${secs}s"
  "$build/tests/unit/io/fuzz_$target" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 \
    -print_final_stats=1 "$corpus" 2>&1 | grep -E "^(stat::number_of_executed_units|stat::new_units_added|==[0-9]+==ERROR|SUMMARY)|Done [0-9]+ runs" || true
  # libFuzzer writes crash-*/leak-*/timeout-* files when it finds something.
  if ls crash-* leak-* timeout-* oom-* >/dev/null 2>&1; then
    echo "run-fuzz: fuzz_$target found a failing input:"; ls crash-* leak-* timeout-* oom-* 2>/dev/null
    exit 1
  fi
done
echo "run-fuzz: no crash, leak or timeout"
