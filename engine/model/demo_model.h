// The app's built-in demo model: a genuine GLM-4.5 network at air-mini dimensions (with the MTP
// layer, q8_0, the air-mini vocabulary) whose weights are set by hand so that, after a chat
// prompt, it writes one fixed script: a short thinking block, then a friendly answer saying that
// it is the demo and how to open a real GLM-4.5-Air model, then <|user|>. Random weights would
// write noise and never open a think block, so a new user would see nothing that looks like GLM
// Desk at work, and the end-to-end test could not open the thinking panel.
//
// How, without training: a second-order Markov machine over the script's tokens.
// - Every token of the script gets a class c (1..127; 0 is every other token) and the embedding
//   16 * e_c, a one-hot in dims 0-127 of the residual stream.
// - Layer 0's attention has one head per KV head (heads 0 and 4) that looks at the previous
//   position only: their queries and keys are constants (the q/k biases, zero matrices), chosen
//   so that after RoPE the score peaks at a distance of one, 48 nats above distance zero and
//   (checked at build) at least 43 above any other distance in the model's context. Their values
//   copy the class one-hot and o_proj writes it to dims 128-255: the residual stream then holds
//   (this token, the previous token).
// - Every other branch (the other heads, every o_proj, the dense and expert down projections, the
//   MTP layer's too) keeps its random weights scaled by 2^-8: the whole network still runs and
//   adds a little noise, far below the margins.
// - lm_head scores token j by 2L when j follows this token somewhere in the script and by L when
//   j comes two after the previous token somewhere, so the next token of the script wins by at
//   least L = 24 logits: p > 0.999999 at any temperature up to 1, greedy or sampled. The script
//   must never repeat a token pair with different continuations; build_demo_model checks that.
// - The MTP layer maps (embedding of token i+1, hidden state of token i) to the same two slots,
//   so its drafts are the script's token after next and are accepted.
// With thinking off the prompt ends in "<think></think>", and "</think>" continues with the answer
// in the script too; after any token outside the script the model opens the script's think block.
#pragma once

#include "engine/common/status.h"
#include "engine/model/synthetic_model.h"
#include "engine/tokenizer/bpe.h"

#include <string_view>
#include <vector>

namespace glmdesk::engine {

struct DemoScript
{
    std::string_view thinking;
    std::string_view answer;
};

// The texts the demo model writes (thinking without the tags; the answer after "</think>\n").
DemoScript demo_script();

// The script as token ids: <|assistant|> \n <think> thinking </think> \n answer <|user|>.
// NotFound when the vocabulary lacks one of the special tokens.
Expected<std::vector<TokenId>> demo_token_chain(const Tokenizer &tokenizer);

// The demo model for `tokenizer`'s vocabulary (air-mini's 1600 tokens). InvalidArgument when the
// script does not fit the construction (too many distinct tokens, or a token pair the script
// continues in two ways); the message names the pair.
Expected<SyntheticModel> build_demo_model(const Tokenizer &tokenizer);

} // namespace glmdesk::engine
