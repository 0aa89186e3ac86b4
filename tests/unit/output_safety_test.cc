// Hostile text on its way out, and the bounds on what one document or one
// query may cost (issue #26, items 9 to 11): the one filter for terminals and
// documents (text.h: terminal_safe, escape_text, unescape_text), JSON that
// carries no C1 control, CSV, snippet_html's quoting, ids that --like takes
// back, the query's and the wildcard's bounds, the distinct terms one
// document may add, ranges with NaN or infinite bounds, and the messages for
// a database path that holds no database.
#include <gtest/gtest.h>
#include <xapian.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/text.h"
#include "document/document.h"
#include "document/document_builder.h"
#include "index/indexer.h"
#include "render/format.h"
#include "search/search.h"
#include "test_support.h"

namespace fs = std::filesystem;

namespace {

using news::testing::TempDir;
using news::testing::write_file;

// The bytes that act on a terminal: ESC, BEL, CSI as one byte and as U+009B.
// In valid UTF-8 a byte 0x9B can only continue a character (as in "ě"), so
// the checks are: valid UTF-8, and no ESC, BEL or U+009B.
void expect_no_terminal_controls(const std::string& text) {
  EXPECT_TRUE(news::is_valid_utf8(text)) << text;
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_EQ(text.find('\x07'), std::string::npos) << text;
  EXPECT_EQ(text.find("\xC2\x9B"), std::string::npos) << text;
}

const std::string kHostile =
    "a\x1b]0;PWNED\x07\x1b[2J"
    "b\xC2\x9B"
    "2Jc\x1b]52;c;SGVsbG8=\x07"
    "d";

TEST(OutputFilter, TerminalSafeShowsControlsAsVisibleEscapes) {
  EXPECT_EQ(news::terminal_safe("x\x1b[2Jy\x07z\x7f"), "x\\x1B[2Jy\\x07z\\x7F");
  EXPECT_EQ(news::terminal_safe("a\xC2\x9B"
                                "b"),
            "a\\u{009B}b");
  // Bidirectional overrides and the line separator U+2028.
  EXPECT_EQ(news::terminal_safe("in\xE2\x80\xAE"
                                "fdp\xE2\x80\xA8x"),
            "in\\u{202E}fdp\\u{2028}x");
  // A byte that is not UTF-8 (a raw 8-bit CSI among them).
  EXPECT_EQ(news::terminal_safe("raw\x9B"
                                "2J"),
            "raw\\x9B2J");
  expect_no_terminal_controls(news::terminal_safe(kHostile));
  EXPECT_TRUE(news::is_valid_utf8(news::terminal_safe(kHostile)));
}

TEST(OutputFilter, TerminalSafeTurnsWhitespaceIntoSpacesAndKeepsText) {
  EXPECT_EQ(news::terminal_safe("a\tb\nc\rd"), "a b c d");
  std::string text = "Caf\xC3\xA9 \xE2\x80\x94 \xE6\x97\xA5\xE6\x9C\xAC \\ \xEE\x80\x80x";
  EXPECT_EQ(news::terminal_safe(text), text);
}

TEST(OutputFilter, EscapeTextIsOneLineAndReadsBack) {
  EXPECT_EQ(news::escape_text("a\nb\tc\\d\x1b"), "a\\nb\\tc\\\\d\\x1B");
  std::vector<std::string> samples = {"",
                                      "plain.md",
                                      kHostile,
                                      "dir/name\n.md",
                                      "back\\slash",
                                      "\\x1B literally",
                                      std::string("nul\0byte", 8),
                                      "\xFF\xFE invalid",
                                      "\xE2\x80\xAE rtl"};
  std::mt19937 random(26);
  for (int i = 0; i < 200; ++i) {
    std::string bytes(random() % 40, '\0');
    for (auto& byte : bytes) byte = static_cast<char>(random() % 256);
    samples.push_back(bytes);
  }
  for (const auto& sample : samples) {
    std::string escaped = news::escape_text(sample);
    EXPECT_EQ(escaped.find('\n'), std::string::npos);
    expect_no_terminal_controls(escaped);
    EXPECT_TRUE(news::is_valid_utf8(escaped));
    EXPECT_EQ(news::unescape_text(escaped), std::optional<std::string>(sample)) << escaped;
  }
}

TEST(OutputFilter, UnescapeTextRefusesWhatEscapeTextCannotWrite) {
  for (const char* text :
       {"trailing\\", "\\q", "\\x1", "\\xZZ", "\\u{}", "\\u{110000}", "\\u{D800}", "\\u{41"}) {
    EXPECT_EQ(news::unescape_text(text), std::nullopt) << text;
  }
  EXPECT_EQ(news::unescape_text("\\u{1F600}"), std::optional<std::string>("\xF0\x9F\x98\x80"));
}

TEST(OutputFilter, JsonEscapesEveryControlAndStaysTheSameValue) {
  nlohmann::json value = {{"title", kHostile + "\x7f\xE2\x80\xAE\xE2\x80\xA9"}};
  std::string text = news::dump_json(value, -1);
  expect_no_terminal_controls(text);
  EXPECT_EQ(text.find('\x7f'), std::string::npos);
  EXPECT_EQ(text.find("\xE2\x80\xAE"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(text), value);
}

TEST(OutputFilter, CsvShowsControlsVisiblyAndIdsAsEscapeText) {
  news::SearchResponse response;
  news::SearchHit hit;
  hit.rank = 1;
  hit.id = "dir/evil\n\x1b.md";
  hit.title = kHostile;
  hit.provider = "Prov\x1b]52;c;SGVsbG8=\x07";
  hit.url = "https://example.com/\x1b[2J";
  response.hits.push_back(hit);
  std::string csv = news::format_csv(response);
  expect_no_terminal_controls(csv);
  EXPECT_CONTAINS(csv, "\"" + news::escape_text(hit.id) + "\"");
  EXPECT_CONTAINS(csv, "Prov\\x1B]52;c;SGVsbG8=\\x07");
}

// A folder of news files indexed into a database, for the search tests.
struct Indexed {
  TempDir dir;
  std::string db = (dir / "db").string();
  std::vector<std::string> rejected;

  void index() {
    struct Observer : news::IndexObserver {
      std::vector<std::string>* reasons = nullptr;
      void rejected(const std::string& file, const std::string& reason) override {
        reasons->push_back(file + ": " + reason);
      }
    } observer;
    observer.reasons = &rejected;
    news::IndexOptions options;
    options.db_path = db;
    news::index_paths({(dir / "news").string()}, options, observer);
  }
};

std::string news_file(const std::string& title, const std::string& excerpt) {
  return "---\ntitle: \"" + title + "\"\nexcerpt: \"" + excerpt + "\"\nquality: 50\n---\n";
}

TEST(OutputFilter, SnippetHtmlEscapesQuotes) {
  Indexed corpus;
  write_file(corpus.dir / "news" / "q.md",
             news_file("Quotes", "He said \\\"onion\\\" and it's <b>odd</b> & true"));
  corpus.index();
  news::Searcher searcher(corpus.db);
  news::SearchRequest request;
  request.query = "onion";
  news::SearchResponse response = searcher.search(request);
  ASSERT_EQ(response.hits.size(), 1u);
  const std::string& html = response.hits[0].snippet_html;
  EXPECT_EQ(html.find('"'), std::string::npos) << html;
  EXPECT_EQ(html.find('\''), std::string::npos) << html;
  EXPECT_CONTAINS(html, "He said &quot;<mark>onion</mark>&quot; and it&#39;s &lt;b&gt;odd");
  EXPECT_CONTAINS(response.hits[0].snippet, "He said \"onion\" and it's <b>odd</b> & true");
}

TEST(OutputFilter, LikeTakesAnIdAsEscapeTextShowsIt) {
  Indexed corpus;
  const std::string name = "odd\x1b]0;x\x07\nname.md";
  write_file(corpus.dir / "news" / name, news_file("Harbour cranes", "harbour cranes lift"));
  write_file(corpus.dir / "news" / "other.md", news_file("More cranes", "harbour cranes idle"));
  // Other words, so that relevance feedback finds "harbour" and "cranes" telling.
  for (const char* topic : {"elections", "football", "weather", "markets", "films", "science"}) {
    write_file(corpus.dir / "news" / (std::string(topic) + ".md"),
               news_file(topic, std::string(topic) + " today"));
  }
  corpus.index();
  ASSERT_TRUE(corpus.rejected.empty()) << corpus.rejected.front();
  news::Searcher searcher(corpus.db);
  news::SearchRequest request;
  request.like_id = news::escape_text(name);
  news::SearchResponse escaped = searcher.search(request);
  request.like_id = name;
  news::SearchResponse raw = searcher.search(request);
  ASSERT_EQ(escaped.hits.size(), 1u);
  ASSERT_EQ(raw.hits.size(), 1u);
  EXPECT_EQ(escaped.hits[0].id, "other.md");
  EXPECT_EQ(raw.hits[0].id, "other.md");
}

// The error a search throws, or "" when it does not throw.
std::string search_error(news::Searcher& searcher, const std::string& query) {
  news::SearchRequest request;
  request.query = query;
  try {
    searcher.search(request);
  } catch (const news::Error& e) {
    EXPECT_EQ(e.kind(), news::Error::Kind::kBadQuery) << e.what();
    return e.what();
  }
  return "";
}

TEST(SearchBounds, AQueryOverTheWordOrByteLimitIsRefusedNamingTheLimit) {
  Indexed corpus;
  write_file(corpus.dir / "news" / "a.md", news_file("Anything", "words"));
  corpus.index();
  news::Searcher searcher(corpus.db);
  std::string words;
  for (std::size_t i = 0; i < news::kMaxQueryWords; ++i) words += "w" + std::to_string(i) + " ";
  EXPECT_EQ(search_error(searcher, words), "");
  EXPECT_CONTAINS(search_error(searcher, words + "extra"),
                  "the query has 257 words; at most 256 are allowed");
  EXPECT_CONTAINS(search_error(searcher, std::string(news::kMaxQueryBytes + 1, 'x')),
                  "the query is 8193 bytes long; at most 8192 are allowed");
  // 30,000 words, which Xapian's parser would take tens of seconds over.
  std::string many;
  for (int i = 0; i < 30000; ++i) many += "w" + std::to_string(i) + " ";
  many.resize(news::kMaxQueryBytes);
  EXPECT_CONTAINS(search_error(searcher, many), "at most 256 are allowed");
}

TEST(SearchBounds, AWildcardOverTheExpansionLimitIsAnErrorNotASlowSearch) {
  Indexed corpus;
  std::string excerpt;
  for (Xapian::termcount i = 0; i <= news::kMaxWildcardTerms; ++i) {
    excerpt += "w0" + std::to_string(10000 + i) + " ";
  }
  write_file(corpus.dir / "news" / "many.md", news_file("Many words", excerpt));
  write_file(corpus.dir / "news" / "few.md", news_file("Few words", "w0rd w0nder"));
  corpus.index();
  ASSERT_TRUE(corpus.rejected.empty()) << corpus.rejected.front();
  news::Searcher searcher(corpus.db);
  EXPECT_CONTAINS(search_error(searcher, "w0*"),
                  "a wildcard matches more than 1000 words; write more of the word");
  EXPECT_EQ(search_error(searcher, "w0n*"), "");  // a narrower prefix is searched
  news::SearchRequest request;
  request.query = "w0n*";
  EXPECT_EQ(searcher.search(request).hits.size(), 1u);
}

TEST(SearchBounds, RangesWithNaNOrInfiniteBoundsAreRefused) {
  Indexed corpus;
  write_file(corpus.dir / "news" / "a.md", news_file("Anything", "words"));
  corpus.index();
  news::Searcher searcher(corpus.db);
  for (const char* query :
       {"quality:nan..", "quality:..inf", "quality:-inf..10", "heat:1e999..", "heat:..NaN"}) {
    EXPECT_CONTAINS(search_error(searcher, query), "is not a finite number");
  }
  EXPECT_EQ(search_error(searcher, "quality:10..60"), "");
}

TEST(IndexBounds, ADocumentOverTheDistinctTermLimitIsNotBuilt) {
  news::NewsDocument doc;
  doc.title = "Many words";
  for (int i = 0; i < 6000; ++i) doc.excerpt += "w0" + std::to_string(100000 + i) + " ";
  news::DocumentBuilder builder;
  try {
    builder.build(doc, "many.md", "XRroot", "hash");
    ADD_FAILURE() << "a document of 6,000 distinct words (12,000 terms) was built";
  } catch (const std::length_error& e) {
    EXPECT_CONTAINS(std::string(e.what()), "distinct terms; at most 10000");
  }
  doc.excerpt.resize(doc.excerpt.size() / 6);  // 1,000 words: built, with every word
  Xapian::Document built = builder.build(doc, "many.md", "XRroot", "hash");
  EXPECT_GT(built.termlist_count(), 1000u);
  EXPECT_LE(built.termlist_count(), news::kMaxDocumentTerms + 10);
}

TEST(IndexBounds, TheIndexerRejectsSuchADocumentByNameAndKeepsTheOthers) {
  Indexed corpus;
  std::string excerpt;
  for (int i = 0; i < 6000; ++i) excerpt += "w0" + std::to_string(100000 + i) + " ";
  write_file(corpus.dir / "news" / "many.md", news_file("Many words", excerpt));
  write_file(corpus.dir / "news" / "fine.md", news_file("Fine words", "w0rd"));
  corpus.index();
  ASSERT_EQ(corpus.rejected.size(), 1u);
  EXPECT_CONTAINS(corpus.rejected[0], "many.md: ");
  EXPECT_CONTAINS(corpus.rejected[0], "distinct terms; at most 10000");
  news::Searcher searcher(corpus.db);
  EXPECT_EQ(searcher.database().get_doccount(), 1u);
}

// The message a Searcher throws for `spec`.
std::string open_error(const std::string& spec) {
  try {
    news::Searcher searcher(spec);
  } catch (const news::Error& e) {
    return e.what();
  }
  return "";
}

TEST(DatabaseMessages, PathsThatHoldNoDatabaseAreNamedWithTheReason) {
  TempDir dir;
  fs::create_directories(dir / "empty");
  EXPECT_CONTAINS(open_error((dir / "empty").string()),
                  "no database at " + (dir / "empty").string() + ": it is an empty folder");
  write_file(dir / "documents" / "notes.txt", "not a database");
  EXPECT_CONTAINS(open_error((dir / "documents").string()),
                  "cannot open database " + (dir / "documents").string() +
                      ": the folder holds no Xapian database");
  write_file(dir / "stub", "");
  EXPECT_CONTAINS(open_error((dir / "stub").string()), "no database at " + (dir / "stub").string() +
                                                           ": the stub file lists no databases");
  write_file(dir / "comments", "# nothing here\n\n");
  EXPECT_CONTAINS(open_error((dir / "comments").string()), "the stub file lists no databases");
  EXPECT_CONTAINS(open_error(""), "an empty path was given as the database");
}

}  // namespace
