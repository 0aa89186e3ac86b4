// Rendering search responses for people (a terminal listing) and programs
// (JSON, JSON Lines, CSV). Document text is untrusted: the terminal form and
// CSV show control characters and escape sequences as visible escapes
// (terminal_safe, text.h; ids as escape_text, which --like reads back); JSON
// escapes them as \uXXXX (dump_json); CSV also quotes every text field and
// defuses spreadsheet formulas.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "search/search.h"

namespace news {

struct TerminalStyle {
  bool colour = false;      // ANSI bold/dim/colour
  std::size_t width = 100;  // columns to fit
  bool explain = false;     // show each score's parts
};

std::string format_terminal(const SearchResponse& response, const SearchRequest& request,
                            const TerminalStyle& style);

// {"query", "total", "total_lower", "total_upper", "offset", "limit",
//  "suggestion" ({"query", "total"} or null), "results": [...],
//  "facets" (with --facets: {"exact", "counted", "topic": [{"value", "count"}], ...})}.
// Each result: rank, id, title, excerpt, snippet, snippet_html, url, provider,
// domain, topics, published, type, category, quality, heat, score, collapsed,
// the stored fields of rows added to the field table (SearchHit::other_fields),
// and with `explain` the score's parts.
nlohmann::json to_json(const SearchResponse& response, const SearchRequest& request, bool explain);
nlohmann::json to_json(const SearchHit& hit, bool explain);

// One JSON object per result per line (the results of to_json).
std::string format_jsonl(const SearchResponse& response, bool explain);

// RFC 4180 CSV with a header row: rank, id, title, url, provider, published,
// type, quality, heat, score, topics (joined by "; "), collapsed.
std::string format_csv(const SearchResponse& response);

// Flushes standard output (the C++ stream and stdio's): an empty string when
// everything written to it arrived, else why not ("No space left on
// device"), for the front-ends' message and exit status.
std::string flush_standard_output();

// JSON text that is always valid UTF-8 (invalid bytes become U+FFFD) and holds
// no raw control character (is_terminal_hazard, text.h): all are \uXXXX.
std::string dump_json(const nlohmann::json& value, int indent);

}  // namespace news
