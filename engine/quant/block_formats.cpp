#include "engine/quant/block_formats.h"

#include <limits>

namespace glmdesk::engine {

std::string_view block_format_name(BlockFormat format)
{
    return block_format_info(format).name;
}

std::optional<std::uint64_t> block_format_bytes(BlockFormat format, std::uint64_t n_weights)
{
    const BlockFormatInfo info = block_format_info(format);
    if (n_weights % info.block_size != 0)
        return std::nullopt;
    const std::uint64_t blocks = n_weights / info.block_size;
    if (blocks > std::numeric_limits<std::uint64_t>::max() / info.type_size)
        return std::nullopt;
    return blocks * info.type_size;
}

} // namespace glmdesk::engine
