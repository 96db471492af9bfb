#!/usr/bin/env python3
"""The `glm45-shape` fixture: a tiny random GLM-4.5-family model with the shape features that
air-mini (GLM-4.5-Air in miniature) lacks, and transformers' answers for it.

GLM-4.5 (full) differs from Air in ways air-mini never exercises: QK-norm (RMSNorm over each q and
k head before RoPE), routed_scaling_factor 2.5 and three leading dense layers. This model has all
three, plus a head size that is not hidden_size / heads (q is wider than the residual, as in Air),
partial RoPE (half of each head), one MTP (nextn) layer stored GLM-4.6-style without its own
embedding and head (the engine must fall back to the main ones), and random (non-unit) norm
weights, biases and router correction bias, so that a misplaced norm or bias shows in the logits.

Written to tests/data/model/glm45-shape/ (1.9 MB in all, so CI has it):
- hf/config.json         as GLM-4.5 publishes it (rope_theta, partial_rotary_factor top level)
- hf/model.safetensors   bf16, one tensor per expert, e_score_correction_bias in float32,
                         layer 5 = the MTP layer
- glm45-shape-bf16.gguf  the same weights under llama.cpp's `glm4moe` names and keys
                         (GLM45_SPEC.md section 5), experts stacked, norms/biases/router f32
- reference.safetensors  transformers (Glm4MoeForCausalLM, eager attention, float64 from the
                         bf16 weights) for the prompts below, float32/int32 tensors:
    <p>.ids [T], <p>.logits [T, V], <p>.argmax [T], <p>.layer_out.<i> [T, H], <p>.final_norm [T, H],
    <p>.router_idx.<i> / <p>.router_w.<i> [T, k] (MoE layers: sorted expert ids, final weights),
    <p>.greedy [32] (KV-cached greedy generate), <p>.mtp_logits [T-1, V] (the MTP layer run with
    transformers' own decoder-layer module: row i pairs final_norm at position i with the token at
    i+1, at RoPE position i+1, causal over those rows). Prompts: `short` (7 ids), `random` (29)
    and `long` (96; only ids, argmax, greedy and logits_tail, its last 8 rows, to save space).
- reference.json         what each tensor is, the config, versions, and the smallest top-2 logit
                         gap on each greedy path (the greedy test is meaningful only if it is
                         clear of float32 rounding).

Rerun (about a minute on a CPU; needs no GPU):
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install torch transformers safetensors numpy gguf
    /tmp/venv/bin/python tools/gen_fixtures/gen_glm45_shape.py [OUT_DIR]
The weights come from a fixed seed, so a rerun with the same library versions reproduces the files.
"""
import json
import os
import sys

import numpy as np
import torch
from safetensors.numpy import save_file as save_numpy

import gguf
import transformers
from transformers import Glm4MoeConfig, Glm4MoeForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests", "data", "model", "glm45-shape")

SEED = 4504
V = 256          # vocabulary rows (no tokenizer: the tests speak token ids)
H = 64           # hidden
N_HEAD = 4
N_KV = 2
HEAD_DIM = 32    # q width 128 = 2 H, as Air's q is 3 H
N_LAYER = 5      # 3 dense + 2 MoE
N_DENSE = 3
N_NEXTN = 1
FF = 128         # dense MLP width
FF_EXP = 32      # expert / shared expert width
N_EXP = 8
TOP_K = 2
SCALE = 2.5
THETA = 1000000.0
EPS = 1e-5
N_GREEDY = 32

CONFIG = {
    "architectures": ["Glm4MoeForCausalLM"],
    "attention_bias": True,
    "attention_dropout": 0.0,
    "bos_token_id": None,
    "eos_token_id": [V - 3, V - 2, V - 1],
    "first_k_dense_replace": N_DENSE,
    "head_dim": HEAD_DIM,
    "hidden_act": "silu",
    "hidden_size": H,
    "initializer_range": 0.02,
    "intermediate_size": FF,
    "max_position_embeddings": 4096,
    "model_type": "glm4_moe",
    "moe_intermediate_size": FF_EXP,
    "n_group": 1,
    "n_routed_experts": N_EXP,
    "n_shared_experts": 1,
    "norm_topk_prob": True,
    "num_attention_heads": N_HEAD,
    "num_experts_per_tok": TOP_K,
    "num_hidden_layers": N_LAYER,
    "num_key_value_heads": N_KV,
    "num_nextn_predict_layers": N_NEXTN,
    "pad_token_id": V - 3,
    "partial_rotary_factor": 0.5,
    "rms_norm_eps": EPS,
    "routed_scaling_factor": SCALE,
    "tie_word_embeddings": False,
    "topk_group": 1,
    "torch_dtype": "bfloat16",
    "use_cache": True,
    "use_qk_norm": True,
    "vocab_size": V,
    "rope_theta": THETA,
}

rng = np.random.default_rng(SEED)


def bf16_round(a):
    """float32 -> the float32 value of its bf16 rounding (round to nearest even)."""
    a = np.ascontiguousarray(a, dtype=np.float32)
    u = a.view(np.uint32).astype(np.uint64)
    u = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) << 16
    return u.astype(np.uint32).view(np.float32)


def bf16_bits(a):
    return (np.ascontiguousarray(a, dtype=np.float32).view(np.uint32) >> 16).astype(np.uint16)


def linear(rows, cols, gain=1.0):
    # std 1/sqrt(fan_in) keeps activations O(1) through the layers, so logits spread widely
    # enough for a clear argmax (transformers' 0.02 init would make every logit near 0).
    return bf16_round(rng.standard_normal((rows, cols)) * gain / np.sqrt(cols))


def norm(n):
    return bf16_round(1.0 + 0.25 * rng.standard_normal(n))


def bias(n, scale=0.1):
    return bf16_round(scale * rng.standard_normal(n))


def make_layer(prefix, moe, w):
    q_dim, kv_dim = N_HEAD * HEAD_DIM, N_KV * HEAD_DIM
    w[prefix + "input_layernorm.weight"] = norm(H)
    w[prefix + "post_attention_layernorm.weight"] = norm(H)
    a = prefix + "self_attn."
    w[a + "q_proj.weight"] = linear(q_dim, H)
    w[a + "q_proj.bias"] = bias(q_dim)
    w[a + "k_proj.weight"] = linear(kv_dim, H)
    w[a + "k_proj.bias"] = bias(kv_dim)
    w[a + "v_proj.weight"] = linear(kv_dim, H)
    w[a + "v_proj.bias"] = bias(kv_dim)
    w[a + "o_proj.weight"] = linear(H, q_dim)
    w[a + "q_norm.weight"] = norm(HEAD_DIM)
    w[a + "k_norm.weight"] = norm(HEAD_DIM)
    m = prefix + "mlp."
    if not moe:
        w[m + "gate_proj.weight"] = linear(FF, H)
        w[m + "up_proj.weight"] = linear(FF, H)
        w[m + "down_proj.weight"] = linear(H, FF)
        return
    # A router wide enough that the choices are clear, and a correction bias large enough to
    # change some of them (it decides who is chosen, never the weights).
    w[m + "gate.weight"] = linear(N_EXP, H, gain=2.0)
    w[m + "gate.e_score_correction_bias"] = (0.15 * rng.standard_normal(N_EXP)).astype(np.float32)
    for e in range(N_EXP):
        x = m + f"experts.{e}."
        w[x + "gate_proj.weight"] = linear(FF_EXP, H)
        w[x + "up_proj.weight"] = linear(FF_EXP, H)
        w[x + "down_proj.weight"] = linear(H, FF_EXP)
    s = m + "shared_experts."
    w[s + "gate_proj.weight"] = linear(FF_EXP, H)
    w[s + "up_proj.weight"] = linear(FF_EXP, H)
    w[s + "down_proj.weight"] = linear(H, FF_EXP)


def make_weights():
    w = {}
    w["model.embed_tokens.weight"] = bf16_round(rng.standard_normal((V, H)))
    for i in range(N_LAYER):
        make_layer(f"model.layers.{i}.", i >= N_DENSE, w)
    w["model.norm.weight"] = norm(H)
    w["lm_head.weight"] = linear(V, H, gain=3.0)
    L = N_LAYER
    make_layer(f"model.layers.{L}.", True, w)
    w[f"model.layers.{L}.eh_proj.weight"] = linear(H, 2 * H)
    w[f"model.layers.{L}.enorm.weight"] = norm(H)
    w[f"model.layers.{L}.hnorm.weight"] = norm(H)
    w[f"model.layers.{L}.shared_head.norm.weight"] = norm(H)
    return w


# ------------------------------------------------------------------------------------------ files

def write_hf(w, folder):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(CONFIG, f, indent=2)
        f.write("\n")
    # bf16 everywhere but the router's correction bias (float32, as GLM-4.5 publishes it).
    # safetensors.numpy has no bfloat16, so the bf16 tensors go through torch.
    from safetensors.torch import save_file
    tensors = {}
    for name, a in w.items():
        t = torch.from_numpy(np.ascontiguousarray(a))
        tensors[name] = t if name.endswith("e_score_correction_bias") else t.to(torch.bfloat16)
    save_file(tensors, os.path.join(folder, "model.safetensors"), metadata={"format": "pt"})


GGUF_LAYER = {
    "input_layernorm.weight": "attn_norm.weight",
    "post_attention_layernorm.weight": "post_attention_norm.weight",
    "self_attn.q_proj.weight": "attn_q.weight",
    "self_attn.q_proj.bias": "attn_q.bias",
    "self_attn.k_proj.weight": "attn_k.weight",
    "self_attn.k_proj.bias": "attn_k.bias",
    "self_attn.v_proj.weight": "attn_v.weight",
    "self_attn.v_proj.bias": "attn_v.bias",
    "self_attn.o_proj.weight": "attn_output.weight",
    "self_attn.q_norm.weight": "attn_q_norm.weight",
    "self_attn.k_norm.weight": "attn_k_norm.weight",
    "mlp.gate_proj.weight": "ffn_gate.weight",
    "mlp.up_proj.weight": "ffn_up.weight",
    "mlp.down_proj.weight": "ffn_down.weight",
    "mlp.gate.weight": "ffn_gate_inp.weight",
    "mlp.gate.e_score_correction_bias": "exp_probs_b.bias",
    "mlp.shared_experts.gate_proj.weight": "ffn_gate_shexp.weight",
    "mlp.shared_experts.up_proj.weight": "ffn_up_shexp.weight",
    "mlp.shared_experts.down_proj.weight": "ffn_down_shexp.weight",
    "eh_proj.weight": "nextn.eh_proj.weight",
    "enorm.weight": "nextn.enorm.weight",
    "hnorm.weight": "nextn.hnorm.weight",
    "shared_head.norm.weight": "nextn.shared_head_norm.weight",
}


def gguf_tensors(w):
    """(name, float32 array in numpy order, keep f32) for every GGUF tensor."""
    out = [("token_embd.weight", w["model.embed_tokens.weight"], False),
           ("output_norm.weight", w["model.norm.weight"], True),
           ("output.weight", w["lm_head.weight"], False)]
    for i in range(N_LAYER + N_NEXTN):
        p = f"model.layers.{i}."
        for hf, gg in GGUF_LAYER.items():
            if p + hf in w:
                a = w[p + hf]
                # As llama.cpp's converter: 1-D tensors and the router stay f32.
                out.append((f"blk.{i}.{gg}", a, a.ndim == 1 or hf == "mlp.gate.weight"))
        if p + "mlp.experts.0.gate_proj.weight" in w:
            for proj, gg in (("gate", "ffn_gate_exps"), ("up", "ffn_up_exps"),
                             ("down", "ffn_down_exps")):
                stacked = np.stack([w[p + f"mlp.experts.{e}.{proj}_proj.weight"]
                                    for e in range(N_EXP)])
                out.append((f"blk.{i}.{gg}.weight", stacked, False))
    return out


def write_gguf(w, path):
    writer = gguf.GGUFWriter(path, "glm4moe")
    a = "glm4moe."
    writer.add_string("general.name", "glm45-shape")
    writer.add_uint32(a + "context_length", CONFIG["max_position_embeddings"])
    writer.add_uint32(a + "embedding_length", H)
    writer.add_uint32(a + "block_count", N_LAYER + N_NEXTN)
    writer.add_uint32(a + "feed_forward_length", FF)
    writer.add_uint32(a + "attention.head_count", N_HEAD)
    writer.add_uint32(a + "attention.head_count_kv", N_KV)
    writer.add_uint32(a + "attention.key_length", HEAD_DIM)
    writer.add_uint32(a + "attention.value_length", HEAD_DIM)
    writer.add_float32(a + "attention.layer_norm_rms_epsilon", EPS)
    writer.add_uint32(a + "rope.dimension_count", HEAD_DIM // 2)
    writer.add_float32(a + "rope.freq_base", THETA)
    writer.add_uint32(a + "expert_count", N_EXP)
    writer.add_uint32(a + "expert_used_count", TOP_K)
    writer.add_uint32(a + "expert_feed_forward_length", FF_EXP)
    writer.add_uint32(a + "expert_shared_count", 1)
    writer.add_uint32(a + "leading_dense_block_count", N_DENSE)
    writer.add_uint32(a + "expert_gating_func", 2)
    writer.add_float32(a + "expert_weights_scale", SCALE)
    writer.add_bool(a + "expert_weights_norm", True)
    writer.add_uint32(a + "expert_group_count", 1)
    writer.add_uint32(a + "expert_group_used_count", 1)
    writer.add_uint32(a + "nextn_predict_layers", N_NEXTN)
    for name, arr, keep_f32 in gguf_tensors(w):
        if keep_f32:
            writer.add_tensor(name, np.ascontiguousarray(arr, dtype=np.float32))
        else:
            # bf16 bits viewed as bytes: the writer derives the element shape from the byte shape.
            raw = bf16_bits(arr).view(np.uint8)
            writer.add_tensor(name, raw, raw_dtype=gguf.GGMLQuantizationType.BF16)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


# -------------------------------------------------------------------------------- the reference

def load_reference_model(folder):
    model, info = Glm4MoeForCausalLM.from_pretrained(
        folder, dtype=torch.float64, attn_implementation="eager", experts_implementation="eager",
        output_loading_info=True)
    missing = info.get("missing_keys", [])
    unexpected = [k for k in info.get("unexpected_keys", [])
                  if not k.startswith(f"model.layers.{N_LAYER}.")]
    assert not missing and not unexpected, (missing, unexpected)
    model.eval()
    cfg = model.config
    assert cfg.use_qk_norm and cfg.first_k_dense_replace == N_DENSE
    assert abs(cfg.routed_scaling_factor - SCALE) < 1e-12
    return model


def run_prompt(model, ids, name, out, notes):
    L = model.model.layers
    captured = {}
    hooks = []
    for i, layer in enumerate(L):
        hooks.append(layer.register_forward_hook(
            lambda mod, args, res, i=i: captured.__setitem__(
                f"layer_out.{i}", (res[0] if isinstance(res, tuple) else res).detach().clone())))
        if i >= N_DENSE:
            # The router returns (logits, final weights, chosen experts).
            hooks.append(layer.mlp.gate.register_forward_hook(
                lambda mod, args, res, i=i: captured.__setitem__(
                    f"route.{i}", tuple(r.detach().clone() for r in res))))
    hooks.append(model.model.norm.register_forward_hook(
        lambda mod, args, res: captured.__setitem__("final_norm", res.detach().clone())))
    with torch.no_grad():
        res = model(torch.tensor([ids]), use_cache=False)
    for h in hooks:
        h.remove()
    logits = res.logits[0].double().numpy()
    out[f"{name}.ids"] = np.array(ids, dtype=np.int32)
    out[f"{name}.logits"] = logits.astype(np.float32)
    out[f"{name}.argmax"] = logits.argmax(-1).astype(np.int32)
    for i in range(N_LAYER):
        out[f"{name}.layer_out.{i}"] = captured[f"layer_out.{i}"][0].numpy().astype(np.float32)
    out[f"{name}.final_norm"] = captured["final_norm"][0].numpy().astype(np.float32)
    for i in range(N_DENSE, N_LAYER):
        router_logits, wts, idx = captured[f"route.{i}"]
        idx, wts = idx.numpy(), wts.double().numpy()
        order = np.argsort(idx, axis=-1, kind="stable")
        out[f"{name}.router_idx.{i}"] = np.take_along_axis(idx, order, -1).astype(np.int32)
        out[f"{name}.router_w.{i}"] = np.take_along_axis(wts, order, -1).astype(np.float32)
        # How many choices the correction bias changed (it must matter for the test to mean it).
        plain = torch.topk(router_logits.sigmoid(), TOP_K, dim=-1).indices.numpy()
        # The margin between the k-th and (k+1)-th choice score: float rounding in an engine must
        # stay well below it for `router_idx` to be comparable exactly.
        choice = (router_logits.sigmoid() + mlp_bias(model, i)).double()
        top = torch.topk(choice, TOP_K + 1, dim=-1).values
        margin = float((top[:, TOP_K - 1] - top[:, TOP_K]).min())
        notes.setdefault("router_min_choice_margin", {})[f"{name}.{i}"] = margin
        notes.setdefault("tokens_whose_choice_the_bias_changed", {})[f"{name}.{i}"] = int(
            (np.sort(plain, -1) != np.sort(idx, -1)).any(-1).sum())

    # Greedy continuation, KV-cached as the engine decodes.
    with torch.no_grad():
        gen = model.generate(torch.tensor([ids]), max_new_tokens=N_GREEDY, do_sample=False,
                             min_new_tokens=N_GREEDY, eos_token_id=None, pad_token_id=None,
                             output_scores=True, return_dict_in_generate=True)
    out[f"{name}.greedy"] = gen.sequences[0, len(ids):].numpy().astype(np.int32)
    gaps = []
    for s in gen.scores:
        top2 = torch.topk(s[0].double(), 2).values
        gaps.append(float(top2[0] - top2[1]) / float(s[0].abs().max()))
    notes.setdefault("greedy_min_rel_top2_gap", {})[name] = min(gaps)
    notes.setdefault("prompt_min_rel_top2_gap", {})[name] = float(min(
        (np.sort(r)[-1] - np.sort(r)[-2]) / np.abs(r).max() for r in logits))
    return captured["final_norm"][0]


def mlp_bias(model, i):
    return model.model.layers[i].mlp.gate.e_score_correction_bias


def mtp_reference(model, mtp_w, ids, hidden, name, out):
    """The MTP layer with transformers' own decoder layer module (float64)."""
    from transformers.models.glm4_moe.modeling_glm4_moe import Glm4MoeDecoderLayer, Glm4MoeRMSNorm
    cfg = model.config
    L = N_LAYER
    layer = Glm4MoeDecoderLayer(cfg, L).double().eval()
    prefix = f"model.layers.{L}."
    state = {k[len(prefix):]: torch.from_numpy(v).double() for k, v in mtp_w.items()
             if k.startswith(prefix) and not k[len(prefix):].startswith(
                 ("eh_proj", "enorm", "hnorm", "shared_head"))}
    loaded = load_layer_state(layer, state)
    assert loaded, "MTP layer weights did not load"

    def rms(name_):
        n = Glm4MoeRMSNorm(H, eps=EPS).double()
        n.weight.data = torch.from_numpy(mtp_w[prefix + name_]).double()
        return n
    enorm, hnorm, head_norm = rms("enorm.weight"), rms("hnorm.weight"), rms("shared_head.norm.weight")
    eh = torch.from_numpy(mtp_w[prefix + "eh_proj.weight"]).double()
    embed = model.model.embed_tokens.weight.double()
    head = model.lm_head.weight.double()
    T = len(ids)
    with torch.no_grad():
        tok = torch.tensor(ids[1:])
        cat = torch.cat([enorm(embed[tok]), hnorm(hidden[:T - 1])], dim=-1)
        x = (cat @ eh.T)[None]
        pos = torch.arange(1, T)[None]
        cos_sin = model.model.rotary_emb(x, pos)
        n = T - 1
        mask = torch.full((n, n), float("-inf"), dtype=x.dtype).triu(1)[None, None]
        y = layer(x, attention_mask=mask, position_ids=pos, position_embeddings=cos_sin)
        y = y[0] if isinstance(y, tuple) else y
        logits = head_norm(y[0]) @ head.T
    out[f"{name}.mtp_logits"] = logits.numpy().astype(np.float32)


def load_layer_state(layer, state):
    """Per-expert checkpoint names into whatever layout this transformers keeps experts in."""
    own = layer.state_dict()
    if all(k in own for k in state) and all(k in state for k in own):
        layer.load_state_dict(state)
        return True
    # transformers 5 fuses the experts: gate_up_proj [E, 2F, H] and down_proj [E, H, F].
    fused = {k: v for k, v in state.items() if ".experts." not in k}
    gate = torch.stack([state[f"mlp.experts.{e}.gate_proj.weight"] for e in range(N_EXP)])
    up = torch.stack([state[f"mlp.experts.{e}.up_proj.weight"] for e in range(N_EXP)])
    down = torch.stack([state[f"mlp.experts.{e}.down_proj.weight"] for e in range(N_EXP)])
    for k in own:
        if k.endswith("experts.gate_up_proj"):
            want = own[k].shape
            fused[k] = torch.cat([gate, up], dim=1) if want[1] == 2 * FF_EXP else \
                torch.cat([gate, up], dim=1).transpose(1, 2)
        elif k.endswith("experts.down_proj"):
            fused[k] = down if own[k].shape == down.shape else down.transpose(1, 2)
    missing = [k for k in own if k not in fused]
    assert not missing, missing
    layer.load_state_dict(fused)
    return True


def main():
    torch.manual_seed(SEED)
    w = make_weights()
    os.makedirs(OUT, exist_ok=True)
    hf = os.path.join(OUT, "hf")
    write_hf(w, hf)
    write_gguf(w, os.path.join(OUT, "glm45-shape-bf16.gguf"))

    model = load_reference_model(hf)
    # The transformers model must hold exactly our bf16 weights (catches a layout mix-up).
    sd = model.state_dict()
    assert np.array_equal(sd["model.layers.4.self_attn.q_norm.weight"].numpy(),
                          w["model.layers.4.self_attn.q_norm.weight"].astype(np.float64))

    prompts = {
        "short": [int(t) for t in rng.integers(0, V - 3, 7)],
        "random": [int(t) for t in rng.integers(0, V - 3, 29)],
        "long": [int(t) for t in rng.integers(0, V - 3, 96)],
    }
    out, notes = {}, {}
    for name, ids in prompts.items():
        hidden = run_prompt(model, ids, name, out, notes)
        if name == "long":
            # Size: the long prompt keeps its last 8 logit rows, argmax and greedy tokens only.
            for k in [k for k in out if k.startswith("long.")]:
                if k == "long.logits":
                    out["long.logits_tail"] = np.ascontiguousarray(out[k][-8:])
                if k not in ("long.ids", "long.argmax", "long.greedy"):
                    del out[k]
        else:
            mtp_reference(model, w, ids, hidden, name, out)
    save_numpy(out, os.path.join(OUT, "reference.safetensors"))
    meta = {
        "<p>.ids": "prompt token ids [T] (int32)",
        "<p>.logits": "logits at every prompt position [T, V], float64 reference stored as float32",
        "<p>.argmax": "argmax of the logits at every prompt position [T]",
        "<p>.layer_out.<i>": "residual stream after decoder layer i [T, H]",
        "<p>.final_norm": "output of model.norm [T, H]",
        "<p>.router_idx.<i>": "chosen routed experts per token, sorted ascending [T, k] (MoE layers)",
        "<p>.router_w.<i>": "their weights after normalisation and routed_scaling_factor [T, k]",
        "<p>.greedy": f"{N_GREEDY} greedy tokens after the prompt (KV-cached generate)",
        "<p>.mtp_logits": "MTP draft logits [T-1, V]: row i from final_norm[i] and ids[i+1], "
                          "RoPE position i+1",
        "long.logits_tail": "the long prompt keeps only ids, argmax, greedy and its last 8 logit "
                            "rows [8, V]",
        "prompts": {k: len(v) for k, v in prompts.items()},
        "config": CONFIG,
        "seed": SEED,
        "reference": f"transformers {transformers.__version__} Glm4MoeForCausalLM, eager "
                     f"attention, CPU, float64 from the bf16 weights; torch {torch.__version__}",
        "notes": notes,
    }
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(dp, fn)) for dp, _, fns in os.walk(OUT) for fn in fns)
    print(json.dumps(notes, indent=1))
    print(f"wrote {OUT}: {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
