#include "format.h"

#include <cstdio>
#include <sstream>

#include "text.h"

namespace news {
namespace {

constexpr const char* kBold = "\x1b[1m";
constexpr const char* kDim = "\x1b[2m";
constexpr const char* kCyan = "\x1b[36m";
constexpr const char* kReset = "\x1b[0m";

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size()) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

std::string optional_number(const std::optional<std::int64_t>& value) {
  return value ? std::to_string(*value) : "unknown";
}

nlohmann::json optional_json(const std::optional<std::int64_t>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

std::string format_terminal(const SearchResponse& response, const SearchRequest& request,
                            const TerminalStyle& style) {
  auto paint = [&](const char* code, const std::string& text) {
    return style.colour ? code + text + kReset : text;
  };
  std::ostringstream out;
  const std::size_t text_width = style.width > 12 ? style.width - 5 : 60;
  std::string what =
      request.query.empty() ? "all documents" : "\"" + terminal_safe(request.query) + "\"";
  bool filtered = !request.topics.empty() || !request.providers.empty() || !request.types.empty() ||
                  !request.since.empty() || !request.until.empty() ||
                  request.min_quality.has_value();
  if (filtered) what += " (filtered)";
  if (response.total_upper == 0) {
    out << "No results for " << what << ".\n";
    return out.str();
  }
  bool exact = response.total_lower == response.total_upper;
  out << (exact ? "" : "About ") << response.total_estimate
      << (response.total_estimate == 1 ? " result for " : " results for ") << what;
  if (response.hits.empty()) {
    out << "; none at offset " << request.offset << ".\n";
    return out.str();
  }
  out << " (showing " << response.hits.front().rank << "-" << response.hits.back().rank << "):\n";
  for (const auto& hit : response.hits) {
    char score[32];
    std::snprintf(score, sizeof score, "%.3f", hit.score);
    std::string rank = std::to_string(hit.rank) + ".";
    rank.insert(0, rank.size() < 4 ? 4 - rank.size() : 0, ' ');
    out << "\n"
        << rank << " " << paint(kBold, shorten(terminal_safe(hit.title), text_width)) << "\n";
    std::string meta = hit.published.empty() ? "undated" : hit.published.substr(0, 10);
    if (!hit.provider.empty()) meta += " · " + terminal_safe(hit.provider);
    if (!hit.type.empty()) meta += " · " + terminal_safe(hit.type);
    meta += " · quality " + optional_number(hit.quality) + " · heat " + optional_number(hit.heat);
    meta += " · score " + std::string(score);
    out << "     " << paint(kDim, meta) << "\n";
    if (!hit.url.empty()) out << "     " << paint(kCyan, terminal_safe(hit.url)) << "\n";
    std::string snippet = terminal_safe(hit.snippet_marked);
    snippet = replace_all(snippet, kMatchStart, style.colour ? kBold : "");
    snippet = replace_all(snippet, kMatchEnd, style.colour ? kReset : "");
    if (!snippet.empty()) out << "     " << snippet << "\n";
  }
  return out.str();
}

nlohmann::json to_json(const SearchHit& hit) {
  return {
      {"rank", hit.rank},
      {"id", hit.id},
      {"title", hit.title},
      {"excerpt", hit.excerpt},
      {"snippet", hit.snippet},
      {"snippet_html", hit.snippet_html},
      {"url", hit.url},
      {"provider", hit.provider},
      {"domain", hit.domain},
      {"topics", hit.topics},
      {"published",
       hit.published.empty() ? nlohmann::json(nullptr) : nlohmann::json(hit.published)},
      {"type", hit.type},
      {"category", hit.category},
      {"quality", optional_json(hit.quality)},
      {"heat", optional_json(hit.heat)},
      {"score", hit.score},
  };
}

nlohmann::json to_json(const SearchResponse& response, const SearchRequest& request) {
  nlohmann::json results = nlohmann::json::array();
  for (const auto& hit : response.hits) results.push_back(to_json(hit));
  return {
      {"query", request.query},
      {"total", response.total_estimate},
      {"total_lower", response.total_lower},
      {"total_upper", response.total_upper},
      {"offset", request.offset},
      {"limit", request.limit},
      {"results", std::move(results)},
  };
}

}  // namespace news
