#include "engine/common/status.h"

#include <gtest/gtest.h>

#include <memory>

using namespace glmdesk::engine;

TEST(Status, DefaultIsSuccess)
{
    const Status s;
    EXPECT_TRUE(s.ok());
    EXPECT_EQ(s.code(), StatusCode::Ok);
    EXPECT_EQ(s.to_string(), "ok");
}

TEST(Status, ContextPrefixesTheMessage)
{
    const Status s =
        error(StatusCode::CorruptFile, "tensor table ends past the file").with_context("air.gguf");
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(s.code(), StatusCode::CorruptFile);
    EXPECT_EQ(s.message(), "air.gguf: tensor table ends past the file");
    EXPECT_EQ(s.to_string(), "corrupt file: air.gguf: tensor table ends past the file");
}

TEST(Status, ContextLeavesSuccessAlone)
{
    EXPECT_EQ(Status::success().with_context("x").to_string(), "ok");
}

TEST(Expected, HoldsAValue)
{
    Expected<int> e = 42;
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(*e, 42);
    EXPECT_TRUE(e.status().ok());
}

TEST(Expected, HoldsAnError)
{
    Expected<std::unique_ptr<int>> e = error(StatusCode::NotFound, "no such key");
    ASSERT_FALSE(e.has_value());
    EXPECT_EQ(e.status().code(), StatusCode::NotFound);
    EXPECT_EQ(e.status().message(), "no such key");
}

TEST(Expected, MovesOutMoveOnlyValues)
{
    Expected<std::unique_ptr<int>> e = std::make_unique<int>(7);
    std::unique_ptr<int> p = std::move(e).value();
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(*p, 7);
}
