#!/usr/bin/env python3
"""Encode throughput of the Hugging Face tokenizers library (Rust) on the corpus the C++ benchmark
uses, single string, single thread, so the two numbers can be put side by side:

    pip install tokenizers
    python3 tools/tokenizer_bench/hf_tokenizers_bench.py            # MB/s
    python3 tools/tokenizer_bench/hf_tokenizers_bench.py --write-ids tests/data/tokenizer/bench_corpus_ids.json

--write-ids stores the token count and a FNV-1a 64 hash of the ids (little-endian int32), which
the C++ unit test compares against: the whole 256 KiB corpus must tokenize identically.
"""
import argparse
import json
import os
import struct
import time
from pathlib import Path

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
import tokenizers  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "tokenizer"


def fnv1a64(ids):
    h = 0xCBF29CE484222325
    for b in b"".join(struct.pack("<i", i) for i in ids):
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokenizer", default=str(DATA / "tokenizer.json"))
    parser.add_argument("--corpus", default=str(DATA / "bench_corpus.txt"))
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--write-ids")
    args = parser.parse_args()

    tok = Tokenizer.from_file(args.tokenizer)
    text = Path(args.corpus).read_bytes().decode("utf-8")
    n_bytes = len(text.encode("utf-8"))
    ids = tok.encode(text, add_special_tokens=False).ids  # warm-up (and the ids)

    if args.write_ids:
        with open(args.write_ids, "w") as f:
            json.dump({"corpus": "bench_corpus.txt", "count": len(ids),
                       "fnv1a64": f"{fnv1a64(ids):016x}",
                       "first_ids": ids[:64]}, f, indent=1)
            f.write("\n")

    # "whole": the corpus as one string; "paragraphs": one encode per paragraph (how a chat
    # app feeds messages). bench_tokenizer has the same two cases.
    paragraphs = [p + "\n\n" for p in text.split("\n\n")]
    modes = {
        "whole": lambda: tok.encode(text, add_special_tokens=False),
        "paragraphs": lambda: [tok.encode(p, add_special_tokens=False) for p in paragraphs],
    }
    for mode, run in modes.items():
        run()
        runs = 0
        wall0, cpu0 = time.perf_counter(), time.process_time()
        while time.perf_counter() - wall0 < args.seconds:
            run()
            runs += 1
        wall = time.perf_counter() - wall0
        cpu = time.process_time() - cpu0
        mib = n_bytes * runs / (1024 * 1024)
        print(json.dumps({"library": f"tokenizers {tokenizers.__version__}", "mode": mode,
                          "bytes": n_bytes, "tokens": len(ids), "runs": runs,
                          "MiB_per_s_wall": round(mib / wall, 2),
                          "MiB_per_s_cpu": round(mib / cpu, 2)}))


if __name__ == "__main__":
    main()
