#include "engine/quant/block_formats.h"

#include <gtest/gtest.h>

using namespace glmdesk::engine;

TEST(BlockFormats, EveryKnownIdRoundTripsAndUnknownIdsAreRefused)
{
    int known = 0;
    for (std::uint32_t id = 0; id < 64; ++id) {
        const auto info = block_format_info(id);
        if (!info)
            continue;
        ++known;
        EXPECT_EQ(static_cast<std::uint32_t>(info->format), id);
        EXPECT_EQ(block_format_info(info->format).name, info->name);
        EXPECT_GT(info->block_size, 0u);
        EXPECT_GT(info->type_size, 0u);
    }
    EXPECT_EQ(known, 31);
    // 4..5 were Q4_2/Q4_3 and 31..33 the repacked Q4_0_x_y types: gone from ggml.
    for (std::uint32_t gone : {4u, 5u, 31u, 32u, 33u, 1000u})
        EXPECT_FALSE(block_format_info(gone)) << gone;
}

TEST(BlockFormats, BytesOfAirExpertRows)
{
    // One GLM-4.5-Air expert gate row: 4096 weights.
    EXPECT_EQ(block_format_bytes(BlockFormat::Q4_K, 4096), 16u * 144u);
    EXPECT_EQ(block_format_bytes(BlockFormat::Q8_0, 4096), 128u * 34u);
    EXPECT_EQ(block_format_bytes(BlockFormat::BF16, 4096), 8192u);
    EXPECT_FALSE(block_format_bytes(BlockFormat::Q4_K, 4000)); // not whole blocks
    EXPECT_FALSE(block_format_bytes(BlockFormat::F32, ~0ull)); // overflows
}
