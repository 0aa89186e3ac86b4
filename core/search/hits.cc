#include "search/hits.h"

#include <nlohmann/json.hpp>
#include <set>

#include "base/text.h"

namespace news {
namespace {

std::string optional_string(const nlohmann::json& record, const char* key) {
  auto it = record.find(key);
  return (it != record.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

std::optional<std::int64_t> optional_int(const nlohmann::json& record, const char* key) {
  auto it = record.find(key);
  if (it == record.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

}  // namespace

std::string unescape_html(std::string text) {
  static const std::pair<std::string_view, std::string_view> kEntities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}};
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    bool replaced = false;
    if (text[i] == '&') {
      for (auto [entity, plain] : kEntities) {
        if (text.compare(i, entity.size(), entity) == 0) {
          out += plain;
          i += entity.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

HitReader::HitReader(const Xapian::MSet& mset, std::size_t snippet_chars, Explain explain)
    : mset_(mset), snippet_chars_(snippet_chars), explain_(std::move(explain)) {}

std::vector<SearchHit> HitReader::read(std::vector<std::string>& story_keys) const {
  std::vector<SearchHit> hits;
  story_keys.clear();
  for (auto it = mset_.begin(); it != mset_.end(); ++it) {
    SearchHit hit;
    hit.rank = it.get_rank() + 1;  // get_rank() counts from the first match, not the page
    hit.docid = *it;
    hit.score = it.get_weight();
    hit.collapsed = it.get_collapse_count();
    story_keys.push_back(it.get_collapse_key());
    describe(hit, it.get_document());
    hits.push_back(std::move(hit));
  }
  return hits;
}

void HitReader::describe(SearchHit& hit, const Xapian::Document& doc) const {
  if (explain_) hit.parts = explain_(doc, hit.score);
  auto record = nlohmann::json::parse(doc.get_data(), nullptr, false);
  if (record.is_discarded()) record = nlohmann::json::object();
  hit.id = optional_string(record, "id");
  hit.title = optional_string(record, "title");
  hit.excerpt = optional_string(record, "excerpt");
  hit.url = optional_string(record, "url");
  hit.provider = optional_string(record, "provider");
  hit.domain = optional_string(record, "domain");
  hit.type = optional_string(record, "type");
  hit.category = optional_string(record, "category");
  hit.published = optional_string(record, "published");
  hit.quality = optional_int(record, "quality");
  hit.heat = optional_int(record, "heat");
  hit.topics.clear();
  if (auto topics = record.find("topics"); topics != record.end() && topics->is_array()) {
    for (const auto& topic : *topics) {
      if (topic.is_string()) hit.topics.push_back(topic.get<std::string>());
    }
  }
  // A field added to the table reaches the hit without a member of its own.
  static const std::set<std::string, std::less<>> kMemberKeys = {
      "id",   "title",    "excerpt",   "url",     "provider", "domain",
      "type", "category", "published", "quality", "heat",     "topics"};
  hit.other_fields = nlohmann::json::object();
  for (const auto& [key, value] : record.items()) {
    if (!kMemberKeys.contains(key)) hit.other_fields[key] = value;
  }
  // MSet::snippet escapes HTML; the plain forms undo that.
  std::string marked_html =
      mset_.snippet(hit.excerpt, snippet_chars_, stemmer_, Xapian::MSet::SNIPPET_EXHAUSTIVE,
                    kMatchStart, kMatchEnd, "…");
  // Xapian escapes & < > only; quotes too, so the HTML is safe inside an
  // attribute's value as well as in an element.
  hit.snippet_html =
      replace_all(replace_all(replace_all(replace_all(marked_html, "\"", "&quot;"), "'", "&#39;"),
                              kMatchStart, "<mark>"),
                  kMatchEnd, "</mark>");
  hit.snippet_marked = unescape_html(marked_html);
  hit.snippet = replace_all(replace_all(hit.snippet_marked, kMatchStart, ""), kMatchEnd, "");
}

}  // namespace news
