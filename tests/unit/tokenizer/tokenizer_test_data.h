// Loaders for tests/data/tokenizer: the air-mini vocabulary as tokenizer.json and as the arrays
// its GGUF stores, and the Hugging Face oracle cases.
#pragma once

#include "engine/tokenizer/bpe.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace glmdesk::test {

std::filesystem::path tokenizer_data_dir();
nlohmann::json load_tokenizer_json_file(const std::string &name);

// Loaded once; nullptr (with the reason in `why`) if loading failed.
const engine::Tokenizer *hf_tokenizer(std::string *why = nullptr);
const engine::Tokenizer *gguf_vocab_tokenizer(std::string *why = nullptr);

std::string hex_of(std::string_view bytes);
std::string bytes_of_hex(std::string_view hex);

} // namespace glmdesk::test
