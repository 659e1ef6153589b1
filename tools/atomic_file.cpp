#include "atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>
#include <vector>

namespace mailauth::cli {
namespace {

std::filesystem::path folder_of(const std::filesystem::path& path) {
  const std::filesystem::path parent = path.parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

std::string failure(const std::filesystem::path& path, std::string_view what) {
  return path.string() + ": " + std::string(what) + ": " + std::generic_category().message(errno);
}

bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

std::expected<StagedFile, std::string> StagedFile::create(const std::filesystem::path& target,
                                                          std::string_view content, mode_t mode) {
  // A hidden name beside the target: same file system, so the rename is atomic.
  std::string pattern =
      (folder_of(target) / ("." + target.filename().string() + ".XXXXXX")).string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  const int fd = ::mkostemp(name.data(), O_CLOEXEC);  // mode 0600 from the start
  if (fd < 0) return std::unexpected(failure(folder_of(target), "cannot create a temporary file"));
  StagedFile staged(target, std::filesystem::path(name.data()));
  const char* step = nullptr;
  if (::fchmod(fd, mode) != 0)
    step = "cannot set the mode of the temporary file";
  else if (!write_all(fd, content))
    step = "cannot write the temporary file";
  else if (::fsync(fd) != 0)
    step = "cannot sync the temporary file";
  std::string error = step == nullptr ? "" : failure(target, step);
  if (::close(fd) != 0 && step == nullptr)
    error = failure(target, "cannot close the temporary file");
  if (!error.empty()) return std::unexpected(error);
  return staged;
}

StagedFile::StagedFile(StagedFile&& other) noexcept
    : target_(std::move(other.target_)), temporary_(std::move(other.temporary_)) {
  other.temporary_.clear();
}

StagedFile::~StagedFile() {
  if (!temporary_.empty()) ::unlink(temporary_.c_str());
}

std::expected<void, std::string> StagedFile::commit(bool replace) {
  int rc = 0;
  if (replace) {
    rc = ::rename(temporary_.c_str(), target_.c_str());
  } else {
    rc = ::renameat2(AT_FDCWD, temporary_.c_str(), AT_FDCWD, target_.c_str(), RENAME_NOREPLACE);
    // File systems without RENAME_NOREPLACE: link() also refuses an existing target.
    if (rc != 0 && (errno == EINVAL || errno == ENOSYS)) {
      rc = ::link(temporary_.c_str(), target_.c_str());
      if (rc == 0) ::unlink(temporary_.c_str());
    }
  }
  if (rc != 0) {
    if (errno == EEXIST) return std::unexpected(target_.string() + " exists");
    return std::unexpected(failure(target_, "cannot move the new file into place"));
  }
  temporary_.clear();
  return {};
}

bool exists_at(const std::filesystem::path& path) {
  struct stat st {};
  // Any answer but "no such file" counts as existing: refusing is the safe side.
  return ::lstat(path.c_str(), &st) == 0 || (errno != ENOENT && errno != ENOTDIR);
}

std::expected<void, std::string> sync_directory(const std::filesystem::path& path) {
  const std::filesystem::path folder = folder_of(path);
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(failure(folder, "cannot open the folder"));
  const bool ok = ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  errno = saved;
  if (!ok) return std::unexpected(failure(folder, "cannot sync the folder"));
  return {};
}

}  // namespace mailauth::cli
