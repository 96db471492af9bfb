#include "app/tools/gitignore.h"

namespace glmdesk::tools {

namespace {
constexpr size_t max_pattern_bytes = 1024;
}

// ---------------------------------------------------------------------------------------- Glob

Glob::Glob(std::string_view pattern)
{
    if (pattern.size() > max_pattern_bytes) {
        m_valid = false;
        return;
    }
    size_t i = 0;
    const size_t n = pattern.size();
    while (i < n) {
        const char c = pattern[i];
        if (c == '\\') {
            if (i + 1 == n) {
                m_valid = false; // a trailing backslash never matches (as in git)
                return;
            }
            m_tokens.push_back({Kind::Literal, pattern[i + 1], {}, false});
            i += 2;
            continue;
        }
        if (c == '?') {
            m_tokens.push_back({Kind::AnyChar, 0, {}, false});
            ++i;
            continue;
        }
        if (c == '*') {
            size_t stars = 0;
            while (i + stars < n && pattern[i + stars] == '*')
                ++stars;
            const bool at_start = i == 0 || pattern[i - 1] == '/';
            const size_t after = i + stars;
            if (stars >= 2 && at_start && after < n && pattern[after] == '/') {
                m_tokens.push_back({Kind::AnyDirs, 0, {}, false});
                i = after + 1;
            } else if (stars >= 2 && at_start && after == n) {
                m_tokens.push_back({Kind::AnyPath, 0, {}, false});
                i = after;
            } else {
                m_tokens.push_back({Kind::Star, 0, {}, false});
                i = after;
            }
            continue;
        }
        if (c == '[') {
            size_t j = i + 1;
            Token token{Kind::Class, 0, {}, false};
            if (j < n && (pattern[j] == '!' || pattern[j] == '^')) {
                token.negated = true;
                ++j;
            }
            bool closed = false;
            bool first = true;
            while (j < n) {
                char ch = pattern[j];
                if (ch == ']' && !first) {
                    closed = true;
                    break;
                }
                first = false;
                if (ch == '[' && j + 1 < n && pattern[j + 1] == ':') {
                    m_valid = false; // POSIX classes: unsupported, never match
                    return;
                }
                if (ch == '\\' && j + 1 < n) {
                    ch = pattern[++j];
                }
                if (j + 2 < n && pattern[j + 1] == '-' && pattern[j + 2] != ']') {
                    const auto lo = static_cast<unsigned char>(ch);
                    const auto hi = static_cast<unsigned char>(pattern[j + 2]);
                    for (unsigned v = lo; v <= hi; ++v)
                        token.set += static_cast<char>(v);
                    j += 3;
                    continue;
                }
                token.set += ch;
                ++j;
            }
            if (closed) {
                m_tokens.push_back(std::move(token));
                i = j + 1;
                continue;
            }
            // No closing bracket: a literal "[".
        }
        m_tokens.push_back({Kind::Literal, c, {}, false});
        ++i;
    }
}

bool Glob::matches(std::string_view text) const
{
    if (!m_valid)
        return false;
    const size_t n = text.size();
    // next[s]: the tokens after the current one match text[s..]. Rows are built from the last
    // token back to the first, so the table costs O(tokens x n) time and O(n) memory.
    std::vector<char> next(n + 1, 0);
    std::vector<char> cur(n + 1, 0);
    next[n] = 1;
    for (size_t t = m_tokens.size(); t-- > 0;) {
        const Token &token = m_tokens[t];
        char any_dir_suffix = 0; // AnyDirs: some '/' at or after s ends a match
        for (size_t s = n + 1; s-- > 0;) {
            const bool has = s < n;
            const char ch = has ? text[s] : '\0';
            char value = 0;
            switch (token.kind) {
            case Kind::Literal:
                value = has && ch == token.literal && next[s + 1];
                break;
            case Kind::AnyChar:
                value = has && ch != '/' && next[s + 1];
                break;
            case Kind::Class: {
                const bool in = token.set.find(ch) != std::string::npos;
                value = has && ch != '/' && (in != token.negated) && next[s + 1];
                break;
            }
            case Kind::Star:
                value = next[s] || (has && ch != '/' && cur[s + 1]);
                break;
            case Kind::AnyPath:
                value = next[s] || (has && cur[s + 1]);
                break;
            case Kind::AnyDirs:
                if (has && ch == '/' && next[s + 1])
                    any_dir_suffix = 1;
                value = next[s] || any_dir_suffix;
                break;
            }
            cur[s] = value;
        }
        std::swap(next, cur);
        std::fill(cur.begin(), cur.end(), 0);
    }
    return next[0] != 0;
}

// -------------------------------------------------------------------------------- IgnoreRules

IgnoreRules IgnoreRules::parse(std::string_view text)
{
    IgnoreRules rules;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos)
            end = text.size();
        std::string line(text.substr(start, end - start));
        start = end + 1;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty() || line.front() == '#')
            continue;
        while (!line.empty() && line.back() == ' ' &&
               !(line.size() >= 2 && line[line.size() - 2] == '\\'))
            line.pop_back();
        bool negated = false;
        if (!line.empty() && line.front() == '!') {
            negated = true;
            line.erase(0, 1);
        }
        bool dir_only = false;
        if (!line.empty() && line.back() == '/') {
            dir_only = true;
            line.pop_back();
        }
        const bool anchored = line.find('/') != std::string::npos;
        if (!line.empty() && line.front() == '/')
            line.erase(0, 1);
        if (line.empty())
            continue;
        rules.m_rules.push_back({Glob(line), negated, dir_only, anchored});
    }
    return rules;
}

IgnoreRules::Verdict IgnoreRules::check(std::string_view relative, bool is_dir) const
{
    const size_t slash = relative.rfind('/');
    const std::string_view base =
        slash == std::string_view::npos ? relative : relative.substr(slash + 1);
    for (auto it = m_rules.rbegin(); it != m_rules.rend(); ++it) {
        if (it->dir_only && !is_dir)
            continue;
        if (it->glob.matches(it->anchored ? relative : base))
            return it->negated ? Verdict::Included : Verdict::Ignored;
    }
    return Verdict::None;
}

// ------------------------------------------------------------------------------- IgnoreStack

void IgnoreStack::push(std::string dir, IgnoreRules rules)
{
    m_levels.push_back({std::move(dir), std::move(rules)});
}

void IgnoreStack::pop()
{
    if (!m_levels.empty())
        m_levels.pop_back();
}

bool IgnoreStack::ignored(std::string_view path, bool is_dir) const
{
    for (auto it = m_levels.rbegin(); it != m_levels.rend(); ++it) {
        std::string_view relative = path;
        if (!it->dir.empty()) {
            if (path.size() <= it->dir.size() || path.substr(0, it->dir.size()) != it->dir ||
                path[it->dir.size()] != '/')
                continue;
            relative = path.substr(it->dir.size() + 1);
        }
        const auto verdict = it->rules.check(relative, is_dir);
        if (verdict != IgnoreRules::Verdict::None)
            return verdict == IgnoreRules::Verdict::Ignored;
    }
    return false;
}

} // namespace glmdesk::tools
