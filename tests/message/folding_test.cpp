// The one line folder (message/folding.hpp) of the DKIM signer, the ARC sealer and the
// Authentication-Results builder.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "message/folding.hpp"

namespace auth::message {
namespace {

// Columns of each line of a folded value that starts after `start` columns; a TAB counts 8.
std::vector<std::size_t> columns_of(const std::string& value, std::size_t start) {
  std::vector<std::size_t> out;
  std::size_t pos = 0;
  std::size_t column = start;
  while (true) {
    const std::size_t end = value.find("\r\n", pos);
    const std::string line = value.substr(pos, end - pos);
    for (char c : line) column += c == '\t' ? 8 : 1;
    out.push_back(column);
    if (end == std::string::npos) break;
    pos = end + 2;
    column = 0;
  }
  return out;
}

TEST(LineFolder, PiecesFoldBeforeTheLineWouldPass78Columns) {
  LineFolder folder(15);  // "DKIM-Signature:"
  for (int i = 0; i < 20; ++i) folder.piece("tag" + std::to_string(i) + "=value;");
  const std::string value = folder.text();
  EXPECT_EQ(value.rfind(" tag0=value; tag1=value;", 0), 0u);
  for (std::size_t columns : columns_of(value, 15)) EXPECT_LE(columns, 78u);
  // Folding replaces the separating space: unfolded, it is the same text.
  std::string unfolded = value;
  for (std::size_t at; (at = unfolded.find("\r\n\t")) != std::string::npos;)
    unfolded.replace(at, 3, " ");
  std::string joined;
  for (int i = 0; i < 20; ++i) joined += " tag" + std::to_string(i) + "=value;";
  EXPECT_EQ(unfolded, joined);
}

TEST(LineFolder, ATabCountsEightColumns) {
  // A continuation line holds 70 columns of text after its TAB.
  LineFolder folder(0);
  folder.piece(std::string(70, 'a'), false);
  folder.piece(std::string(69, 'b'));  // 71 + 69 > 78: folds; 8 + 69 = 77 fits
  folder.piece("c");                    // 77 + 2 > 78: folds again
  EXPECT_EQ(folder.text(),
            std::string(70, 'a') + "\r\n\t" + std::string(69, 'b') + "\r\n\tc");
}

TEST(LineFolder, NeverFoldsBeforeTheFirstPieceOfALine) {
  // A piece longer than a line stays whole on a line of its own, even the first.
  LineFolder folder(60);
  folder.piece(std::string(100, 'x'));
  folder.piece(std::string(100, 'y'));
  EXPECT_EQ(folder.text(), " " + std::string(100, 'x') + "\r\n\t" + std::string(100, 'y'));
}

TEST(LineFolder, BreakableTextFillsLines) {
  LineFolder folder(15);
  folder.piece("b=");
  folder.breakable(std::string(200, 'A'));
  const std::string value = folder.text();
  const auto columns = columns_of(value, 15);
  ASSERT_GE(columns.size(), 3u);
  for (std::size_t i = 0; i + 1 < columns.size(); ++i) EXPECT_EQ(columns[i], 78u);
  std::string joined = value;
  for (std::size_t at; (at = joined.find("\r\n\t")) != std::string::npos;) joined.erase(at, 3);
  EXPECT_EQ(joined, " b=" + std::string(200, 'A'));
}

TEST(LineFolder, PiecesWithoutSpace) {
  LineFolder folder(10);
  folder.piece("h=from:", true);
  folder.piece("to:", false);
  folder.piece("subject;", false);
  EXPECT_EQ(folder.take(), " h=from:to:subject;");
}

}  // namespace
}  // namespace auth::message
