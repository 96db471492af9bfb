#version 450
// GLM-4.5's router for one token per workgroup (GLM45_SPEC.md): logits = W x (float32 weights,
// one row per expert), scores = sigmoid(logits); the top k experts by score + correction bias
// (the bias only chooses; ties go to the lower id, as on the CPU); their weights are the plain
// scores, divided by their sum when norm_topk_prob, times routed_scaling_factor. Ids are written
// ascending, as the CPU model orders them. The logits are split over the invocations; the top-k
// of at most 256 experts is a few hundred comparisons, done by one invocation.
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer W { float router_w[]; };
layout(std430, binding = 2) readonly buffer B { float bias[]; };
layout(std430, binding = 3) writeonly buffer Ids { uint ids[]; };
layout(std430, binding = 4) writeonly buffer Weights { float weights[]; };

layout(push_constant) uniform Params {
    uint n_embd;
    uint n_experts;
    uint k;
    uint norm_topk_prob;
    float scaling;
} p;

shared float score[256];
shared float choice[256];

void main()
{
    const uint t = gl_WorkGroupID.x;
    const uint tid = gl_LocalInvocationID.x;
    const uint xb = t * p.n_embd;
    for (uint e = tid; e < p.n_experts; e += 64u) {
        float logit = 0.0;
        const uint wb = e * p.n_embd;
        for (uint i = 0u; i < p.n_embd; ++i)
            logit += router_w[wb + i] * x[xb + i];
        const float s = 1.0 / (1.0 + exp(-logit));
        score[e] = s;
        choice[e] = s + bias[e];
    }
    barrier();
    if (tid != 0u)
        return;
    uint chosen[16];
    for (uint j = 0u; j < p.k; ++j) {
        uint best = p.n_experts;
        for (uint e = 0u; e < p.n_experts; ++e) {
            bool taken = false;
            for (uint i = 0u; i < j; ++i)
                taken = taken || chosen[i] == e;
            if (!taken && (best == p.n_experts || choice[e] > choice[best]))
                best = e; // strictly greater: the lower id keeps a tie
        }
        chosen[j] = best;
    }
    // Ascending ids (insertion sort of at most 16).
    for (uint j = 1u; j < p.k; ++j) {
        const uint v = chosen[j];
        uint i = j;
        while (i > 0u && chosen[i - 1u] > v) {
            chosen[i] = chosen[i - 1u];
            --i;
        }
        chosen[i] = v;
    }
    float sum = 0.0;
    for (uint j = 0u; j < p.k; ++j)
        sum += score[chosen[j]];
    for (uint j = 0u; j < p.k; ++j) {
        float wgt = score[chosen[j]];
        if (p.norm_topk_prob != 0u)
            wgt /= sum + 1e-20;
        ids[t * p.k + j] = chosen[j];
        weights[t * p.k + j] = wgt * p.scaling;
    }
}
