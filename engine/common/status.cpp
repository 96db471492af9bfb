#include "engine/common/status.h"

namespace glmdesk::engine {

std::string_view status_code_name(StatusCode code)
{
    switch (code) {
    case StatusCode::Ok:
        return "ok";
    case StatusCode::InvalidArgument:
        return "invalid argument";
    case StatusCode::NotFound:
        return "not found";
    case StatusCode::IoError:
        return "I/O error";
    case StatusCode::CorruptFile:
        return "corrupt file";
    case StatusCode::Unsupported:
        return "unsupported";
    case StatusCode::OutOfMemory:
        return "out of memory";
    case StatusCode::NotCompiledIn:
        return "not compiled in";
    case StatusCode::DeviceError:
        return "device error";
    case StatusCode::Cancelled:
        return "cancelled";
    case StatusCode::Internal:
        return "internal error";
    }
    return "unknown error";
}

Status Status::with_context(std::string_view context) const &
{
    Status copy = *this;
    return std::move(copy).with_context(context);
}

Status Status::with_context(std::string_view context) &&
{
    if (!ok())
        m_message = std::string(context) + ": " + m_message;
    return std::move(*this);
}

std::string Status::to_string() const
{
    if (ok())
        return "ok";
    return std::string(status_code_name(m_code)) + ": " + m_message;
}

} // namespace glmdesk::engine
