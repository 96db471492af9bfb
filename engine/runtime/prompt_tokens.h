// A conversation to token ids the way GLM-4.5 was trained on them: the template's structure
// tokens by id, every other piece (user, assistant, tool text) encoded with special-token parsing
// off, so typed text can never forge a turn. Also: the tokenizer that belongs to a model file.
#pragma once

#include "engine/chat/conversation.h"
#include "engine/common/status.h"
#include "engine/tokenizer/bpe.h"

#include <vector>

namespace glmdesk::engine {

class ModelFiles;

Expected<std::vector<TokenId>> tokenize_prompt(const Tokenizer &tokenizer,
                                               const Conversation &conversation,
                                               const PromptOptions &options);

// GGUF: the vocabulary in its metadata; Hugging Face folder: its tokenizer.json.
Expected<Tokenizer> tokenizer_for_model(const ModelFiles &files);

} // namespace glmdesk::engine
