// The common subset of .gitignore, enough for search_text to skip what the project ignores.
//
// Supported (gitignore(5)): blank lines and "#" comments; "\#" and "\!" escapes; trailing spaces
// trimmed unless escaped; "!" negation (the last matching pattern wins); a trailing "/" matches
// directories only; a pattern with a "/" before its end is anchored to the directory of its
// .gitignore (a leading "/" only anchors), one without matches the name at any depth below;
// "*", "?", "[a-z]", "[!x]"/"[^x]" never match "/"; "**/" leading or in the middle matches zero or
// more directories; a trailing "/**" matches everything inside. Matching is a memoised
// token-by-position table, so a hostile pattern cannot make it exponential.
// Not supported: .git/info/exclude, core.excludesFile and .gitignore files above the project
// root; POSIX classes such as "[[:alpha:]]" (they never match); core.ignorecase. As in git, a
// file inside an ignored directory stays ignored even if a later "!" names it, because the
// walker does not enter ignored directories.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace glmdesk::tools {

// One glob in tokens; matches a whole string.
class Glob
{
public:
    explicit Glob(std::string_view pattern);
    bool matches(std::string_view text) const;

private:
    enum class Kind { Literal, AnyChar, Class, Star, AnyDirs, AnyPath };
    struct Token
    {
        Kind kind;
        char literal = 0;
        std::string set; // Class: a list of chars and "a-z" ranges, pre-expanded
        bool negated = false;
    };
    std::vector<Token> m_tokens;
    bool m_valid = true;
};

// The patterns of one .gitignore, for paths relative to the directory that holds it.
class IgnoreRules
{
public:
    IgnoreRules() = default;
    static IgnoreRules parse(std::string_view text);

    enum class Verdict { None, Ignored, Included };
    // `relative` is "/"-separated from the .gitignore's directory, without a leading "/".
    Verdict check(std::string_view relative, bool is_dir) const;
    bool empty() const { return m_rules.empty(); }

private:
    struct Rule
    {
        Glob glob;
        bool negated = false;
        bool dir_only = false;
        bool anchored = false; // match the whole relative path, else the last component
    };
    std::vector<Rule> m_rules;
};

// The stack of .gitignore files from the project root down to the current directory.
class IgnoreStack
{
public:
    // `dir` is the directory of the rules, relative to the project root ("" for the root).
    void push(std::string dir, IgnoreRules rules);
    void pop();
    // `path` relative to the project root.
    bool ignored(std::string_view path, bool is_dir) const;

private:
    struct Level
    {
        std::string dir;
        IgnoreRules rules;
    };
    std::vector<Level> m_levels;
};

} // namespace glmdesk::tools
