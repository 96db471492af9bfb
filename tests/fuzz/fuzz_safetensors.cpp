// libFuzzer entry point for the safetensors header parser and the config.json reader.
// Build (clang): cmake -DGLMDESK_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ ...; run: fuzz_safetensors
#include "engine/io/hparams.h"
#include "engine/io/safetensors_reader.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace glmdesk::engine;
    auto file = SafetensorsFile::from_memory({data, size}, "fuzz.safetensors");
    if (file) {
        for (const auto &t : file->tensors())
            if (t.file_offset > size || t.n_bytes > size - t.file_offset)
                std::abort(); // the reader promised every tensor lies inside the input
    }
    // The same bytes as a config.json.
    (void)glm45_config_from_hf_json(std::string_view(reinterpret_cast<const char *>(data), size),
                                    "fuzz/config.json");
    return 0;
}
