#include "render/format.h"

#include <utf8.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <sstream>

#include "base/text.h"

namespace news {
namespace {

constexpr const char* kBold = "\x1b[1m";
constexpr const char* kDim = "\x1b[2m";
constexpr const char* kCyan = "\x1b[36m";
constexpr const char* kYellow = "\x1b[33m";
constexpr const char* kReset = "\x1b[0m";
constexpr std::size_t kIndent = 5;

std::string optional_number(const std::optional<std::int64_t>& value) {
  return value ? std::to_string(*value) : "unknown";
}

nlohmann::json optional_json(const std::optional<std::int64_t>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

std::string fixed(double value, int decimals = 3) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

bool filtered(const SearchRequest& request) { return !request.filters.empty(); }

std::string month_label(const std::string& yyyymm) {
  return yyyymm.size() == 6 ? yyyymm.substr(0, 4) + "-" + yyyymm.substr(4) : yyyymm;
}

// A CSV field: quoted, quotes doubled; a leading = + - @ (a formula to a
// spreadsheet) is defused with a leading apostrophe. Text goes through
// terminal_safe(), ids through escape_text() (so --like takes them back), as
// a CSV file is as often shown on a terminal as opened in a spreadsheet.
std::string csv_field(const std::string& text, bool is_id = false) {
  std::string value = is_id ? escape_text(text) : terminal_safe(text);
  if (!value.empty() && std::string_view("=+-@\t\r").find(value.front()) != std::string::npos) {
    value.insert(0, 1, '\'');
  }
  std::string field(1, '"');
  field += replace_all(value, "\"", "\"\"");
  field += '"';
  return field;
}

}  // namespace

std::string dump_json(const nlohmann::json& value, int indent) {
  std::string text = value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
  // nlohmann escapes the C0 controls only. DEL, the C1 controls (many
  // terminals obey CSI, U+009B), the bidirectional controls and U+2028,
  // U+2029 are written as \uXXXX too (is_terminal_hazard), which leaves the
  // JSON's values as they were: they can only occur inside strings, where
  // such an escape is valid. The text is valid UTF-8 (invalid bytes were
  // replaced).
  std::string out;
  out.reserve(text.size());
  for (auto it = text.cbegin(); it != text.cend();) {
    auto start = it;
    char32_t cp = utf8::unchecked::next(it);
    if (cp >= 0x20 && is_terminal_hazard(cp)) {
      char escape[16];
      std::snprintf(escape, sizeof escape, "\\u%04X", static_cast<unsigned>(cp));
      out += escape;
    } else {
      out.append(start, it);
    }
  }
  return out;
}

namespace {

// The terminal listing in three parts (the header, each hit, the facets),
// written to one stream.
class TerminalListing {
 public:
  explicit TerminalListing(const TerminalStyle& style)
      : style_(style),
        width_(std::max<std::size_t>(style.width, 40)),
        text_width_(width_ - kIndent),
        indent_(kIndent, ' ') {}

  // The suggestion and the count line; false when nothing matched (the
  // listing is then complete).
  bool header(const SearchResponse& response, const SearchRequest& request) {
    if (response.suggestion) {
      out_ << "Did you mean: " << paint(kYellow, terminal_safe(response.suggestion->query)) << " ("
           << response.suggestion->total
           << (response.suggestion->total == 1 ? " result" : " results") << ")?\n\n";
    }
    std::string what =
        request.query.empty() ? "all documents" : "\"" + terminal_safe(request.query) + "\"";
    if (!request.like_id.empty()) what = "documents like " + terminal_safe(request.like_id);
    if (filtered(request)) what += " (filtered)";
    if (response.total_upper == 0) {
      for (const auto& line : wrap("No results for " + what + ".", width_)) out_ << line << "\n";
      return false;
    }
    bool exact = response.total_lower == response.total_upper;
    std::string header = (exact ? "" : "About ") + std::to_string(response.total_estimate) +
                         (response.total_estimate == 1 ? " result for " : " results for ") + what;
    if (response.hits.empty()) {
      header +=
          request.limit == 0 ? "." : "; none at offset " + std::to_string(request.offset) + ".";
    } else {
      header += " (showing " + std::to_string(response.hits.front().rank) + "-" +
                std::to_string(response.hits.back().rank) + "):";
    }
    for (const auto& line : wrap(header, width_)) out_ << line << "\n";
    return true;
  }

  void hit(const SearchHit& hit) {
    std::string rank = std::to_string(hit.rank) + ".";
    rank.insert(0, rank.size() < kIndent - 1 ? kIndent - 1 - rank.size() : 0, ' ');
    out_ << "\n"
         << rank << " " << paint(kBold, shorten_to_width(terminal_safe(hit.title), text_width_))
         << "\n";
    out_ << indent_ << paint(kDim, shorten_to_width(meta_line(hit), text_width_)) << "\n";
    if (!hit.url.empty()) out_ << indent_ << paint(kCyan, terminal_safe(hit.url)) << "\n";
    for (const auto& line : wrap(terminal_safe(hit.snippet_marked), text_width_)) {
      std::string shown = replace_all(line, kMatchStart, style_.colour ? kBold : "");
      out_ << indent_ << replace_all(shown, kMatchEnd, style_.colour ? kReset : "") << "\n";
    }
    if (style_.explain) {
      const ScoreParts& p = hit.parts;
      std::string parts = "score " + fixed(hit.score) + " = relevance " + fixed(p.relevance) +
                          " + quality " + fixed(p.quality) + " + heat " + fixed(p.heat) +
                          " + freshness " + fixed(p.freshness);
      for (const auto& line : wrap(parts, text_width_))
        out_ << indent_ << paint(kDim, line) << "\n";
    }
  }

  void facets(const SearchResponse& response) {
    if (response.facets.empty()) return;
    out_ << "\nFacets ("
         << (response.facets_exact
                 ? "exact, " + std::to_string(response.facets_counted) + " matches"
                 : "estimated from " + std::to_string(response.facets_counted) + " of about " +
                       std::to_string(response.total_estimate) + " matches")
         << "):\n";
    for (const auto& facet : response.facets) {
      std::string line;
      for (const auto& value : facet.values) {
        if (!line.empty()) line += " · ";
        std::string label = facet.name == "month" ? month_label(value.value) : value.value;
        line += terminal_safe(label) + " (" + std::to_string(value.count) + ")";
      }
      std::string name = facet.name + ":";
      name.resize(10, ' ');
      auto lines = wrap(line.empty() ? "-" : line, width_ - 2 - name.size());
      for (std::size_t i = 0; i < lines.size(); ++i) {
        out_ << "  " << (i == 0 ? paint(kBold, name) : std::string(name.size(), ' ')) << lines[i]
             << "\n";
      }
    }
  }

  std::string text() const { return out_.str(); }

 private:
  std::string paint(const char* code, const std::string& text) const {
    return style_.colour ? code + text + kReset : text;
  }

  static std::string meta_line(const SearchHit& hit) {
    std::string meta = hit.published.empty() ? "undated" : hit.published.substr(0, 10);
    if (!hit.provider.empty()) meta += " · " + terminal_safe(hit.provider);
    if (!hit.type.empty()) meta += " · " + terminal_safe(hit.type);
    meta += " · quality " + optional_number(hit.quality) + " · heat " + optional_number(hit.heat);
    meta += " · score " + fixed(hit.score);
    if (hit.collapsed > 0) {
      meta += " · +" + std::to_string(hit.collapsed) +
              (hit.collapsed == 1 ? " duplicate" : " duplicates");
    }
    return meta;
  }

  const TerminalStyle& style_;
  const std::size_t width_, text_width_;
  const std::string indent_;
  std::ostringstream out_;
};

}  // namespace

std::string format_terminal(const SearchResponse& response, const SearchRequest& request,
                            const TerminalStyle& style) {
  TerminalListing listing(style);
  if (!listing.header(response, request)) return listing.text();
  for (const auto& hit : response.hits) listing.hit(hit);
  listing.facets(response);
  return listing.text();
}

nlohmann::json to_json(const SearchHit& hit, bool explain) {
  nlohmann::json result = {
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
      {"collapsed", hit.collapsed},
  };
  if (explain) {
    result["explain"] = {{"relevance", hit.parts.relevance},
                         {"quality", hit.parts.quality},
                         {"heat", hit.parts.heat},
                         {"freshness", hit.parts.freshness}};
  }
  for (const auto& [key, value] : hit.other_fields.items()) {
    if (!result.contains(key)) result[key] = value;
  }
  return result;
}

nlohmann::json to_json(const SearchResponse& response, const SearchRequest& request, bool explain) {
  nlohmann::json results = nlohmann::json::array();
  for (const auto& hit : response.hits) results.push_back(to_json(hit, explain));
  nlohmann::json out = {
      {"query", request.query},
      {"total", response.total_estimate},
      {"total_lower", response.total_lower},
      {"total_upper", response.total_upper},
      {"offset", request.offset},
      {"limit", request.limit},
      {"suggestion", response.suggestion ? nlohmann::json{{"query", response.suggestion->query},
                                                          {"total", response.suggestion->total}}
                                         : nlohmann::json(nullptr)},
      {"results", std::move(results)},
  };
  if (!response.notices.empty()) out["notices"] = response.notices;
  if (!request.like_id.empty()) out["like"] = request.like_id;
  if (request.facets) {
    nlohmann::json facets = {{"exact", response.facets_exact},
                             {"counted", response.facets_counted}};
    for (const auto& facet : response.facets) {
      nlohmann::json values = nlohmann::json::array();
      for (const auto& value : facet.values) {
        values.push_back({{"value", facet.name == "month" ? month_label(value.value) : value.value},
                          {"count", value.count}});
      }
      facets[facet.name] = std::move(values);
    }
    out["facets"] = std::move(facets);
  }
  return out;
}

std::string format_jsonl(const SearchResponse& response, bool explain) {
  std::string out;
  for (const auto& hit : response.hits) out += dump_json(to_json(hit, explain), -1) + "\n";
  return out;
}

std::string format_csv(const SearchResponse& response) {
  std::string out =
      "rank,id,title,url,provider,published,type,quality,heat,score,topics,collapsed\r\n";
  for (const auto& hit : response.hits) {
    std::string topics;
    for (const auto& topic : hit.topics) topics += (topics.empty() ? "" : "; ") + topic;
    out += std::to_string(hit.rank) + "," + csv_field(hit.id, true) + "," + csv_field(hit.title) +
           "," + csv_field(hit.url) + "," + csv_field(hit.provider) + "," +
           csv_field(hit.published) + "," + csv_field(hit.type) + "," +
           (hit.quality ? std::to_string(*hit.quality) : "") + "," +
           (hit.heat ? std::to_string(*hit.heat) : "") + "," + fixed(hit.score, 6) + "," +
           csv_field(topics) + "," + std::to_string(hit.collapsed) + "\r\n";
  }
  return out;
}

std::string flush_standard_output() {
  errno = 0;
  std::cout.flush();  // with stdio synchronised, this flushes stdout: errno says why
  bool flushed = std::fflush(stdout) == 0;
  int error = errno;
  if (flushed && !std::ferror(stdout) && std::cout.good()) return {};
  return error != 0 ? std::string(std::strerror(error)) : std::string("the write failed");
}

}  // namespace news
