// Deterministic mutation "fuzzing": a few thousand seeded mutations (byte flips, overwrites with
// boundary values, truncations, duplicated spans) of a valid GGUF header and a valid safetensors
// header. Every outcome must be a value: success with tensors inside the buffer, or a Status.
// Under ASan/UBSan this is the regression net for the parsers; tests/fuzz/ has the libFuzzer form.
#include "engine/io/model_info.h"
#include "engine/io/safetensors_reader.h"
#include "tests/unit/io/safetensors_builder.h"

#include <gtest/gtest.h>

namespace glmdesk::test {
namespace {

using namespace engine;

std::vector<std::uint8_t> mutate(const std::vector<std::uint8_t> &in, size_t region,
                                 std::mt19937 &rng)
{
    auto out = in;
    const int n_mutations = 1 + static_cast<int>(rng() % 4);
    for (int m = 0; m < n_mutations && !out.empty(); ++m) {
        const size_t at = rng() % std::min(region, out.size());
        switch (rng() % 6) {
        case 0:
            out[at] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
            break;
        case 1:
            out[at] = static_cast<std::uint8_t>(rng());
            break;
        case 2: { // a boundary integer over 4 or 8 bytes
            static const std::uint64_t values[] = {0,
                                                   1,
                                                   0x7f,
                                                   0xff,
                                                   0xffff,
                                                   0x7fffffff,
                                                   0xffffffff,
                                                   0x100000000ull,
                                                   0x7fffffffffffffffull,
                                                   ~0ull};
            const std::uint64_t v = values[rng() % std::size(values)];
            const size_t width = rng() % 2 ? 4 : 8;
            for (size_t i = 0; i < width && at + i < out.size(); ++i)
                out[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
            break;
        }
        case 3:
            out.resize(at);
            break;
        case 4: { // duplicate a span
            const size_t len = std::min<size_t>(rng() % 32, out.size() - at);
            std::vector<std::uint8_t> span(out.begin() + static_cast<long>(at),
                                           out.begin() + static_cast<long>(at + len));
            out.insert(out.begin() + static_cast<long>(at), span.begin(), span.end());
            break;
        }
        default: // delete a span
            out.erase(out.begin() + static_cast<long>(at),
                      out.begin() + static_cast<long>(std::min(out.size(), at + rng() % 16)));
        }
    }
    return out;
}

TEST(IoMutation, GgufHeadersNeverCrash)
{
    const auto bytes = tiny_glm_gguf();
    auto base = GgufReader::from_memory(bytes, "tiny");
    ASSERT_TRUE(base);
    const size_t header = static_cast<size_t>(base->tensors().front().file_offset);
    std::mt19937 rng(20251123);
    size_t ok = 0, refused = 0, model_ok = 0;
    for (int i = 0; i < 4000; ++i) {
        const auto m = mutate(bytes, header, rng);
        auto r = GgufReader::from_memory(m, "m");
        if (!r) {
            ++refused;
            EXPECT_FALSE(r.status().message().empty());
            continue;
        }
        ++ok;
        for (const auto &t : r->tensors()) {
            ASSERT_LE(t.file_offset, m.size());
            ASSERT_LE(t.n_bytes, m.size() - t.file_offset);
        }
        // Whatever parsed also goes through the config and inventory checks.
        auto c = glm45_config_from_gguf(*r);
        if (c && TensorInventory::from_gguf(*r, *c))
            ++model_ok;
    }
    std::printf("[ MEASURED ] gguf mutations: %zu parsed, %zu refused, %zu full models\n", ok,
                refused, model_ok);
    EXPECT_GT(refused, 1000u);
    EXPECT_GT(ok, 100u);
}

TEST(IoMutation, SafetensorsHeadersNeverCrash)
{
    const auto c = tiny_glm_config();
    const auto bytes = build_safetensors(tiny_hf_tensors(c));
    std::uint64_t header_len = 0;
    std::memcpy(&header_len, bytes.data(), 8);
    std::mt19937 rng(1123);
    size_t ok = 0, refused = 0;
    for (int i = 0; i < 3000; ++i) {
        const auto m = mutate(bytes, static_cast<size_t>(8 + header_len), rng);
        auto f = SafetensorsFile::from_memory(m, "m");
        if (!f) {
            ++refused;
            continue;
        }
        ++ok;
        for (const auto &t : f->tensors()) {
            ASSERT_LE(t.file_offset, m.size());
            ASSERT_LE(t.n_bytes, m.size() - t.file_offset);
        }
    }
    std::printf("[ MEASURED ] safetensors mutations: %zu parsed, %zu refused\n", ok, refused);
    EXPECT_GT(refused, 1000u);
    EXPECT_GT(ok, 10u);
}

} // namespace
} // namespace glmdesk::test
