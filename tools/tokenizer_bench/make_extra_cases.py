#!/usr/bin/env python3
"""Writes extra tokenizer oracle cases: random strings over the characters where regex engines
disagree most (Unicode whitespace and separators, letters and digits of many scripts, combining
marks, apostrophes with case folding, CR/LF), encoded by the Hugging Face tokenizers library with
air-mini's tokenizer.json. Complements the fixture's tokenizer_cases.json.

    pip install tokenizers
    python3 tools/tokenizer_bench/make_extra_cases.py tests/data/tokenizer/extra_cases.json
"""
import json
import random
import sys
from pathlib import Path

import tokenizers
from tokenizers import Tokenizer

ROOT = Path(__file__).resolve().parents[2]

POOL = (
    [chr(c) for c in range(0x20, 0x7F)]
    + list("\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u180e\u2000\u2005\u200a\u200b\u2028"
           "\u2029\u202f\u205f\u3000\ufeff")
    + list("'''''sStTmMdD\u017f\u212a")  # apostrophes weighted up; long s, Kelvin sign
    + list("éÉßøÆçñÜ你好世界的一中文日本語カタカナ한국어안녕")
    + list("مرحبا\u0663\u0664हिन्दी\u0915\u093f\u0301\u0308")  # Arabic(-Indic digits), Devanagari, marks
    + list("０１５\uff21\uff41²³¼Ⅻ\u2460")  # fullwidth, superscripts, fractions, Roman, circled
    + ["😀", "👍🏽", "👨\u200d👩\u200d👧", "🇨🇳", "\u2764\ufe0f"]
    + list("<|>[]/") + ["<|user|>", "<think>", "/nothink"]
)


def main(dst):
    tok = Tokenizer.from_file(str(ROOT / "tests" / "data" / "tokenizer" / "tokenizer.json"))
    rng = random.Random(777)
    texts = []
    for ws in "\x85\xa0\u1680\u180e\u2000\u200b\u2028\u3000\ufeff\x1c":
        texts += [f"a{ws}b", f"{ws}{ws}x", f"x {ws}", f"1{ws}{ws}\n"]
    for _ in range(300):
        texts.append("".join(rng.choice(POOL) for _ in range(rng.randint(1, 40))))
    cases = [{"text": t, "ids": tok.encode(t, add_special_tokens=False).ids} for t in texts]
    with open(dst, "w", encoding="utf-8") as f:
        json.dump({"generator": "tools/tokenizer_bench/make_extra_cases.py",
                   "tokenizers_version": tokenizers.__version__, "cases": cases}, f,
                  ensure_ascii=False, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
