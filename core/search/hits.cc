#include "search/hits.h"

#include <nlohmann/json.hpp>

#include "base/text.h"

namespace news {
namespace {

// Each takes its key out of the record, so that what is left is the fields
// a hit has no member for (SearchHit::other_fields).
std::string take_string(nlohmann::json& record, const char* key) {
  auto it = record.find(key);
  if (it == record.end()) return {};
  std::string text = it->is_string() ? it->get<std::string>() : std::string();
  record.erase(it);
  return text;
}

std::optional<std::int64_t> take_int(nlohmann::json& record, const char* key) {
  auto it = record.find(key);
  if (it == record.end()) return std::nullopt;
  std::optional<std::int64_t> number;
  if (it->is_number_integer()) number = it->get<std::int64_t>();
  record.erase(it);
  return number;
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
  if (!record.is_object()) record = nlohmann::json::object();
  hit.id = take_string(record, "id");
  hit.title = take_string(record, "title");
  hit.excerpt = take_string(record, "excerpt");
  hit.url = take_string(record, "url");
  hit.provider = take_string(record, "provider");
  hit.domain = take_string(record, "domain");
  hit.type = take_string(record, "type");
  hit.category = take_string(record, "category");
  hit.published = take_string(record, "published");
  hit.quality = take_int(record, "quality");
  hit.heat = take_int(record, "heat");
  hit.topics.clear();
  if (auto topics = record.find("topics"); topics != record.end()) {
    if (topics->is_array()) {
      for (const auto& topic : *topics) {
        if (topic.is_string()) hit.topics.push_back(topic.get<std::string>());
      }
    }
    record.erase(topics);
  }
  hit.other_fields = std::move(record);  // a field added to the table, without a member
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
