// Encode throughput on tests/data/tokenizer/bench_corpus.txt (mixed Chinese, English and code),
// the same file tools/tokenizer_bench/hf_tokenizers_bench.py gives the Hugging Face library.
//   build/<dir>/tests/unit/tokenizer/bench/bench_tokenizer [--benchmark_min_time=2s]
#include "engine/tokenizer/bpe.h"
#include "engine/tokenizer/detokenizer.h"

#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>
#include <string>

using namespace glmdesk::engine;

namespace {

const std::string &corpus()
{
    static const std::string text = [] {
        std::ifstream in(std::string(GLMDESK_TEST_DATA) + "/tokenizer/bench_corpus.txt",
                         std::ios::binary);
        return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }();
    return text;
}

const Tokenizer *tokenizer()
{
    static const Expected<Tokenizer> tok = Tokenizer::from_tokenizer_json(
        std::string(GLMDESK_TEST_DATA) + "/tokenizer/tokenizer.json");
    return tok ? &tok.value() : nullptr;
}

void BM_Encode(benchmark::State &state)
{
    const Tokenizer *tok = tokenizer();
    if (tok == nullptr || corpus().empty()) {
        state.SkipWithError("tests/data/tokenizer missing");
        return;
    }
    std::size_t n_tokens = 0;
    for (auto _ : state) {
        auto ids = tok->encode(corpus(), SpecialTokens::AsText);
        benchmark::DoNotOptimize(ids);
        n_tokens = ids ? ids->size() : 0;
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * corpus().size()));
    state.counters["tokens"] = static_cast<double>(n_tokens);
    state.counters["bytes"] = static_cast<double>(corpus().size());
}
BENCHMARK(BM_Encode)->Unit(benchmark::kMillisecond);

// One encode per paragraph, as a chat app feeds messages (hf_tokenizers_bench.py "paragraphs").
void BM_EncodeParagraphs(benchmark::State &state)
{
    const Tokenizer *tok = tokenizer();
    if (tok == nullptr || corpus().empty()) {
        state.SkipWithError("tests/data/tokenizer missing");
        return;
    }
    std::vector<std::string_view> paragraphs;
    const std::string_view text = corpus();
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t cut = text.find("\n\n", pos);
        const std::size_t end = cut == std::string_view::npos ? text.size() : cut + 2;
        paragraphs.push_back(text.substr(pos, end - pos));
        pos = end;
    }
    std::vector<TokenId> ids;
    for (auto _ : state) {
        for (std::string_view p : paragraphs) {
            ids.clear();
            benchmark::DoNotOptimize(tok->encode_append(p, SpecialTokens::AsText, ids));
        }
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * corpus().size()));
    state.counters["paragraphs"] = static_cast<double>(paragraphs.size());
}
BENCHMARK(BM_EncodeParagraphs)->Unit(benchmark::kMillisecond);

void BM_PreTokenizeOnly(benchmark::State &state)
{
    const Tokenizer *tok = tokenizer();
    if (tok == nullptr || corpus().empty()) {
        state.SkipWithError("tests/data/tokenizer missing");
        return;
    }
    std::vector<Piece> pieces;
    for (auto _ : state) {
        pieces.clear();
        benchmark::DoNotOptimize(tok->pre_tokenizer().split(corpus(), pieces));
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * corpus().size()));
    state.counters["pieces"] = static_cast<double>(pieces.size());
    state.counters["jit"] = tok->pre_tokenizer().jit() ? 1 : 0;
}
BENCHMARK(BM_PreTokenizeOnly)->Unit(benchmark::kMillisecond);

void BM_StreamingDecode(benchmark::State &state)
{
    const Tokenizer *tok = tokenizer();
    if (tok == nullptr || corpus().empty()) {
        state.SkipWithError("tests/data/tokenizer missing");
        return;
    }
    const auto ids = tok->encode(corpus(), SpecialTokens::AsText);
    for (auto _ : state) {
        Detokenizer detok(*tok);
        std::size_t out = 0;
        for (TokenId id : *ids)
            out += detok.push(id).size();
        out += detok.flush().size();
        benchmark::DoNotOptimize(out);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * corpus().size()));
}
BENCHMARK(BM_StreamingDecode)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
