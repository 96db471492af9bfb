// The streaming output parser: a table of streams fed whole, split at every byte boundary and
// byte by byte, plus a seeded property test over random well-formed and malformed outputs.
//
// Invariant asserted everywhere (see output_parser.h): for every split of an input S,
//   concat(texts of ThinkingDelta and AnswerDelta events) == S minus the consumed structure
// (each "<think>" read in answer mode, each "</think>" read in thinking mode, and each complete
// "<tool_call>...</tool_call>" block that became a ToolCall event), and the normalised event
// sequence (adjacent same-kind deltas merged, warnings counted apart) is the same for all splits.
#include "engine/chat/output_parser.h"

#include <gtest/gtest.h>

#include <random>

namespace glmdesk::engine {
namespace {

struct Item
{
    char kind;        // 'T' thinking, 'A' answer, 'C' tool call
    std::string text; // delta text, or "name " + arguments JSON for calls

    bool operator==(const Item &) const = default;
};

std::ostream &operator<<(std::ostream &os, const Item &item)
{
    return os << item.kind << "[" << item.text << "]";
}

struct Outcome
{
    std::vector<Item> items;
    size_t warnings = 0;
    std::string text; // all thinking + answer text in order
    bool utf8_ok = true;
};

bool valid_utf8(std::string_view s)
{
    for (size_t i = 0; i < s.size();) {
        const unsigned char b = static_cast<unsigned char>(s[i]);
        const size_t len = b < 0x80             ? 1
                           : (b & 0xE0) == 0xC0 ? 2
                           : (b & 0xF0) == 0xE0 ? 3
                           : (b & 0xF8) == 0xF0 ? 4
                                                : 0;
        if (len == 0 || i + len > s.size())
            return false;
        for (size_t k = 1; k < len; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
                return false;
        i += len;
    }
    return true;
}

void add_item(std::vector<Item> &items, char kind, const std::string &text)
{
    if (kind != 'C' && !items.empty() && items.back().kind == kind)
        items.back().text += text;
    else if (kind == 'C' || !text.empty())
        items.push_back({kind, text});
}

Outcome normalise(const std::vector<OutputEvent> &events)
{
    Outcome out;
    for (const OutputEvent &event : events) {
        if (auto *t = std::get_if<ThinkingDelta>(&event)) {
            EXPECT_FALSE(t->text.empty());
            out.utf8_ok = out.utf8_ok && valid_utf8(t->text);
            add_item(out.items, 'T', t->text);
            out.text += t->text;
        } else if (auto *a = std::get_if<AnswerDelta>(&event)) {
            EXPECT_FALSE(a->text.empty());
            out.utf8_ok = out.utf8_ok && valid_utf8(a->text);
            add_item(out.items, 'A', a->text);
            out.text += a->text;
        } else if (auto *c = std::get_if<ToolCallEvent>(&event)) {
            add_item(out.items, 'C', c->name + " " + c->arguments.dump());
        } else {
            ++out.warnings;
        }
    }
    return out;
}

Outcome run(OutputParser &parser, const std::vector<std::string_view> &pieces)
{
    std::vector<OutputEvent> events;
    for (std::string_view piece : pieces)
        parser.feed(piece, events);
    parser.finish(events);
    return normalise(events);
}

std::vector<std::string_view> split_at(std::string_view s, std::vector<size_t> cuts)
{
    std::sort(cuts.begin(), cuts.end());
    std::vector<std::string_view> pieces;
    size_t start = 0;
    for (size_t cut : cuts) {
        pieces.push_back(s.substr(start, cut - start));
        start = cut;
    }
    pieces.push_back(s.substr(start));
    return pieces;
}

std::vector<ToolDefinition> test_tools()
{
    const Json schema = Json::parse(R"({"type": "object", "properties": {
        "s": {"type": "string"}, "n": {"type": "number"}, "i": {"type": "integer"},
        "b": {"type": "boolean"}, "o": {"type": "object"}, "l": {"type": "array"},
        "opt": {"type": ["string", "null"]}, "maybe": {"anyOf": [{"type": "integer"},
        {"type": "null"}]}, "e": {"enum": [1, 2, 3]}}})");
    return {ToolDefinition::make("calc", "typed arguments", schema),
            ToolDefinition::make("get_weather", "城市天气",
                                 Json::parse(R"({"type": "object", "properties":
                                     {"city": {"type": "string"}, "days": {"type": "integer"}}})"))};
}

// Feeds `input` whole, at every single split point, byte by byte and at random cut sets, and
// checks that every way gives `expected`.
void check_all_splits(const std::string &input, const Outcome &expected,
                      const std::vector<ToolDefinition> &tools, OutputParserOptions options = {})
{
    OutputParser parser(tools, options);
    const auto check = [&](const std::vector<std::string_view> &pieces, const char *how) {
        const Outcome got = run(parser, pieces);
        EXPECT_EQ(got.items, expected.items) << how << " (" << pieces.size() << " pieces)";
        EXPECT_EQ(got.warnings, expected.warnings) << how;
        EXPECT_EQ(got.text, expected.text) << how;
        if (valid_utf8(input)) {
            EXPECT_TRUE(got.utf8_ok) << how << ": an event split a UTF-8 sequence";
        }
        return got.items == expected.items && got.warnings == expected.warnings;
    };
    check({input}, "whole");
    for (size_t cut = 0; cut <= input.size(); ++cut)
        if (!check(split_at(input, {cut}), "one cut"))
            return;
    std::vector<size_t> every;
    for (size_t cut = 1; cut < input.size(); ++cut)
        every.push_back(cut);
    check(split_at(input, every), "byte by byte");
    std::mt19937 rng(1234);
    for (int round = 0; round < 20; ++round) {
        std::vector<size_t> cuts;
        const size_t n = rng() % (input.size() + 1);
        for (size_t k = 0; k < n; ++k)
            cuts.push_back(rng() % (input.size() + 1));
        if (!check(split_at(input, cuts), "random cuts"))
            return;
    }
}

struct Row
{
    const char *name;
    std::string input;
    std::vector<Item> items;
    size_t warnings;
};

TEST(OutputParser, TableAtEveryByteBoundary)
{
    const std::vector<Row> rows = {
        {"plain", "Hello, 世界 🎉", {{'A', "Hello, 世界 🎉"}}, 0},
        {"empty", "", {}, 0},
        {"thinking then answer",
         "\n<think>Let me think. 先想想。</think>\nThe answer is 42.",
         {{'A', "\n"}, {'T', "Let me think. 先想想。"}, {'A', "\nThe answer is 42."}},
         0},
        {"empty think block", "<think></think>\nHi", {{'A', "\nHi"}}, 0},
        {"lookalikes stay text",
         "a < b, x<y, <thin, </think> and <tool_c <|user|>",
         {{'A', "a < b, x<y, <thin, </think> and <tool_c <|user|>"}},
         0},
        {"tags inside thinking are text",
         "<think>maybe <tool_call>f</tool_call> or <think>?</think>done",
         {{'T', "maybe <tool_call>f</tool_call> or <think>?"}, {'A', "done"}},
         0},
        {"trained layout",
         "<think>r</think>\nChecking.\n<tool_call>get_weather\n<arg_key>city</arg_key>\n"
         "<arg_value>北京</arg_value>\n<arg_key>days</arg_key>\n<arg_value>3</arg_value>\n"
         "</tool_call>",
         {{'T', "r"}, {'A', "\nChecking.\n"}, {'C', R"(get_weather {"city":"北京","days":3})"}},
         0},
        {"trained layout, two calls, one without arguments",
         "\n<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Paris</arg_value>\n"
         "</tool_call>\n<tool_call>list_files\n</tool_call>",
         {{'A', "\n"},
          {'C', R"(get_weather {"city":"Paris"})"},
          {'A', "\n"},
          {'C', "list_files {}"}},
         1 /* list_files is not among the tools */},
        {"llama.cpp template layout, no newline after name or before close",
         "<tool_call>get_weather<arg_key>city</arg_key>\n<arg_value>Paris</arg_value><arg_key>days"
         "</arg_key>\n<arg_value>2</arg_value></tool_call>",
         {{'C', R"(get_weather {"city":"Paris","days":2})"}},
         0},
        {"newline after name only",
         "<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Paris"
         "</arg_value></tool_call>",
         {{'C', R"(get_weather {"city":"Paris"})"}},
         0},
        {"newline before close only",
         "<tool_call>get_weather<arg_key>city</arg_key>\n<arg_value>Paris"
         "</arg_value>\n</tool_call>",
         {{'C', R"(get_weather {"city":"Paris"})"}},
         0},
        {"CRLF newlines",
         "<tool_call>get_weather\r\n<arg_key>city</arg_key>\r\n<arg_value>Paris</arg_value>\r\n"
         "</tool_call>",
         {{'C', R"(get_weather {"city":"Paris"})"}},
         0},
        {"several calls and no-arg call",
         "<tool_call>list_files</tool_call>\n<tool_call>list_files\n</tool_call>"
         "<tool_call>get_weather\n<arg_key>city</arg_key><arg_value> a b \n</arg_value>"
         "</tool_call>tail",
         {{'C', "list_files {}"},
          {'A', "\n"},
          {'C', "list_files {}"},
          {'C', R"(get_weather {"city":" a b \n"})"},
          {'A', "tail"}},
         1 /* list_files is not among the tools */ + 1},
        {"typed values",
         "<tool_call>calc\n<arg_key>s</arg_key>\n<arg_value>12</arg_value>\n<arg_key>n</arg_key>"
         "\n<arg_value> 2.5 </arg_value>\n<arg_key>i</arg_key>\n<arg_value>7.0</arg_value>\n"
         "<arg_key>b</arg_key>\n<arg_value>true</arg_value>\n<arg_key>o</arg_key>\n"
         "<arg_value>{\"k\": [1, \"<x>\"]}</arg_value>\n<arg_key>l</arg_key>\n"
         "<arg_value>[1, 2]</arg_value>\n<arg_key>opt</arg_key>\n<arg_value>null</arg_value>\n"
         "<arg_key>maybe</arg_key>\n<arg_value>null</arg_value>\n<arg_key>e</arg_key>\n"
         "<arg_value>2</arg_value>\n</tool_call>",
         {{'C', R"(calc {"s":"12","n":2.5,"i":7,"b":true,"o":{"k":[1,"<x>"]},"l":[1,2],)"
                R"("opt":"null","maybe":null,"e":2})"}},
         0},
        {"typed fallback to string",
         "<tool_call>calc<arg_key>n</arg_key><arg_value>abc</arg_value><arg_key>b</arg_key>"
         "<arg_value>1</arg_value><arg_key>x</arg_key><arg_value>5</arg_value></tool_call>",
         {{'C', R"(calc {"n":"abc","b":"1","x":"5"})"}},
         2},
        {"unknown tool",
         "<tool_call>nope<arg_key>k</arg_key><arg_value>1</arg_value></tool_call>",
         {{'C', R"(nope {"k":"1"})"}},
         1},
        {"duplicate key",
         "<tool_call>calc<arg_key>s</arg_key><arg_value>1</arg_value><arg_key>s</arg_key>"
         "<arg_value>2</arg_value></tool_call>",
         {{'C', R"(calc {"s":"2"})"}},
         1},
        {"no name",
         "x<tool_call>\n<arg_key>a</arg_key><arg_value>1</arg_value></tool_call>y",
         {{'A', "x<tool_call>\n<arg_key>a</arg_key><arg_value>1</arg_value></tool_call>y"}},
         1},
        {"junk between key and value",
         "<tool_call>calc<arg_key>s</arg_key>junk<arg_value>1</arg_value></tool_call>",
         {{'A', "<tool_call>calc<arg_key>s</arg_key>junk<arg_value>1</arg_value></tool_call>"}},
         1},
        {"key without value",
         "<tool_call>calc<arg_key>s</arg_key></tool_call>",
         {{'A', "<tool_call>calc<arg_key>s</arg_key></tool_call>"}},
         1},
        {"unclosed key",
         "<tool_call>calc<arg_key>s<arg_value>1</arg_value></tool_call>",
         {{'A', "<tool_call>calc<arg_key>s<arg_value>1</arg_value></tool_call>"}},
         1},
        {"name with spaces",
         "<tool_call>two words</tool_call>",
         {{'A', "<tool_call>two words</tool_call>"}},
         1},
        {"unterminated call at end",
         "Let me check.<tool_call>get_weather\n<arg_key>ci",
         {{'A', "Let me check.<tool_call>get_weather\n<arg_key>ci"}},
         1},
        {"unterminated think at end",
         "<think>still thinking <tool_c",
         {{'T', "still thinking <tool_c"}},
         1},
        {"partial tag at end", "answer <think", {{'A', "answer <think"}}, 0},
        {"partial close tag at end of call",
         "<tool_call>f</tool_ca",
         {{'A', "<tool_call>f</tool_ca"}},
         1},
        {"second think block after a call",
         "<tool_call>get_weather<arg_key>city</arg_key><arg_value>x</arg_value></tool_call>"
         "<think>again</think>ok",
         {{'C', R"(get_weather {"city":"x"})"}, {'T', "again"}, {'A', "ok"}},
         0},
        {"invalid utf-8 passes through",
         "a\xff<think>\xe4\xb8</think>\xa0",
         {{'A', "a\xff"}, {'T', "\xe4\xb8"}, {'A', "\xa0"}},
         0},
    };
    const auto tools = test_tools();
    for (const Row &row : rows) {
        SCOPED_TRACE(row.name);
        Outcome expected;
        expected.items = row.items;
        expected.warnings = row.warnings;
        for (const Item &item : row.items)
            if (item.kind != 'C')
                expected.text += item.text;
        check_all_splits(row.input, expected, tools);
    }
}

TEST(OutputParser, HoldsBackOnlyPossibleTagPrefixes)
{
    OutputParser parser;
    std::vector<OutputEvent> events;
    const auto answer = [&] { return normalise(events).text; };
    parser.feed("Hello <", events);
    EXPECT_EQ(answer(), "Hello ");
    EXPECT_EQ(parser.pending_bytes(), 1u);
    parser.feed("b> x <tool_ca", events);
    EXPECT_EQ(answer(), "Hello <b> x ");
    parser.feed("t", events); // "<tool_cat" cannot become a tag
    EXPECT_EQ(answer(), "Hello <b> x <tool_cat");
    EXPECT_EQ(parser.pending_bytes(), 0u);
    parser.feed("\xe4\xb8", events); // first two bytes of 中
    EXPECT_EQ(answer(), "Hello <b> x <tool_cat");
    parser.feed("\xad</thi", events); // answer mode: "</thi" is not a prefix of an answer tag
    EXPECT_EQ(answer(), "Hello <b> x <tool_cat中</thi");
    parser.feed("<think>deep </thin", events);
    EXPECT_EQ(normalise(events).items.back(), (Item{'T', "deep "}));
    parser.feed("king <tool_call", events); // thinking mode: <tool_call is plain text
    EXPECT_EQ(normalise(events).items.back(), (Item{'T', "deep </thinking <tool_call"}));
    EXPECT_EQ(parser.pending_bytes(), 0u);
}

TEST(OutputParser, NeverClosingCallHasBoundedMemory)
{
    OutputParserOptions options;
    options.max_tool_call_bytes = 64;
    OutputParser parser({}, options);
    std::vector<OutputEvent> events;
    std::string input = "<tool_call>f<arg_key>k</arg_key><arg_value>";
    for (int i = 0; i < 2000; ++i)
        input += "blah 中文 ";
    input += "<thi";
    const std::string tail = "nk>t</think></tool_call>";
    size_t max_pending = 0;
    for (size_t pos = 0; pos < input.size(); pos += 7) {
        parser.feed(std::string_view(input).substr(pos, 7), events);
        max_pending = std::max(max_pending, parser.pending_bytes());
    }
    parser.feed(tail, events);
    parser.finish(events);
    EXPECT_LE(max_pending, 64u + 7u);
    const Outcome got = normalise(events);
    EXPECT_EQ(got.warnings, 1u);
    EXPECT_TRUE(got.utf8_ok);
    // The runaway call is text; the <think> straddling the cut point is still recognised.
    ASSERT_EQ(got.items.size(), 3u);
    EXPECT_EQ(got.items[0], (Item{'A', input.substr(0, input.size() - 4)}));
    EXPECT_EQ(got.items[1], (Item{'T', "t"}));
    EXPECT_EQ(got.items[2], (Item{'A', "</tool_call>"}));
}

TEST(OutputParser, ManyAngleBracketsAreLinearAndLossless)
{
    std::string input(200000, '<');
    OutputParser parser;
    std::vector<OutputEvent> events;
    for (size_t pos = 0; pos < input.size(); pos += 4096)
        parser.feed(std::string_view(input).substr(pos, 4096), events);
    parser.finish(events);
    EXPECT_EQ(normalise(events).text, input);
}

// ---------------------------------------------------------------------------- property test

// Builds a random output from pieces whose parse is known, so the oracle comes from the
// construction rather than from a second parser.
class StreamBuilder
{
public:
    explicit StreamBuilder(uint32_t seed) : m_rng(seed) {}

    std::string input;
    Outcome expected;

    void build()
    {
        if (coin(0.3))
            answer(pick({"\n", " ", "\n\n"}));
        if (coin(0.6)) {
            input += "<think>";
            thinking(random_text(false));
            if (coin(0.1)) { // cut off while thinking: stream ends here
                ++expected.warnings;
                return;
            }
            input += "</think>";
        }
        answer(random_text(true));
        const int items = static_cast<int>(m_rng() % 5);
        for (int k = 0; k < items; ++k) {
            switch (m_rng() % 4) {
            case 0:
            case 1:
                good_call();
                break;
            case 2:
                bad_call();
                break;
            case 3:
                input += "<think>";
                thinking(random_text(false));
                input += "</think>";
                break;
            }
            if (coin(0.5))
                answer(pick({"\n", "\n\n", " then ", "好的。"}));
        }
        if (coin(0.2)) {
            std::string raw = "<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>";
            raw += random_text(true).substr(0, 5 + m_rng() % 20);
            answer(raw);
            ++expected.warnings;
        }
    }

private:
    bool coin(double p) { return std::uniform_real_distribution<double>(0, 1)(m_rng) < p; }
    std::string pick(std::initializer_list<const char *> options)
    {
        return *(options.begin() + m_rng() % options.size());
    }

    void answer(const std::string &text)
    {
        input += text;
        add_item(expected.items, 'A', text);
        expected.text += text;
    }
    void thinking(const std::string &text)
    {
        input += text;
        add_item(expected.items, 'T', text);
        expected.text += text;
    }

    // Text for answer or thinking mode: lookalikes, partial tags, tags of the other mode, CJK and
    // emoji. No atom starts with '>' or with the tail of a tag, so no structural tag forms across
    // atoms; the assertions below make sure of it.
    std::string random_text(bool answer_mode)
    {
        static const std::vector<std::string> common = {
            "Hello",     " ",       "\n",        "世界",      "🎉",
            "é",         "a<b",     "<",         "<<",        "<thin",
            "</thin",    "<tool_c", "</tool_ca", "<arg_key>", "</arg_value>",
            "<|user|>",  " -> ",    "x >= y",    "代码",      "```cpp\nint x = 1 << 2;\n```",
            "<tool_call"};
        std::string text;
        const int n = static_cast<int>(m_rng() % 12);
        for (int k = 0; k < n; ++k) {
            if (coin(0.15))
                text += answer_mode ? pick({"</think>", "</tool_call>", "<think"})
                                    : pick({"<think>", "<tool_call>f</tool_call>", "</think"});
            else
                text += common[m_rng() % common.size()];
        }
        if (answer_mode) {
            EXPECT_EQ(text.find("<think>"), std::string::npos);
            EXPECT_EQ(text.find("<tool_call>"), std::string::npos);
        } else {
            EXPECT_EQ(text.find("</think>"), std::string::npos);
        }
        // A trailing partial tag would complete with the next structural tag's text only if that
        // tag continued it, which no tag does ('<' never follows a tag-name character in a tag).
        return text;
    }

    std::string value_text()
    {
        static const std::vector<std::string> atoms = {
            "北京", "a b", "\n", "<tool_call>", "<", "x</arg_key>", "🎉", " ", "line\n", "{"};
        std::string v;
        const int n = static_cast<int>(m_rng() % 5);
        for (int k = 0; k < n; ++k)
            v += atoms[m_rng() % atoms.size()];
        return v;
    }

    void good_call()
    {
        const bool newline = coin(0.7);
        const std::string sep = newline ? "\n" : "";
        std::string raw = "<tool_call>";
        Json args = Json::object();
        std::string name = "calc";
        raw += coin(0.2) ? " calc " : "calc";
        raw += sep;
        const std::vector<std::string> keys = {"s", "n", "i", "b", "o", "l", "opt"};
        const int nargs = static_cast<int>(m_rng() % 4);
        for (int k = 0; k < nargs; ++k) {
            const std::string key = keys[m_rng() % keys.size()];
            if (args.contains(key))
                continue; // duplicates warn; the table covers them
            std::string value;
            Json typed;
            if (key == "s" || key == "opt") {
                value = value_text();
                typed = value;
            } else if (key == "n") {
                const double d = static_cast<double>(static_cast<int>(m_rng() % 20001) - 10000) / 8;
                typed = d;
                value = typed.dump();
            } else if (key == "i") {
                typed = static_cast<int64_t>(m_rng() % 100000) - 50000;
                value = typed.dump();
            } else if (key == "b") {
                typed = coin(0.5);
                value = typed.dump();
            } else if (key == "o") {
                typed = Json::object({{"k", value_text()}, {"n", static_cast<int>(m_rng() % 9)}});
                value = typed.dump();
            } else {
                typed = Json::array({1, value_text(), nullptr});
                value = typed.dump();
            }
            if (value.find("</arg_value>") != std::string::npos ||
                value.find("</tool_call>") != std::string::npos)
                continue;
            if (coin(0.3) && key != "s" && key != "opt")
                value = " " + value + "\n"; // JSON-typed values may carry whitespace
            raw += "<arg_key>" + key + "</arg_key>" + sep + "<arg_value>" + value + "</arg_value>" +
                   sep;
            args[key] = typed;
        }
        raw += "</tool_call>";
        input += raw;
        add_item(expected.items, 'C', name + " " + args.dump());
    }

    void bad_call()
    {
        static const std::vector<std::string> bodies = {
            "",
            "\n<arg_key>a</arg_key><arg_value>1</arg_value>",
            "calc<arg_key>s</arg_key>junk",
            "calc<arg_key>s</arg_key>",
            "calc<arg_key>s<arg_value>1</arg_value>",
            "two words",
            "calc<arg_value>1</arg_value>",
            "calc\n<arg_key></arg_key><arg_value>1"
            "</arg_value>"};
        answer("<tool_call>" + bodies[m_rng() % bodies.size()] + "</tool_call>");
        ++expected.warnings;
    }

    std::mt19937 m_rng;
};

TEST(OutputParser, PropertyRandomStreamsAndRandomSplits)
{
    const auto tools = test_tools();
    OutputParser parser(tools);
    size_t calls = 0;
    size_t malformed = 0;
    for (uint32_t seed = 1; seed <= 400; ++seed) {
        StreamBuilder builder(seed);
        builder.build();
        for (const Item &item : builder.expected.items)
            calls += item.kind == 'C';
        malformed += builder.expected.warnings;
        SCOPED_TRACE("seed " + std::to_string(seed) + ": " + builder.input);
        std::mt19937 rng(seed * 7919u);
        const std::string &s = builder.input;
        for (int round = 0; round < 30; ++round) {
            std::vector<size_t> cuts;
            const size_t n = round == 0 ? 0 : rng() % (s.size() + 1);
            for (size_t k = 0; k < n; ++k)
                cuts.push_back(rng() % (s.size() + 1));
            if (round == 1)
                for (size_t cut = 1; cut < s.size(); ++cut)
                    cuts.push_back(cut);
            const Outcome got = run(parser, split_at(s, cuts));
            ASSERT_EQ(got.text, builder.expected.text)
                << "text invariant, " << cuts.size() << " cuts";
            ASSERT_EQ(got.items, builder.expected.items);
            ASSERT_EQ(got.warnings, builder.expected.warnings);
            // The truncated-call generator may cut a character: then the input is not UTF-8.
            ASSERT_TRUE(got.utf8_ok || !valid_utf8(s));
        }
    }
    // The generator must actually exercise both sides.
    EXPECT_GT(calls, 150u);
    EXPECT_GT(malformed, 50u);
}

// Garbage made of tag fragments, tags and bytes that are not UTF-8: no oracle for the events, but
// every split must give what feeding the whole string gives, and no text may appear from nowhere.
TEST(OutputParser, GarbageIsSplitIndependent)
{
    static const std::vector<std::string> atoms = {
        "<think>",   "</think>",   "<tool_call>", "</tool_call>",
        "<arg_key>", "</arg_key>", "<arg_value>", "</arg_value>",
        "<",         ">",          "/",           "think",
        "tool_call", "calc",       "s",           "n",
        "\n",        " ",          "1",           "{",
        "\xff",      "\xe4\xb8",   "\xad",        "中",
        "<tool_",    "</arg_v",    "<thi"};
    const auto tools = test_tools();
    OutputParserOptions small;
    small.max_tool_call_bytes = 40; // so that the overflow path runs too
    for (uint32_t seed = 1; seed <= 300; ++seed) {
        std::mt19937 rng(seed);
        std::string input;
        const size_t n = rng() % 60;
        for (size_t k = 0; k < n; ++k)
            input += atoms[rng() % atoms.size()];
        SCOPED_TRACE("seed " + std::to_string(seed));
        for (const OutputParserOptions &options : {OutputParserOptions{}, small}) {
            OutputParser parser(tools, options);
            const Outcome whole = run(parser, {input});
            EXPECT_LE(whole.text.size(), input.size());
            for (int round = 0; round < 10; ++round) {
                std::vector<size_t> cuts;
                const size_t ncuts = rng() % (input.size() + 1);
                for (size_t k = 0; k < ncuts; ++k)
                    cuts.push_back(rng() % (input.size() + 1));
                const Outcome got = run(parser, split_at(input, cuts));
                ASSERT_EQ(got.items, whole.items) << input;
                ASSERT_EQ(got.warnings, whole.warnings) << input;
            }
        }
    }
}

} // namespace
} // namespace glmdesk::engine
