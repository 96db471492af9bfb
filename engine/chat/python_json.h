// The chat template prints JSON through Python's json.dumps(ensure_ascii=False) with its default
// separators (", " and ": "), insertion-ordered keys and Python's float repr. nlohmann's dump()
// differs in all three, so the prompt renderer uses this writer to stay byte-identical.
#pragma once

#include "engine/chat/conversation.h"

#include <string>

namespace glmdesk::engine {

// json.dumps(value, ensure_ascii=False). Invalid UTF-8 inside strings (impossible in Python) is
// replaced by U+FFFD so that the output is always valid UTF-8.
std::string python_json_dumps(const Json &value);

// repr(float) as Python prints it: shortest round-trip digits, exponent form below 1e-4 and from
// 1e16 on, ".0" on integral values; NaN/Infinity as json.dumps writes them.
std::string python_float_repr(double value);

} // namespace glmdesk::engine
