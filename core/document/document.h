// A news-metadata file: a YAML front matter between `---` lines, parsed into
// the fields the product indexes. Parsing is a pure function of the file's
// bytes, so the fuzzer and the tests drive it without touching the disk.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace news {

struct NewsDocument {
  std::string title;  // never empty in a parsed document
  std::string excerpt;
  std::string url;  // originalUrl, else webUrl
  std::string category;
  std::string type;  // "article", "video", ... as published
  std::string provider_name;
  std::string provider_domain;
  std::vector<std::string> topics;
  std::vector<std::string> related_titles;
  std::optional<std::int64_t> published;  // seconds since the epoch, UTC
  std::optional<std::int64_t> quality;
  std::optional<std::int64_t> heat;  // heat -1 (unknown) is stored as nullopt
  // `secured` is deliberately absent: it is never read, indexed or printed.

  bool operator==(const NewsDocument&) const = default;
};

enum class ParseStatus {
  kOk,
  kNotADocument,  // no front matter: not a news file (skipped, not an error)
  kRejected,      // a news file that cannot be indexed; `reason` says why
};

struct ParseResult {
  ParseStatus status = ParseStatus::kRejected;
  std::string reason;       // for kNotADocument and kRejected: one line, no file name
  NewsDocument document;    // meaningful for kOk only
  int repaired_fields = 0;  // fields with mis-decoded text or HTML entities repaired
  // For kOk: problems that were worked around, one line each, no file name.
  std::vector<std::string> warnings;
};

// The largest front matter accepted, in bytes. Real ones are a few KiB; the
// cap keeps a hostile or broken file from costing memory and time.
inline constexpr std::size_t kMaxFrontMatterBytes = 1 << 20;

// Parses a whole file's bytes. Never throws; every problem is a kRejected with
// a reason. Handles a UTF-8 BOM, UTF-16 and UTF-32 with a BOM, CRLF and
// CR-only line ends, a missing closing `---`, numbers written as strings,
// heat -1, missing optional fields, JSON-style surrogate-pair escapes
// ("\uD83D\uDE00", one character), and text that was UTF-8 decoded as
// Windows-1252 and HTML character references (repaired). Bytes that are not
// UTF-8 are read as Windows-1252, with a warning naming the first such line.
// The front matter must be one YAML document as a conforming parser (libyaml)
// reads it, with no directive, no tag outside the core schema, no key twice
// in a mapping and no merge key; else the reason names the line. A title
// with no visible character, and a NUL byte in the front matter, reject.
// YAML aliases are followed without copying; a related item named again is
// read once, and a file whose fields, aliases followed, take more than 3 MiB
// of text (more than any file without aliases holds) is rejected.
// The values of `secured` and of `images` lists are never read (yaml-cpp is
// not given them), so a list of images whose lines are whole but whose shape
// is wrong does not reject a file.
ParseResult parse_news_file(std::string_view bytes);

// As parse_news_file, but yaml-cpp reads every byte, `secured` and `images`
// included: the reference that tests and the fuzzer hold parse_news_file to
// (whatever this accepts, parse_news_file reads the same).
ParseResult parse_news_file_whole(std::string_view bytes);

// The YAML text of a file's front matter as parse_news_file gives it to its
// YAML parsers: UTF-8 (re-encoded from UTF-16 or UTF-32, bytes that are not
// UTF-8 read as Windows-1252), lone CR line ends made line feeds, JSON-style
// surrogate-pair escapes joined. nullopt when the file is not a document or
// is rejected before its YAML is read. For the fuzzer's independent check.
std::optional<std::string> front_matter_yaml(std::string_view bytes);

// The largest quality or heat a document can have; a larger one rejects the file.
inline constexpr std::int64_t kMaxRankSignal = 100000;

// A file's front matter as written, after a UTF-8 BOM: the text between its
// opening `---` line and its closing `---` or `...` line (or the end of the
// file), not decoded. nullopt when the file does not open with `---`. For a
// quick look at its lines without parsing (prior/peek.h).
std::optional<std::string_view> front_matter_text(std::string_view bytes);

// Parses an ISO 8601 date or date-time ("2020-10-15", "2020-10-15T17:44:00Z",
// "2020-10-15T17:44:00.5+02:00", a space instead of the T). Returns seconds
// since the epoch in UTC, or nullopt when the text is not such a date.
std::optional<std::int64_t> parse_iso_datetime(std::string_view text);

// Formats seconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ".
std::string format_iso_datetime(std::int64_t seconds);

}  // namespace news
