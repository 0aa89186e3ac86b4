// Rendering search responses for people (a terminal listing) and programs
// (JSON). Document text is untrusted: the terminal form strips control
// characters and escape sequences; the JSON form escapes them (nlohmann).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "search.h"

namespace news {

struct TerminalStyle {
  bool colour = false;      // ANSI bold/dim/colour
  std::size_t width = 100;  // columns to fit
};

std::string format_terminal(const SearchResponse& response, const SearchRequest& request,
                            const TerminalStyle& style);

// {"query", "total", "total_lower", "total_upper", "offset", "limit", "results": [...]},
// each result with rank, id, title, excerpt, snippet, url, provider, domain,
// topics, published, type, category, quality, heat and score.
nlohmann::json to_json(const SearchResponse& response, const SearchRequest& request);
nlohmann::json to_json(const SearchHit& hit);

}  // namespace news
