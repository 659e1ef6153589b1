// Files written whole or not at all, and never over an existing file unless asked (mailauth
// keygen: a private key is the one file an operator cannot get back). The text goes to a
// temporary file in the target's folder, which is synced and then renamed onto the target.
#pragma once

#include <sys/types.h>

#include <expected>
#include <filesystem>
#include <string>
#include <string_view>

namespace mailauth::cli {

// A temporary file holding the final content, not yet in place. Removed when destroyed
// uncommitted.
class StagedFile {
 public:
  // Writes `content` to a new temporary file beside `target` with `mode` (not subject to the
  // umask), fsyncs and closes it. Errors name the folder or file.
  static std::expected<StagedFile, std::string> create(const std::filesystem::path& target,
                                                       std::string_view content, mode_t mode);
  StagedFile(StagedFile&& other) noexcept;
  StagedFile& operator=(StagedFile&&) = delete;
  ~StagedFile();

  // Renames the temporary file onto the target. Without `replace`, fails when the target exists
  // (checked atomically with the rename: no window for another writer). The caller then syncs
  // the folder (sync_directory) so the rename itself is durable.
  std::expected<void, std::string> commit(bool replace);
  const std::filesystem::path& target() const { return target_; }

 private:
  StagedFile(std::filesystem::path target, std::filesystem::path temporary)
      : target_(std::move(target)), temporary_(std::move(temporary)) {}
  std::filesystem::path target_;
  std::filesystem::path temporary_;  // empty once committed
};

// True when something (a file, a folder, a dangling symbolic link) exists at `path`.
bool exists_at(const std::filesystem::path& path);

// fsync of the folder holding `path`, so that a rename into it survives a crash.
std::expected<void, std::string> sync_directory(const std::filesystem::path& path);

}  // namespace mailauth::cli
