// libFuzzer entry point for the GGUF parser, config reader and tensor inventory.
// Build (clang): cmake -DGLMDESK_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ ...; run: fuzz_gguf corpus/
// Seeds: any .gguf header (the air-mini fixtures cut to their first 64 KB work well).
#include "engine/io/gguf_reader.h"
#include "engine/io/hparams.h"
#include "engine/io/tensor_inventory.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace glmdesk::engine;
    auto reader = GgufReader::from_memory({data, size}, "fuzz.gguf");
    if (!reader)
        return 0;
    for (const auto &t : reader->tensors())
        if (t.file_offset > size || t.n_bytes > size - t.file_offset)
            std::abort(); // the reader promised every tensor lies inside the input
    for (const auto &[key, value] : reader->metadata())
        if (const GgufArray *a = value.as_array())
            (void)a->at(a->size() ? a->size() - 1 : 0);
    auto config = glm45_config_from_gguf(*reader);
    if (config)
        (void)TensorInventory::from_gguf(*reader, *config);
    return 0;
}
