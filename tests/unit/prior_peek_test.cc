// The quick look at a news file's prior (prior/peek.h), alone: it agrees with
// the parser on real files and reads the ways numbers are written, and gives
// no guess where it cannot be sure.
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>

#include "document/document.h"
#include "prior/peek.h"
#include "schema/schema.h"
#include "signal_files.h"
#include "test_support.h"

namespace fs = std::filesystem;

namespace {

using news::testing::news_file_with_signals;

TEST(PriorPeek, AgreesWithTheParserOnTheSeeds) {
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(NEWS_SEEDS_DIR)) {
    if (!entry.is_regular_file()) continue;
    std::string bytes = news::testing::read_file(entry.path());
    news::ParseResult parsed = news::parse_news_file(bytes);
    if (parsed.status != news::ParseStatus::kOk) continue;
    std::optional<double> peeked = news::prior::peek_prior(bytes);
    ASSERT_TRUE(peeked.has_value()) << entry.path();
    EXPECT_EQ(*peeked, news::schema::prior(parsed.document.quality, parsed.document.heat))
        << entry.path();
    ++files;
  }
  EXPECT_GT(files, 5);
}

TEST(PriorPeek, ReadsTheWaysNumbersAreWritten) {
  using news::prior::peek_prior;
  using news::schema::prior;
  EXPECT_EQ(peek_prior(news_file_with_signals("t", "80", "30")), prior(80, 30));
  EXPECT_EQ(peek_prior(news_file_with_signals("t", "'80'", "\"30\"")), prior(80, 30));
  EXPECT_EQ(peek_prior(news_file_with_signals("t", "80", "-1")), prior(80, std::nullopt));
  EXPECT_EQ(peek_prior(news_file_with_signals("t", "", "")), prior(std::nullopt, std::nullopt));
  std::string crlf;
  for (char c : news_file_with_signals("t", "12", "7")) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  EXPECT_EQ(peek_prior(crlf), prior(12, 7));
  // Indented keys belong to nested maps (related articles): not the document's.
  EXPECT_EQ(peek_prior("---\ntitle: t\nrelated:\n  - quality: 99\nquality: 5\n---\n"),
            prior(5, std::nullopt));
  // Past the front matter: not read.
  EXPECT_EQ(peek_prior("---\ntitle: t\n---\nquality: 99\n"), prior(std::nullopt, std::nullopt));
  // Unclear: no guess.
  EXPECT_EQ(peek_prior(news_file_with_signals("t", "lots", "3")), std::nullopt);
  EXPECT_EQ(peek_prior(news_file_with_signals("t", "-5", "3")), std::nullopt);
}

TEST(PriorPeek, GivesNoGuessWithoutFrontMatterOrForAValueOutOfRange) {
  using news::prior::peek_prior;
  using news::schema::prior;
  EXPECT_EQ(peek_prior("title: t\nquality: 5\n"), std::nullopt);
  EXPECT_EQ(peek_prior(""), std::nullopt);
  // A UTF-8 BOM before the opening line is skipped, as the parser skips it.
  EXPECT_EQ(peek_prior("\xEF\xBB\xBF" + news_file_with_signals("t", "40", "")),
            prior(40, std::nullopt));
  // The largest value a document can have, and one past it.
  const std::string most = std::to_string(news::kMaxRankSignal);
  const std::string too_many = std::to_string(news::kMaxRankSignal + 1);
  EXPECT_EQ(peek_prior(news_file_with_signals("t", most, "")),
            prior(news::kMaxRankSignal, std::nullopt));
  EXPECT_EQ(peek_prior(news_file_with_signals("t", too_many, "")), std::nullopt);
  EXPECT_EQ(peek_prior(news_file_with_signals("t", "", too_many)), std::nullopt);
  // Heat -1 is unknown; below that is not a heat.
  EXPECT_EQ(peek_prior(news_file_with_signals("t", "", "-2")), std::nullopt);
}

}  // namespace
