// libFuzzer target: the front-matter parser and the document builder, and the
// text hygiene they rely on, on arbitrary bytes. Any crash, sanitizer report,
// leak or timeout is a bug; keep the input in tests/fixtures/fuzz-regressions/.
// It also holds the parser to reading whatever a whole read of the YAML
// accepts the same (document.h, parse_news_file_whole), and aborts if not.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "document.h"
#include "document_builder.h"
#include "text.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  news::ParseResult parsed = news::parse_news_file(bytes);
  news::ParseResult whole = news::parse_news_file_whole(bytes);
  if (whole.status != news::ParseStatus::kRejected) {
    if (parsed.status != whole.status || parsed.reason != whole.reason ||
        parsed.warnings != whole.warnings || parsed.document != whole.document) {
      std::abort();
    }
  }
  if (parsed.status == news::ParseStatus::kOk) {
    static news::DocumentBuilder builder;
    try {
      Xapian::Document doc = builder.build(parsed.document, "fuzz/input.md", "XRfuzz", "hash");
      (void)doc.termlist_count();
    } catch (const std::length_error&) {
      // Over kMaxDocumentTerms: the builder's contract, and the indexer's rejection.
    }
    (void)news::terminal_safe(parsed.document.title);
  }
  std::string text = news::terminal_safe(bytes);
  news::repair_mojibake(text);
  (void)news::shorten(text, 80);
  (void)news::parse_iso_datetime(bytes);
  return 0;
}
