// The GGUF route to a Tokenizer: tokenizer.ggml.{model, pre, tokens, token_type, merges} as
// llama.cpp's converter writes them, handed to Tokenizer::from_vocab.
#pragma once

#include "engine/common/status.h"
#include "engine/tokenizer/bpe.h"

namespace glmdesk::engine {

class GgufReader;

// Unsupported unless tokenizer.ggml.model is "gpt2" with a known pre-tokenizer (GLM-4.5: glm4).
Expected<Tokenizer> tokenizer_from_gguf(const GgufReader &gguf);

} // namespace glmdesk::engine
