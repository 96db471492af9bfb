// Tokenizer::from_tokenizer_json: the Hugging Face tokenizer.json shape GLM-4.5 publishes (a BPE
// model, no normalizer, Split(regex, Isolated) + ByteLevel(use_regex = false) pre-tokenizer).
// Anything that would change the ids (a normalizer, BPE dropout, subword prefixes, added tokens
// with lstrip/rstrip/single_word) is refused as Unsupported rather than silently ignored.
#include "engine/tokenizer/bpe.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <limits>
#include <sstream>

namespace glmdesk::engine {

namespace {

using nlohmann::json;

// Ids beyond this are a corrupt file, not a vocabulary (GLM-4.5 has 151k).
constexpr std::int64_t max_vocabulary_id = 1 << 24;

Status unsupported(const std::string &what)
{
    return error(StatusCode::Unsupported, "tokenizer.json: " + what);
}

Status corrupt(const std::string &what)
{
    return error(StatusCode::CorruptFile, "tokenizer.json: " + what);
}

bool is_null_or_absent(const json &object, const char *key)
{
    const auto it = object.find(key);
    return it == object.end() || it->is_null();
}

bool flag(const json &object, const char *key)
{
    const auto it = object.find(key);
    return it != object.end() && it->is_boolean() && it->get<bool>();
}

// The Split regex of the pre-tokenizer, or an error naming what was found instead.
Expected<std::string> split_pattern(const json &pre)
{
    if (!pre.is_object())
        return unsupported("a pre_tokenizer is required (byte-level BPE with a Split regex)");
    std::vector<const json *> steps;
    const std::string type = pre.value("type", "");
    if (type == "Sequence") {
        const auto it = pre.find("pretokenizers");
        if (it == pre.end() || !it->is_array())
            return corrupt("pre_tokenizer Sequence without pretokenizers");
        for (const json &step : *it)
            steps.push_back(&step);
    } else {
        steps.push_back(&pre);
    }
    std::string pattern;
    bool byte_level = false;
    for (const json *step : steps) {
        if (!step->is_object())
            return corrupt("pre_tokenizer step is not an object");
        const std::string step_type = step->value("type", "");
        if (step_type == "Split") {
            const auto p = step->find("pattern");
            if (p == step->end() || !p->is_object() || !p->contains("Regex") ||
                !(*p)["Regex"].is_string())
                return unsupported("only Split with a Regex pattern is supported");
            if (step->value("behavior", "") != "Isolated" || flag(*step, "invert"))
                return unsupported("only Split with behavior Isolated is supported");
            if (!pattern.empty())
                return unsupported("more than one Split step");
            pattern = (*p)["Regex"].get<std::string>();
        } else if (step_type == "ByteLevel") {
            if (flag(*step, "use_regex") || flag(*step, "add_prefix_space"))
                return unsupported("ByteLevel with use_regex or add_prefix_space");
            byte_level = true;
        } else {
            return unsupported("pre_tokenizer step '" + step_type + "'");
        }
    }
    if (!byte_level || pattern.empty())
        return unsupported("the pre_tokenizer must be a Split regex followed by ByteLevel");
    return pattern;
}

} // namespace

Expected<Tokenizer> Tokenizer::from_tokenizer_json(const std::filesystem::path &path)
{
    const std::string name = path.filename().string();
    std::ifstream file(path, std::ios::binary);
    if (!file)
        return error(StatusCode::IoError, path.string() + ": cannot open");
    std::ostringstream text;
    text << file.rdbuf();
    if (!file.good() && !file.eof())
        return error(StatusCode::IoError, path.string() + ": read failed");
    auto tok = from_tokenizer_json_text(text.str());
    if (!tok)
        return tok.status().with_context(name);
    return tok;
}

Expected<Tokenizer> Tokenizer::from_tokenizer_json_text(std::string_view text)
{
    const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object())
        return corrupt("not a JSON object");
    // Each access below checks its type first; the catch only guards against a check missed.
    try {
        const auto model_it = doc.find("model");
        if (model_it == doc.end() || !model_it->is_object())
            return corrupt("no model object");
        const json &model = *model_it;
        if (model.value("type", "BPE") != "BPE")
            return unsupported("model type '" + model.value("type", "") + "' is not BPE");
        if (!is_null_or_absent(doc, "normalizer"))
            return unsupported("normalizers are not supported (GLM-4.5 has none)");
        if (flag(model, "byte_fallback"))
            return unsupported("byte_fallback");
        if (!is_null_or_absent(model, "dropout") &&
            !(model["dropout"].is_number() && model["dropout"].get<double>() == 0.0))
            return unsupported("BPE dropout");
        for (const char *key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
            if (!is_null_or_absent(model, key) &&
                !(model[key].is_string() && model[key].get<std::string>().empty()))
                return unsupported(std::string(key));
        }
        const bool ignore_merges = flag(model, "ignore_merges");

        auto pattern = split_pattern(doc.contains("pre_tokenizer") ? doc["pre_tokenizer"] : json());
        if (!pattern)
            return pattern.status();

        const auto vocab_it = model.find("vocab");
        if (vocab_it == model.end() || !vocab_it->is_object())
            return corrupt("model.vocab is not an object");
        const auto added_it = doc.find("added_tokens");
        const bool has_added = added_it != doc.end() && added_it->is_array();
        if (added_it != doc.end() && !added_it->is_array() && !added_it->is_null())
            return corrupt("added_tokens is not an array");

        std::int64_t max_id = -1;
        const auto check_id = [&](const json &id, const std::string &what) -> Status {
            if (!id.is_number_integer())
                return corrupt(what + ": id is not an integer");
            const std::int64_t v = id.get<std::int64_t>();
            if (v < 0 || v >= max_vocabulary_id)
                return corrupt(what + ": id " + std::to_string(v) + " out of range");
            max_id = std::max(max_id, v);
            return {};
        };
        for (const auto &[spelling, id] : vocab_it->items()) {
            if (Status s = check_id(id, "vocab entry '" + spelling + "'"); !s.ok())
                return s;
        }
        if (has_added) {
            for (const json &t : *added_it) {
                if (!t.is_object() || !t.contains("id") || !t.contains("content") ||
                    !t["content"].is_string())
                    return corrupt("an added token lacks id or content");
                if (Status s = check_id(t["id"], "added token"); !s.ok())
                    return s;
            }
        }
        if (max_id < 0)
            return corrupt("empty vocabulary");

        const auto n = static_cast<std::size_t>(max_id + 1);
        std::vector<std::string> tokens(n);
        std::vector<TokenType> types(n, TokenType::Unused); // ids nothing names are padding
        for (const auto &[spelling, id] : vocab_it->items()) {
            const auto i = id.get<std::size_t>();
            if (types[i] != TokenType::Unused)
                return corrupt("id " + std::to_string(i) + " appears twice in model.vocab");
            tokens[i] = spelling;
            types[i] = TokenType::Normal;
        }
        if (has_added) {
            for (const json &t : *added_it) {
                const std::string content = t["content"].get<std::string>();
                if (flag(t, "lstrip") || flag(t, "rstrip") || flag(t, "single_word"))
                    return unsupported("added token '" + content +
                                       "' uses lstrip/rstrip/single_word");
                const auto i = t["id"].get<std::size_t>();
                tokens[i] = content;
                types[i] = flag(t, "special") ? TokenType::Control : TokenType::UserDefined;
            }
        }

        const auto merges_it = model.find("merges");
        if (merges_it == model.end() || !merges_it->is_array())
            return corrupt("model.merges is not an array");
        std::vector<MergeRule> merges;
        merges.reserve(merges_it->size());
        for (const json &m : *merges_it) {
            if (m.is_string()) {
                const std::string s = m.get<std::string>();
                const std::size_t space = s.find(' ');
                if (space == std::string::npos || space == 0 || space + 1 >= s.size())
                    return corrupt("merge '" + s + "' is not of the form 'left right'");
                merges.push_back({s.substr(0, space), s.substr(space + 1)});
            } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
                merges.push_back({m[0].get<std::string>(), m[1].get<std::string>()});
            } else {
                return corrupt("a merge is neither 'left right' nor [left, right]");
            }
        }
        auto tok = build(std::move(tokens), std::move(types), merges, *pattern, ignore_merges);
        if (!tok)
            return tok.status().with_context("tokenizer.json");
        return tok;
    } catch (const std::exception &e) {
        return corrupt(std::string("unexpected structure: ") + e.what());
    }
}

} // namespace glmdesk::engine
