#!/usr/bin/env python3
"""Reference draft logits of GLM-4.5's MTP (nextn) layer for the air-mini fixture.

transformers does not run the MTP layer, so this script does, in float64 numpy, straight from
GLM45_SPEC.md sections 2 and 4. To show that its decoder layer is right, it first recomputes the
main model's logits for the `chat` prompt and checks them against transformers' reference
(fixtures/air-mini/reference.safetensors); only then does it run the MTP layer.

MTP inputs at position p (1 <= p < T): the main model's final-norm output at p-1 and the prompt
token at p; the layer runs at RoPE position p with its own KV cache; the output row is the draft
for the token at p+1.

Usage: pip install numpy; python3 tools/gen_fixtures/gen_mtp_reference.py [FIXTURES_DIR]
Writes tests/data/model/mtp_chat.bin: int32 count, int32 vocab, then per stored row
int32 position p and float32 logits[vocab].
"""
import json
import os
import struct
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIX = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "fixtures", "air-mini")


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        raw = data[8 + n + a:8 + n + b]
        dt = info["dtype"]
        if dt == "BF16":
            u = np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16
            arr = u.view(np.float32)
        elif dt == "F32":
            arr = np.frombuffer(raw, dtype=np.float32)
        elif dt == "I32":
            arr = np.frombuffer(raw, dtype=np.int32)
        else:
            raise ValueError(dt)
        out[name] = arr.reshape(info["shape"])
    return out


cfg = json.load(open(os.path.join(FIX, "hf", "config.json")))
W = load_safetensors(os.path.join(FIX, "hf", "model.safetensors"))
REF = load_safetensors(os.path.join(FIX, "reference.safetensors"))
H = cfg["hidden_size"]
NH, NKV, HD = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
RD = int(HD * cfg["partial_rotary_factor"])
EPS = cfg["rms_norm_eps"]
E, K = cfg["n_routed_experts"], cfg["num_experts_per_tok"]
L = cfg["num_hidden_layers"]
inv_freq = (1.0 / (cfg["rope_theta"] ** (np.arange(0, RD, 2, dtype=np.float32) / RD))).astype(np.float32)


def w(name):
    return W[name].astype(np.float64)


def rms_norm(x, weight):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + EPS) * weight


def rope(x, positions):  # x [T, heads, HD]
    ang = positions[:, None].astype(np.float64) * inv_freq.astype(np.float64)[None, :]
    cos, sin = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
    a, b = x[..., :RD // 2].copy(), x[..., RD // 2:RD].copy()
    x = x.copy()
    x[..., :RD // 2] = a * cos - b * sin
    x[..., RD // 2:RD] = b * cos + a * sin
    return x


def swiglu(h, p):
    g = h @ w(p + "gate_proj.weight").T
    u = h @ w(p + "up_proj.weight").T
    return (g / (1 + np.exp(-g)) * u) @ w(p + "down_proj.weight").T


def decoder_layer(x, i, positions, cache):
    """x [T, H] new rows at `positions`; cache holds (K, V) of earlier rows of this layer."""
    p = "model.layers.%d." % i
    h = rms_norm(x, w(p + "input_layernorm.weight"))
    T = x.shape[0]
    q = (h @ w(p + "self_attn.q_proj.weight").T + w(p + "self_attn.q_proj.bias")).reshape(T, NH, HD)
    k = (h @ w(p + "self_attn.k_proj.weight").T + w(p + "self_attn.k_proj.bias")).reshape(T, NKV, HD)
    v = (h @ w(p + "self_attn.v_proj.weight").T + w(p + "self_attn.v_proj.bias")).reshape(T, NKV, HD)
    q, k = rope(q, positions), rope(k, positions)
    K_all = np.concatenate([cache[0], k]) if cache[0] is not None else k
    V_all = np.concatenate([cache[1], v]) if cache[1] is not None else v
    cache[0], cache[1] = K_all, V_all
    n_old = K_all.shape[0] - T
    out = np.zeros((T, NH, HD))
    for t in range(T):
        n_keys = n_old + t + 1
        for j in range(NH):
            kv = j // (NH // NKV)
            s = K_all[:n_keys, kv] @ q[t, j] / np.sqrt(HD)
            s = np.exp(s - s.max())
            out[t, j] = (s / s.sum()) @ V_all[:n_keys, kv]
    x = x + out.reshape(T, NH * HD) @ w(p + "self_attn.o_proj.weight").T
    h = rms_norm(x, w(p + "post_attention_layernorm.weight"))
    if i < cfg["first_k_dense_replace"]:
        return x + swiglu(h, p + "mlp.")
    logits = h.astype(np.float32) @ W[p + "mlp.gate.weight"].astype(np.float32).T
    scores = (1 / (1 + np.exp(-logits))).astype(np.float32)
    choice = scores + W[p + "mlp.gate.e_score_correction_bias"].astype(np.float32)
    moe = swiglu(h, p + "mlp.shared_experts.")
    for t in range(T):
        top = np.argsort(-choice[t], kind="stable")[:K]
        wt = scores[t, top]
        if cfg["norm_topk_prob"]:
            wt = wt / (wt.sum() + np.float32(1e-20))
        wt = wt * np.float32(cfg["routed_scaling_factor"])
        for e, we in zip(top, wt.astype(np.float64)):
            moe[t] += we * swiglu(h[t:t + 1], p + "mlp.experts.%d." % e)[0]
    return x + moe


ids = REF["chat.ids"]
T = len(ids)
positions = np.arange(T)

# 1. The main model, to prove the layer code against transformers.
x = w("model.embed_tokens.weight")[ids]
for i in range(L):
    x = decoder_layer(x, i, positions, [None, None])
hidden = rms_norm(x, w("model.norm.weight"))
logits = hidden @ w("lm_head.weight").T
ref = REF["chat.logits"].astype(np.float64)
err = np.abs(logits - ref).max() / np.abs(ref).max()
print("main model vs transformers: max|diff|/max|ref| = %.3g" % err)
assert err < 1e-5, "the numpy decoder layer does not reproduce transformers"

# 2. The MTP layer over the prompt, one row per position as speculative decoding feeds it.
p = "model.layers.%d." % L
e = rms_norm(w(p + "embed_tokens.weight")[ids[1:]], w(p + "enorm.weight"))
g = rms_norm(hidden[:-1], w(p + "hnorm.weight"))
xm = np.concatenate([e, g], axis=1) @ w(p + "eh_proj.weight").T
xm = decoder_layer(xm, L, positions[1:], [None, None])
draft = rms_norm(xm, w(p + "shared_head.norm.weight")) @ w(p + "shared_head.head.weight").T

keep = list(range(0, T - 1, 4)) + [T - 2]
out_path = os.path.join(ROOT, "tests", "data", "model", "mtp_chat.bin")
os.makedirs(os.path.dirname(out_path), exist_ok=True)
with open(out_path, "wb") as f:
    f.write(struct.pack("<ii", len(keep), draft.shape[1]))
    for r in keep:
        f.write(struct.pack("<i", r + 1))
        f.write(draft[r].astype(np.float32).tobytes())
print("wrote %s: %d rows (positions %d..%d)" % (out_path, len(keep), keep[0] + 1, keep[-1] + 1))
