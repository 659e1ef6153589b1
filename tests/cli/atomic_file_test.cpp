// tools/atomic_file: staged files land whole, with their mode, and never over an existing file
// unless asked, even when that file appears between the check and the rename.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "atomic_file.hpp"

namespace mailauth::cli {
namespace {

namespace fs = std::filesystem;

class AtomicFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mailauth-atomic-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  static void write(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }
  static mode_t mode_of(const fs::path& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_mode & 07777;
  }
  std::size_t entries() const {
    return static_cast<std::size_t>(
        std::distance(fs::directory_iterator(dir_), fs::directory_iterator()));
  }

  fs::path dir_;
};

TEST_F(AtomicFile, CommitWritesTheContentWithTheModeDespiteTheUmask) {
  const mode_t old_mask = ::umask(0077);
  auto staged = StagedFile::create(dir_ / "record.zone", "text\n", 0644);
  ::umask(old_mask);
  ASSERT_TRUE(staged.has_value()) << staged.error();
  EXPECT_EQ(entries(), 1u);  // only the temporary file so far
  EXPECT_FALSE(fs::exists(dir_ / "record.zone"));
  ASSERT_TRUE(staged->commit(false).has_value());
  EXPECT_EQ(read(dir_ / "record.zone"), "text\n");
  EXPECT_EQ(mode_of(dir_ / "record.zone"), 0644u);
  EXPECT_EQ(entries(), 1u);
  EXPECT_TRUE(sync_directory(dir_ / "record.zone").has_value());
}

TEST_F(AtomicFile, FileThatAppearsAfterStagingIsNotReplaced) {
  auto staged = StagedFile::create(dir_ / "key.pem", "new key", 0600);
  ASSERT_TRUE(staged.has_value()) << staged.error();
  write(dir_ / "key.pem", "old key");  // another writer, between the check and the rename
  const auto committed = staged->commit(false);
  ASSERT_FALSE(committed.has_value());
  EXPECT_EQ(committed.error(), (dir_ / "key.pem").string() + " exists");
  EXPECT_EQ(read(dir_ / "key.pem"), "old key");
}

TEST_F(AtomicFile, ReplaceOverwritesAndTakesTheNewMode) {
  write(dir_ / "key.pem", "old key");
  fs::permissions(dir_ / "key.pem", fs::perms(0644));
  auto staged = StagedFile::create(dir_ / "key.pem", "new key", 0600);
  ASSERT_TRUE(staged.has_value()) << staged.error();
  ASSERT_TRUE(staged->commit(true).has_value());
  EXPECT_EQ(read(dir_ / "key.pem"), "new key");
  EXPECT_EQ(mode_of(dir_ / "key.pem"), 0600u);
  EXPECT_EQ(entries(), 1u);
}

TEST_F(AtomicFile, UncommittedStagingLeavesNothingBehind) {
  {
    auto staged = StagedFile::create(dir_ / "key.pem", "new key", 0600);
    ASSERT_TRUE(staged.has_value()) << staged.error();
    auto moved = std::move(*staged);  // the moved-from object owns nothing
    EXPECT_EQ(entries(), 1u);
  }
  EXPECT_EQ(entries(), 0u);
}

TEST_F(AtomicFile, MissingFolderIsNamed) {
  auto staged = StagedFile::create(dir_ / "no" / "key.pem", "x", 0600);
  ASSERT_FALSE(staged.has_value());
  EXPECT_NE(staged.error().find((dir_ / "no").string() + ": cannot create a temporary file"),
            std::string::npos)
      << staged.error();
}

TEST_F(AtomicFile, ExistsAtSeesDanglingSymbolicLinks) {
  EXPECT_FALSE(exists_at(dir_ / "key.pem"));
  fs::create_symlink(dir_ / "nowhere", dir_ / "key.pem");
  EXPECT_TRUE(exists_at(dir_ / "key.pem"));
  EXPECT_FALSE(exists_at(dir_ / "missing" / "key.pem"));
}

}  // namespace
}  // namespace mailauth::cli
