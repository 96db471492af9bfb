#include "engine/io/mapped_file.h"

#include <cerrno>
#include <cstring>
#include <limits>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace glmdesk::engine {
namespace {

Status os_error(const std::filesystem::path &path, const char *what, int err)
{
    const StatusCode code = err == ENOENT ? StatusCode::NotFound : StatusCode::IoError;
    return error(code, path.string() + ": " + what + ": " + std::strerror(err));
}

// Closes the descriptor on every path out of open(): the map keeps the file alive by itself.
class FdGuard
{
public:
    explicit FdGuard(int fd) : m_fd(fd) {}
    FdGuard(const FdGuard &) = delete;
    FdGuard &operator=(const FdGuard &) = delete;
    ~FdGuard()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    int get() const { return m_fd; }

private:
    int m_fd;
};

} // namespace

Expected<MappedFile> MappedFile::open(const std::filesystem::path &path)
{
    FdGuard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0)
        return os_error(path, "cannot open", errno);
    struct stat st{};
    if (::fstat(fd.get(), &st) != 0)
        return os_error(path, "cannot stat", errno);
    if (S_ISDIR(st.st_mode))
        return error(StatusCode::InvalidArgument, path.string() + ": is a directory, not a file");
    if (!S_ISREG(st.st_mode))
        return error(StatusCode::InvalidArgument, path.string() + ": not a regular file");
    MappedFile file;
    file.m_path = path;
    if (st.st_size == 0)
        return file;
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (size > std::numeric_limits<size_t>::max())
        return error(StatusCode::Unsupported, path.string() + ": too large to map");
    void *addr = ::mmap(nullptr, static_cast<size_t>(size), PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (addr == MAP_FAILED)
        return os_error(path, "cannot map", errno);
    file.m_data = static_cast<const std::uint8_t *>(addr);
    file.m_size = size;
    return file;
}

MappedFile::MappedFile(MappedFile &&other) noexcept
    : m_path(std::move(other.m_path)), m_data(other.m_data), m_size(other.m_size)
{
    other.m_data = nullptr;
    other.m_size = 0;
}

MappedFile &MappedFile::operator=(MappedFile &&other) noexcept
{
    if (this != &other) {
        release();
        m_path = std::move(other.m_path);
        m_data = other.m_data;
        m_size = other.m_size;
        other.m_data = nullptr;
        other.m_size = 0;
    }
    return *this;
}

MappedFile::~MappedFile()
{
    release();
}

void MappedFile::release()
{
    if (m_data)
        ::munmap(const_cast<std::uint8_t *>(m_data), static_cast<size_t>(m_size));
    m_data = nullptr;
    m_size = 0;
}

Expected<std::string> read_small_file(const std::filesystem::path &path, std::uint64_t max_bytes)
{
    auto map = MappedFile::open(path);
    if (!map)
        return map.status();
    if (map->size() > max_bytes)
        return error(StatusCode::Unsupported, path.string() + ": " + std::to_string(map->size()) +
                                                  " bytes, more than the " +
                                                  std::to_string(max_bytes) + " allowed");
    return std::string(reinterpret_cast<const char *>(map->data()),
                       static_cast<size_t>(map->size()));
}

} // namespace glmdesk::engine
