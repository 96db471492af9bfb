#!/usr/bin/env python3
"""Writes the tokenizer arrays of a GGUF file (tokenizer.ggml.tokens / token_type / merges / pre)
as JSON, so the tokenizer's GGUF path (Tokenizer::from_vocab) is tested on exactly what
llama.cpp's converter stored, without the tests depending on the GGUF reader.

    python3 tools/tokenizer_bench/extract_gguf_vocab.py \
        ../shared/fixtures/air-mini/gguf/air-mini-bf16.gguf tests/data/tokenizer/air_mini_gguf_vocab.json
"""
import json
import struct
import sys

SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}


def main(src, dst):
    with open(src, "rb") as f:
        def read(fmt):
            fmt = "<" + fmt
            return struct.unpack(fmt, f.read(struct.calcsize(fmt)))

        def read_string():
            (n,) = read("Q")
            return f.read(n).decode("utf-8")

        def read_value(kind):
            if kind == 8:
                return read_string()
            if kind == 9:
                elem, n = read("IQ")
                return [read_value(elem) for _ in range(n)]
            return read(SCALARS[kind])[0]

        if f.read(4) != b"GGUF":
            sys.exit(f"{src}: not a GGUF file")
        read("I")  # version
        _, n_kv = read("QQ")
        kv = {}
        for _ in range(n_kv):
            key = read_string()
            (kind,) = read("I")
            kv[key] = read_value(kind)
    out = {
        "source": src.split("/")[-1],
        "model": kv["tokenizer.ggml.model"],
        "pre": kv["tokenizer.ggml.pre"],
        "tokens": kv["tokenizer.ggml.tokens"],
        "token_type": kv["tokenizer.ggml.token_type"],
        "merges": kv["tokenizer.ggml.merges"],
    }
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
