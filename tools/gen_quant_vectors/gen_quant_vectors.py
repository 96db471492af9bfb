#!/usr/bin/env python3
"""Writes the bit-exact oracle for engine/quant's dequantization into tests/data/quant/.

Usage (the product and the tests never need Python; only regenerating the vectors does):
    python3 -m venv /tmp/qv && /tmp/qv/bin/pip install gguf numpy
    /tmp/qv/bin/python tools/gen_quant_vectors/gen_quant_vectors.py [--out tests/data/quant]

The oracle is gguf-py's numpy dequantizer (gguf.quants.dequantize), an implementation written
independently of ours. Blocks are random bytes, except that every fp16 scale field holds a random
*finite* value (wide range, subnormals and zero included), so the expected output has no NaN/inf
that would hide a wrong bit. F32/F16/BF16 rows deliberately include every special value: F16 is
exhaustive (all 65536 patterns).

Files (all little-endian):
  <format>.bin          b"GQV1", u32 ggml type id, u32 n_rows, then per row:
                        u32 n_weights, u32 n_bytes, n_bytes raw row, n_weights f32 expected values
  fp_conversions.bin    b"GQC1", u32 n, then n f32 inputs, n u16 numpy float16 (round to nearest
                        even), n u16 bf16 (ggml's rounding: nearest even, NaN made quiet)
  ggml_quant_sizes.txt  "name id block_size type_size" for every type gguf-py knows
  MANIFEST.txt          package versions and seed
"""

from __future__ import annotations

import argparse
import struct
from pathlib import Path

import numpy as np

import gguf
from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType as T
from gguf.quants import dequantize, quantize

SEED = 20251123

# Byte offsets of the fp16 scale fields inside one block (ggml's block layouts).
FP16_FIELDS: dict[T, tuple[int, ...]] = {
    T.Q4_0: (0,),
    T.Q4_1: (0, 2),
    T.Q5_0: (0,),
    T.Q5_1: (0, 2),
    T.Q8_0: (0,),
    T.Q2_K: (80, 82),
    T.Q3_K: (108,),
    T.Q4_K: (0, 2),
    T.Q5_K: (0, 2),
    T.Q6_K: (208,),
    T.IQ4_NL: (0,),
    T.IQ4_XS: (0,),
}

# Blocks per row: one lone block, then rows of several blocks.
ROW_BLOCKS_32 = (1, 8, 40)
ROW_BLOCKS_256 = (1, 4, 16)


def random_finite_fp16(rng: np.random.Generator) -> int:
    kind = rng.random()
    if kind < 0.15:  # subnormal (or zero)
        bits = int(rng.integers(0, 0x400))
    elif kind < 0.45:  # the magnitudes real models use
        bits = int(np.float16(rng.uniform(1e-4, 0.2)).view(np.uint16))
    else:  # any finite pattern: up to 65504
        bits = int(rng.integers(0, 0x10000))
        while (bits & 0x7C00) == 0x7C00:
            bits = int(rng.integers(0, 0x10000))
    if rng.random() < 0.5:
        bits |= 0x8000
    else:
        bits &= 0x7FFF
    return bits


def quant_row(rng: np.random.Generator, qtype: T, n_blocks: int) -> np.ndarray:
    _, type_size = GGML_QUANT_SIZES[qtype]
    blocks = rng.integers(0, 256, size=(n_blocks, type_size), dtype=np.uint8)
    for b in range(n_blocks):
        for off in FP16_FIELDS[qtype]:
            blocks[b, off : off + 2] = np.array([random_finite_fp16(rng)], dtype="<u2").view(np.uint8)
    return blocks.reshape(-1)


def float_rows(rng: np.random.Generator, qtype: T) -> list[np.ndarray]:
    specials32 = np.array(
        [0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00001, 0x7F800001,
         0x00000001, 0x807FFFFF, 0x00800000, 0x7F7FFFFF, 0x3F800000],
        dtype="<u4",
    )
    if qtype == T.F32:
        rows = [specials32, rng.integers(0, 2**32, size=500, dtype=np.uint32).astype("<u4")]
    elif qtype == T.F16:
        rows = [np.arange(0x10000, dtype="<u2")]
    else:  # BF16
        rows = [(specials32 >> 16).astype("<u2"), rng.integers(0, 2**16, size=1000, dtype=np.uint16).astype("<u2")]
    return [r.view(np.uint8) for r in rows]


def write_format(out: Path, rng: np.random.Generator, qtype: T) -> int:
    block_size, type_size = GGML_QUANT_SIZES[qtype]
    if qtype in (T.F32, T.F16, T.BF16):
        rows = float_rows(rng, qtype)
    else:
        per_row = ROW_BLOCKS_256 if block_size == 256 else ROW_BLOCKS_32
        rows = [quant_row(rng, qtype, n) for n in per_row]
    payload = bytearray(b"GQV1" + struct.pack("<II", qtype.value, len(rows)))
    for raw in rows:
        n_weights = raw.size // type_size * block_size
        expected = np.asarray(dequantize(raw.copy(), qtype), dtype=np.float32).reshape(-1)
        assert expected.size == n_weights, (qtype.name, expected.size, n_weights)
        if qtype not in (T.F32, T.F16, T.BF16):
            assert np.isfinite(expected).all(), qtype.name
        payload += struct.pack("<II", n_weights, raw.size) + raw.tobytes()
        payload += expected.astype("<f4").tobytes()
    path = out / f"{qtype.name.lower()}.bin"
    path.write_bytes(bytes(payload))
    return len(payload)


def write_conversions(out: Path, rng: np.random.Generator) -> int:
    # Inputs that stress rounding: random bit patterns, values near fp16's range and subnormal
    # boundaries, and exact halfway cases for both fp16 and bf16.
    parts = [
        rng.integers(0, 2**32, size=1500, dtype=np.uint32),
        np.frombuffer(rng.uniform(-70000, 70000, size=500).astype(np.float32).tobytes(), np.uint32),
        np.frombuffer((rng.uniform(-1, 1, size=500) * 2.0**-14).astype(np.float32).tobytes(), np.uint32),
        np.frombuffer((rng.uniform(-1, 1, size=300) * 2.0**-24).astype(np.float32).tobytes(), np.uint32),
    ]
    halves = rng.integers(0, 0x7C00, size=300, dtype=np.uint32)
    f_of_half = np.frombuffer(halves.astype("<u2").tobytes(), np.float16).astype(np.float32)
    tie16 = f_of_half.view(np.uint32) + np.uint32(0x1000)  # halfway to the next fp16 (normals)
    tie16 = np.where((halves & 0x7C00) != 0, tie16, f_of_half.view(np.uint32))
    tiebf = rng.integers(0, 2**32, size=300, dtype=np.uint32) & np.uint32(0xFFFF0000) | np.uint32(0x8000)
    specials = np.array([0x477FE000, 0x477FF000, 0x477FEFFF, 0x477FF001, 0x33000000, 0x33000001,
                         0x387FC000, 0x38800000, 0x7F7FFFFF, 0x7F7F8000, 0x7FC00000, 0x7F800001,
                         0xFF800000, 0x00000001, 0x80000000, 0x7FFFFFFF], dtype=np.uint32)
    bits = np.concatenate(parts + [tie16, tiebf, specials]).astype("<u4")
    as_f32 = bits.view(np.float32)
    with np.errstate(over="ignore", invalid="ignore"):
        f16 = as_f32.astype(np.float16).view("<u2")
    bf16 = quantize(as_f32.reshape(1, -1), T.BF16).view("<u2").reshape(-1)
    payload = b"GQC1" + struct.pack("<I", bits.size) + bits.tobytes() + f16.tobytes() + bf16.tobytes()
    (out / "fp_conversions.bin").write_bytes(payload)
    return len(payload)


def main() -> None:
    repo = Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=repo / "tests" / "data" / "quant")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)

    total = 0
    formats = [T.F32, T.F16, T.BF16, T.Q8_0, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q2_K, T.Q3_K,
               T.Q4_K, T.Q5_K, T.Q6_K, T.IQ4_NL, T.IQ4_XS]
    for qtype in formats:
        total += write_format(args.out, rng, qtype)
    total += write_conversions(args.out, rng)

    sizes = "".join(f"{t.name.lower()} {t.value} {bs} {ts}\n" for t, (bs, ts) in GGML_QUANT_SIZES.items())
    (args.out / "ggml_quant_sizes.txt").write_text(sizes)
    version = getattr(gguf, "__version__", None)
    if version is None:
        from importlib.metadata import version as pkg_version
        version = pkg_version("gguf")
    (args.out / "MANIFEST.txt").write_text(
        f"written by tools/gen_quant_vectors/gen_quant_vectors.py\n"
        f"gguf {version}, numpy {np.__version__}, seed {SEED}\n")
    print(f"wrote {len(formats)} formats + conversions, {total} bytes, to {args.out}")


if __name__ == "__main__":
    main()
