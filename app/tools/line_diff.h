// A small line diff for the approval card and the tool results: Myers' O(ND) algorithm on lines
// (after trimming the common prefix and suffix, which is all most edits need), printed as a
// unified diff that `patch -p1` and `git apply` accept. A line keeps its '\n', so "x" at the end
// of a file without a final newline differs from "x\n" and prints "\ No newline at end of file".
// When the two sides differ by more than max_edit_distance lines the minimal script would cost
// O(D^2) memory; the diff then deletes the whole changed middle and inserts the new one, which is
// still a correct patch, only not a minimal one.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace glmdesk::tools {

enum class EditOp { Equal, Delete, Insert };

struct LineEdit
{
    EditOp op;
    size_t old_index; // line in the old text (Equal, Delete), else where the insertion goes
    size_t new_index; // line in the new text (Equal, Insert), else where the deletion was
};

std::vector<std::string_view> split_lines(std::string_view text);

// The edit script turning `old_lines` into `new_lines`, in order.
std::vector<LineEdit> diff_lines(const std::vector<std::string_view> &old_lines,
                                 const std::vector<std::string_view> &new_lines,
                                 size_t max_edit_distance = 2000);

struct UnifiedDiffOptions
{
    size_t context = 3;
    size_t max_edit_distance = 2000;
    bool old_missing = false; // "--- /dev/null": the file is being created
    bool new_missing = false; // "+++ /dev/null": the file is being removed
};

// "" when the texts are equal; otherwise "--- a/<path>\n+++ b/<path>\n" and the hunks.
std::string unified_diff(std::string_view old_text, std::string_view new_text,
                         std::string_view path, const UnifiedDiffOptions &options = {});

} // namespace glmdesk::tools
