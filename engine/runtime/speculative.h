// Decoding loops over a Glm45CpuModel: plain, and with GLM-4.5's MTP layer drafting tokens that one
// batched forward of the main model then verifies. Greedy verification keeps exactly the tokens
// plain greedy would have produced (a rejected draft is replaced by the main model's own choice),
// so speculative output equals plain output token for token. With sampling, verification is
// speculative sampling (verify_draft in sampler.h): every emitted token is distributed exactly as
// plain sampling would distribute it, though a seed no longer reproduces plain sampling's draws.
// Only the speed differs.
#pragma once

#include "engine/common/status.h"
#include "engine/model/glm45_forward.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace glmdesk::engine {

class Sampler;
class Glm45VulkanModel;

struct GenerateOptions
{
    int max_tokens = 128;
    // Null: greedy decoding without penalties. Drafts (draft_tokens > 0) work with any sampler.
    Sampler *sampler = nullptr;
    // Tokens before the prompt that count for repetition penalties (the prompt itself counts too).
    std::span<const std::int32_t> history;
    int draft_tokens = 1;               // MTP drafts per step; 0 = plain decoding
    std::vector<std::int32_t> stop_ids; // generation ends after emitting one of these
    const std::atomic<bool> *cancel = nullptr;
    // Replaces a draft (given every token before it: history, prompt, output, earlier drafts) with
    // a token proposed for certain (q = that token with probability 1, which speculative sampling
    // verifies as exactly as any q); -1 keeps the MTP layer's draft. A random-weight MTP layer
    // never guesses right, so tests use this to drive the accept path; lookup drafts could too.
    std::function<std::int32_t(std::span<const std::int32_t> seen)> draft_override;
    // Called for every emitted token, in order; returning false stops generation.
    std::function<bool(std::int32_t)> on_token;
};

struct GenerateResult
{
    std::vector<std::int32_t> tokens;
    int main_forwards = 0; // forward() calls after the prompt
    int drafted = 0;       // draft tokens proposed
    int accepted = 0;      // draft tokens the main model agreed with
    bool stopped_by_stop_id = false;
    double acceptance() const { return drafted ? double(accepted) / drafted : 0.0; }
};

// Runs `prompt` (appended to whatever the model's cache holds) and then decodes.
// draft_tokens > 0 needs a model with an MTP layer.
Expected<GenerateResult> generate(Glm45CpuModel &model, std::span<const std::int32_t> prompt,
                                  const GenerateOptions &options);
// The same on a Vulkan model, plain decoding only (its MTP layer does not run on the device yet):
// draft_tokens > 0 is Unsupported.
Expected<GenerateResult> generate(Glm45VulkanModel &model, std::span<const std::int32_t> prompt,
                                  const GenerateOptions &options);

} // namespace glmdesk::engine
