// The engine's public face: the only engine header app/ includes. It grows the Engine (worker
// thread, requests, events) in runtime/; until then it tells what this build can run on.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace glmdesk::engine {

std::string_view version();

// Backends compiled into this build, in preference order: "cpu" always, then "cuda", "vulkan".
std::vector<std::string_view> compiled_backends();

struct BackendDevices
{
    std::string backend;              // "cpu", "cuda", "vulkan"
    bool compiled_in = false;         // false: this build has no such backend
    std::vector<std::string> devices; // human-readable, e.g. "NVIDIA H100 80GB HBM3 (79.1 GiB)"
    std::string note;                 // why there are no devices, when there are none
};

// Asks every compiled-in backend which devices it sees. Never fails: a missing driver is a note.
std::vector<BackendDevices> probe_backends();

// One line for --version: "GLM Desk 0.1.0 (backends: cpu, cuda, vulkan)".
std::string version_line(std::string_view program);

} // namespace glmdesk::engine
