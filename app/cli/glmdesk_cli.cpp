// glmdesk-cli: the engine without Qt, for tests, benchmarks and scripts (contract: DESIGN.md).
// Errors go to stderr with a non-zero exit code; --json output is one object on stdout.
#include "engine/engine.h"

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace {

void print_usage(std::FILE *out)
{
    std::fputs("usage: glmdesk-cli [options]\n"
               "  --version        print the version and the backends compiled in\n"
               "  --list-devices   list the devices every compiled-in backend sees\n"
               "  --json           machine-readable output (one JSON object on stdout)\n"
               "  -h, --help       this help\n",
               out);
}

std::string json_escape(std::string_view s)
{
    std::string out;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += ch;
            }
        }
    }
    return out;
}

int list_devices(bool json)
{
    const auto backends = glmdesk::engine::probe_backends();
    if (json) {
        std::string out = "{\"backends\":[";
        for (size_t i = 0; i < backends.size(); ++i) {
            const auto &b = backends[i];
            out += (i ? "," : "") + std::string("{\"name\":\"") + json_escape(b.backend) +
                   "\",\"compiled_in\":" + (b.compiled_in ? "true" : "false") + ",\"devices\":[";
            for (size_t d = 0; d < b.devices.size(); ++d)
                out += (d ? ",\"" : "\"") + json_escape(b.devices[d]) + "\"";
            out += "],\"note\":\"" + json_escape(b.note) + "\"}";
        }
        out += "]}\n";
        std::fputs(out.c_str(), stdout);
        return 0;
    }
    for (const auto &b : backends) {
        std::printf("%s%s\n", b.backend.c_str(), b.compiled_in ? "" : " (not compiled in)");
        for (const auto &d : b.devices)
            std::printf("  %s\n", d.c_str());
        if (b.devices.empty() && b.compiled_in)
            std::printf("  no device: %s\n", b.note.c_str());
    }
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    bool json = false;
    bool want_version = false;
    bool want_devices = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--version") {
            want_version = true;
        } else if (arg == "--list-devices") {
            want_devices = true;
        } else if (arg == "--json") {
            json = true;
        } else if (arg == "-h" || arg == "--help") {
            print_usage(stdout);
            return 0;
        } else {
            std::fprintf(stderr, "glmdesk-cli: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    if (want_version) {
        if (json) {
            std::string out =
                "{\"version\":\"" + std::string(glmdesk::engine::version()) + "\",\"backends\":[";
            const auto names = glmdesk::engine::compiled_backends();
            for (size_t i = 0; i < names.size(); ++i)
                out += (i ? ",\"" : "\"") + std::string(names[i]) + "\"";
            std::printf("%s]}\n", out.c_str());
        } else {
            std::printf("%s\n", glmdesk::engine::version_line("glmdesk-cli").c_str());
        }
        return 0;
    }
    if (want_devices)
        return list_devices(json);
    print_usage(stderr);
    return 2;
}
