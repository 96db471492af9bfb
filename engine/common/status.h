// Errors are values in the engine: a Status carries a code and a message a user can act on
// ("model.gguf: tensor 'blk.3.ffn_up_exps.weight' ends past the end of the file"). No exception
// crosses the engine API and no bad input reaches abort(). Expected<T> is the small subset of
// C++23 std::expected we need, so the engine builds with the older compilers of GPU machines.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace glmdesk::engine {

enum class StatusCode {
    Ok,
    InvalidArgument, // the caller asked for something impossible
    NotFound,        // a file, key or tensor that should be there is not
    IoError,         // the OS refused (open, mmap, read)
    CorruptFile,     // a file is truncated or its contents contradict themselves
    Unsupported,     // valid, but not something this engine runs (architecture, block format)
    OutOfMemory,
    NotCompiledIn, // a backend this build does not contain
    DeviceError,   // a GPU API call failed
    Cancelled,
    Internal,
};

std::string_view status_code_name(StatusCode code);

class [[nodiscard]] Status
{
public:
    Status() = default;
    Status(StatusCode code, std::string message) : m_code(code), m_message(std::move(message)) {}

    static Status success() { return {}; }

    bool ok() const { return m_code == StatusCode::Ok; }
    explicit operator bool() const { return ok(); }
    StatusCode code() const { return m_code; }
    const std::string &message() const { return m_message; }

    // Prefixes the message with where it happened: "air.gguf: " + "tensor table: ...".
    Status with_context(std::string_view context) const &;
    Status with_context(std::string_view context) &&;

    // "corrupt file: air.gguf: ..." for logs and the CLI's stderr.
    std::string to_string() const;

private:
    StatusCode m_code = StatusCode::Ok;
    std::string m_message;
};

inline Status error(StatusCode code, std::string message)
{
    return {code, std::move(message)};
}

template <typename T> class [[nodiscard]] Expected
{
public:
    Expected(T value) : m_storage(std::in_place_index<0>, std::move(value)) {}
    Expected(Status status) : m_storage(std::in_place_index<1>, std::move(status))
    {
        // An Expected holding a "success" Status would have no value to give: a caller bug.
        assert(!std::get<1>(m_storage).ok());
        if (std::get<1>(m_storage).ok())
            std::get<1>(m_storage) = Status(StatusCode::Internal, "error without a message");
    }

    bool has_value() const { return m_storage.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T &value() &
    {
        assert(has_value());
        return std::get<0>(m_storage);
    }
    const T &value() const &
    {
        assert(has_value());
        return std::get<0>(m_storage);
    }
    T &&value() &&
    {
        assert(has_value());
        return std::get<0>(std::move(m_storage));
    }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }

    // The error; a success Status when there is a value, so `return e.status();` is always valid.
    Status status() const { return has_value() ? Status::success() : std::get<1>(m_storage); }

private:
    std::variant<T, Status> m_storage;
};

} // namespace glmdesk::engine
