#!/usr/bin/env python3
"""Writes UTF-8 replacement cases: byte strings (mostly ill-formed) and what Python's
bytes.decode("utf-8", errors="replace") makes of them. Python follows the Unicode "maximal
subpart" practice, the rule engine/tokenizer/utf8.h implements, so these are its oracle.

    python3 tools/tokenizer_bench/make_utf8_cases.py tests/data/tokenizer/utf8_replace_cases.json
"""
import json
import random
import sys

# Bytes that exercise every row of Unicode Table 3-7 and its edges.
INTERESTING = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF,
               0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF]
FIXED = [
    b"", b"plain ascii", "你好, мир 😀".encode(), b"\xc0\x80", b"\xe0\x80\x80", b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80", b"\xf5\x80", b"\xe4\xbd", b"\xe4\xbd\xe5\xa5\xbd", b"\xf0\x9f\x98",
    b"a\xffb", b"\x80\x80\x80", "中".encode()[:1] + b"x", b"\xef\xbf\xbd",
]


def main(dst):
    rng = random.Random(20251123)
    samples = list(FIXED)
    for _ in range(400):
        n = rng.randint(1, 12)
        parts = []
        for _ in range(n):
            r = rng.random()
            if r < 0.4:
                parts.append(bytes([rng.choice(INTERESTING)]))
            elif r < 0.7:
                parts.append(chr(rng.choice([0x41, 0xE9, 0x4E2D, 0x1F600, 0x10FFFF, 0x7FF,
                                             0x800, 0xFFFF, 0x10000])).encode())
            else:
                whole = chr(rng.choice([0x4E2D, 0x1F600, 0xE9])).encode()
                parts.append(whole[: rng.randint(1, len(whole))])
        samples.append(b"".join(parts))
    cases = [{"bytes": s.hex(), "replaced": s.decode("utf-8", errors="replace").encode().hex(),
              "valid": _valid(s)} for s in samples]
    with open(dst, "w") as f:
        json.dump({"generator": "tools/tokenizer_bench/make_utf8_cases.py", "cases": cases}, f,
                  indent=0)
        f.write("\n")


def _valid(s):
    try:
        s.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


if __name__ == "__main__":
    main(sys.argv[1])
