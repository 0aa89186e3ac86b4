// Inputs the fuzzer (fuzz/parse_fuzzer.cc) once crashed on. Each must now
// parse to a definite status without crashing, and as a whole read of its
// YAML does when that accepts it; under the sanitizer build a regression is a
// sanitizer report, here it is also the status check.
#include <gtest/gtest.h>

#include <filesystem>

#include "base/text.h"
#include "document/document.h"
#include "document/document_builder.h"
#include "test_support.h"

namespace {

TEST(FuzzRegressions, EveryKeptInputParsesToADefiniteStatus) {
  const std::filesystem::path dir = std::filesystem::path(NEWS_FIXTURES_DIR) / "fuzz-regressions";
  int inputs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    SCOPED_TRACE(entry.path().string());
    std::string bytes = news::testing::read_file(entry.path());
    news::ParseResult parsed = news::parse_news_file(bytes);
    news::ParseResult whole = news::parse_news_file_whole(bytes);
    if (whole.status != news::ParseStatus::kRejected) {
      EXPECT_EQ(parsed.status, whole.status);
      EXPECT_EQ(parsed.document, whole.document);
    }
    if (parsed.status == news::ParseStatus::kOk) {
      news::DocumentBuilder builder;
      EXPECT_GT(builder.build(parsed.document, "id", "XRroot", "hash").termlist_count(), 0u);
    } else {
      EXPECT_FALSE(parsed.reason.empty());
    }
    std::string text = news::terminal_safe(bytes);
    EXPECT_TRUE(news::is_valid_utf8(text));
    ++inputs;
  }
  EXPECT_GT(inputs, 0);
}

TEST(FuzzRegressions, DateWithNonNumericSecondsIsNotADate) {
  // The first fuzz crash: a seconds field that a stream parser read as NaN.
  EXPECT_FALSE(news::parse_iso_datetime("2019-04-23T11:44:nan").has_value());
  EXPECT_FALSE(news::parse_iso_datetime("2019-04-23T11:44:\xff\xfe").has_value());
  EXPECT_EQ(news::parse_iso_datetime("2019-04-23T11:44:05Z"), 1556019845);
}

}  // namespace
