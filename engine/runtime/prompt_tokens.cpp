#include "engine/runtime/prompt_tokens.h"

#include "engine/chat/prompt_format.h"
#include "engine/io/model_info.h"
#include "engine/tokenizer/gguf_vocab.h"

namespace glmdesk::engine {

Expected<std::vector<TokenId>> tokenize_prompt(const Tokenizer &tok, const Conversation &conv,
                                               const PromptOptions &options)
{
    std::vector<TokenId> ids;
    for (const PromptPiece &piece : render_prompt(conv, options)) {
        if (piece.special) {
            const auto id = tok.special_id(piece.text);
            if (!id)
                return error(StatusCode::Unsupported,
                             "the model's vocabulary has no " + piece.text + " token");
            ids.push_back(*id);
        } else if (Status s = tok.encode_append(piece.text, SpecialTokens::AsText, ids); !s.ok()) {
            return s;
        }
    }
    return ids;
}

Expected<Tokenizer> tokenizer_for_model(const ModelFiles &files)
{
    if (files.is_gguf())
        return tokenizer_from_gguf(*files.gguf());
    return Tokenizer::from_tokenizer_json(files.hf()->dir() / "tokenizer.json");
}

} // namespace glmdesk::engine
