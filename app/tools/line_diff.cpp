#include "app/tools/line_diff.h"

#include <algorithm>

namespace glmdesk::tools {

std::vector<std::string_view> split_lines(std::string_view text)
{
    std::vector<std::string_view> lines;
    size_t start = 0;
    while (start < text.size()) {
        const size_t nl = text.find('\n', start);
        const size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
        lines.push_back(text.substr(start, end - start));
        start = end;
    }
    return lines;
}

namespace {

// Myers over a[a0, a1) and b[b0, b1); appends the middle's script to `out`.
void myers_middle(const std::vector<std::string_view> &a, const std::vector<std::string_view> &b,
                  size_t a0, size_t a1, size_t b0, size_t b1, size_t max_d,
                  std::vector<LineEdit> &out)
{
    const auto n = static_cast<long>(a1 - a0);
    const auto m = static_cast<long>(b1 - b0);
    const long max = n + m;
    const auto d_limit = static_cast<long>(std::min<size_t>(max_d, static_cast<size_t>(max)));
    std::vector<long> v(static_cast<size_t>(2 * max + 3), 0);
    const long offset = max + 1;
    auto at = [&](long k) -> long & { return v[static_cast<size_t>(offset + k)]; };
    // trace[d] holds v[-d..d] at the end of round d.
    std::vector<std::vector<long>> trace;
    long found = -1;
    for (long d = 0; d <= d_limit && found < 0; ++d) {
        for (long k = -d; k <= d; k += 2) {
            long x = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? at(k + 1) : at(k - 1) + 1;
            long y = x - k;
            while (x < n && y < m &&
                   a[a0 + static_cast<size_t>(x)] == b[b0 + static_cast<size_t>(y)]) {
                ++x;
                ++y;
            }
            at(k) = x;
            if (x >= n && y >= m) {
                found = d;
                break;
            }
        }
        trace.emplace_back(v.begin() + (offset - d), v.begin() + (offset + d + 1));
    }
    if (found < 0) {
        // Too far apart for a minimal script within the budget: replace the whole middle.
        for (long i = 0; i < n; ++i)
            out.push_back({EditOp::Delete, a0 + static_cast<size_t>(i), b0});
        for (long j = 0; j < m; ++j)
            out.push_back({EditOp::Insert, a1, b0 + static_cast<size_t>(j)});
        return;
    }
    std::vector<LineEdit> reversed;
    long x = n;
    long y = m;
    for (long d = found; d > 0; --d) {
        const std::vector<long> &prev = trace[static_cast<size_t>(d - 1)];
        auto prev_at = [&](long k) { return prev[static_cast<size_t>(k + d - 1)]; };
        const long k = x - y;
        const bool down = k == -d || (k != d && prev_at(k - 1) < prev_at(k + 1));
        const long prev_k = down ? k + 1 : k - 1;
        const long prev_x = prev_at(prev_k);
        const long prev_y = prev_x - prev_k;
        while (x > prev_x && y > prev_y) {
            --x;
            --y;
            reversed.push_back(
                {EditOp::Equal, a0 + static_cast<size_t>(x), b0 + static_cast<size_t>(y)});
        }
        if (down) {
            --y;
            reversed.push_back(
                {EditOp::Insert, a0 + static_cast<size_t>(x), b0 + static_cast<size_t>(y)});
        } else {
            --x;
            reversed.push_back(
                {EditOp::Delete, a0 + static_cast<size_t>(x), b0 + static_cast<size_t>(y)});
        }
    }
    while (x > 0 && y > 0) {
        --x;
        --y;
        reversed.push_back(
            {EditOp::Equal, a0 + static_cast<size_t>(x), b0 + static_cast<size_t>(y)});
    }
    out.insert(out.end(), reversed.rbegin(), reversed.rend());
}

std::string range_text(size_t start, size_t count)
{
    // GNU diff: an empty range names the line before it; a one-line range omits ",1".
    if (count == 0)
        return std::to_string(start) + ",0";
    if (count == 1)
        return std::to_string(start + 1);
    return std::to_string(start + 1) + "," + std::to_string(count);
}

void append_line(std::string &out, char prefix, std::string_view line)
{
    out += prefix;
    out.append(line);
    if (line.empty() || line.back() != '\n')
        out += "\n\\ No newline at end of file\n";
}

} // namespace

std::vector<LineEdit> diff_lines(const std::vector<std::string_view> &old_lines,
                                 const std::vector<std::string_view> &new_lines,
                                 size_t max_edit_distance)
{
    std::vector<LineEdit> out;
    const size_t n = old_lines.size();
    const size_t m = new_lines.size();
    size_t prefix = 0;
    while (prefix < n && prefix < m && old_lines[prefix] == new_lines[prefix])
        ++prefix;
    size_t suffix = 0;
    while (suffix < n - prefix && suffix < m - prefix &&
           old_lines[n - 1 - suffix] == new_lines[m - 1 - suffix])
        ++suffix;
    out.reserve(n + m - prefix - suffix);
    for (size_t i = 0; i < prefix; ++i)
        out.push_back({EditOp::Equal, i, i});
    myers_middle(old_lines, new_lines, prefix, n - suffix, prefix, m - suffix, max_edit_distance,
                 out);
    for (size_t i = 0; i < suffix; ++i)
        out.push_back({EditOp::Equal, n - suffix + i, m - suffix + i});
    return out;
}

std::string unified_diff(std::string_view old_text, std::string_view new_text,
                         std::string_view path, const UnifiedDiffOptions &options)
{
    if (old_text == new_text && !options.old_missing && !options.new_missing)
        return {};
    const auto a = split_lines(old_text);
    const auto b = split_lines(new_text);
    const auto script = diff_lines(a, b, options.max_edit_distance);

    std::string out;
    out += options.old_missing ? std::string("--- /dev/null") : "--- a/" + std::string(path);
    out += '\n';
    out += options.new_missing ? std::string("+++ /dev/null") : "+++ b/" + std::string(path);
    out += '\n';

    const size_t ctx = options.context;
    size_t i = 0;
    while (i < script.size()) {
        // The next change.
        while (i < script.size() && script[i].op == EditOp::Equal)
            ++i;
        if (i == script.size())
            break;
        size_t first = i >= ctx ? i - ctx : 0;
        // Extend over changes separated by at most 2*ctx equal lines.
        size_t last_change = i;
        size_t j = i;
        while (j < script.size()) {
            if (script[j].op != EditOp::Equal) {
                last_change = j;
                ++j;
                continue;
            }
            size_t run = 0;
            while (j + run < script.size() && script[j + run].op == EditOp::Equal)
                ++run;
            if (j + run == script.size() || run > 2 * ctx)
                break;
            j += run;
        }
        const size_t end = std::min(script.size(), last_change + 1 + ctx);
        // Where the hunk starts on each side, and how many lines it spans.
        size_t old_start = script[first].old_index;
        size_t new_start = script[first].new_index;
        size_t old_count = 0;
        size_t new_count = 0;
        for (size_t t = first; t < end; ++t) {
            if (script[t].op != EditOp::Insert)
                ++old_count;
            if (script[t].op != EditOp::Delete)
                ++new_count;
        }
        out += "@@ -" + range_text(old_start, old_count) + " +" + range_text(new_start, new_count) +
               " @@\n";
        for (size_t t = first; t < end; ++t) {
            const LineEdit &e = script[t];
            if (e.op == EditOp::Equal)
                append_line(out, ' ', a[e.old_index]);
            else if (e.op == EditOp::Delete)
                append_line(out, '-', a[e.old_index]);
            else
                append_line(out, '+', b[e.new_index]);
        }
        i = end;
    }
    return out;
}

} // namespace glmdesk::tools
