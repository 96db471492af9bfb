// glmdesk-demo-model OUT.gguf: writes the app's built-in demo model (engine/model/demo_model.h)
// with air-mini's vocabulary. Run at build time by the glmdesk_demo_model target.
#include "engine/io/gguf_writer.h"
#include "engine/model/demo_model.h"
#include "engine/model/synthetic_model.h"
#include "engine/tokenizer/bpe.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

// tests/data/tokenizer/air_mini_gguf_vocab.json, compiled in (see app/CMakeLists.txt).
extern const unsigned char glmdesk_air_mini_vocab_json[];
extern const std::size_t glmdesk_air_mini_vocab_json_size;

namespace {

int fail(const std::string &message)
{
    std::fprintf(stderr, "glmdesk-demo-model: %s\n", message.c_str());
    return 1;
}

} // namespace

int main(int argc, char **argv)
{
    namespace engine = glmdesk::engine;
    if (argc != 2)
        return fail("usage: glmdesk-demo-model OUT.gguf");
    const auto j = nlohmann::json::parse(
        glmdesk_air_mini_vocab_json, glmdesk_air_mini_vocab_json + glmdesk_air_mini_vocab_json_size,
        nullptr, false);
    if (j.is_discarded() || !j.contains("tokens") || !j.contains("token_type") ||
        !j.contains("merges"))
        return fail("the compiled-in air-mini vocabulary does not parse");
    engine::GgufVocab vocab;
    vocab.model = j.value("model", "gpt2");
    vocab.pre = j.value("pre", "glm4");
    vocab.tokens = j["tokens"].get<std::vector<std::string>>();
    vocab.token_types = j["token_type"].get<std::vector<std::int32_t>>();
    vocab.merges = j["merges"].get<std::vector<std::string>>();
    auto tokenizer =
        engine::Tokenizer::from_vocab(vocab.tokens, vocab.token_types, vocab.merges, vocab.pre);
    if (!tokenizer)
        return fail(tokenizer.status().to_string());
    auto model = engine::build_demo_model(*tokenizer);
    if (!model)
        return fail(model.status().to_string());
    engine::GgufWriter writer;
    if (engine::Status s = model->add_to_gguf(writer); !s.ok())
        return fail(s.to_string());
    if (engine::Status s = engine::add_vocab_to_gguf(writer, vocab); !s.ok())
        return fail(s.to_string());
    if (engine::Status s = writer.write(argv[1]); !s.ok())
        return fail(s.to_string());
    std::fprintf(stderr, "wrote %s (%.1f MB)\n", argv[1],
                 static_cast<double>(writer.file_size()) / 1e6);
    return 0;
}
