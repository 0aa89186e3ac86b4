#include "index/story_keys.h"

#include <xxhash.h>

#include "base/read_retry.h"
#include "schema/schema.h"

namespace news {

namespace {

void set_story_key(Xapian::Document& doc, const std::string& key) {
  std::string own = doc.get_value(schema::kDedupKey);
  if (own == key) return;
  doc.remove_term(schema::story_term(own));
  doc.add_boolean_term(schema::story_term(key));
  doc.add_value(schema::kDedupKey, key);
}

}  // namespace

void StoryKeys::adopt(Xapian::Document& doc, const std::string& url_term, const std::string& id) {
  if (url_term.empty()) return;
  std::uint64_t url = XXH3_64bits(url_term.data(), url_term.size());
  if (auto it = keys_.find(url); it != keys_.end()) {
    set_story_key(doc, it->second);
    return;
  }
  if (auto key = committed_key(url_term, id)) set_story_key(doc, *key);
  keys_.emplace(url, doc.get_value(schema::kDedupKey));
}

std::optional<std::string> StoryKeys::committed_key(const std::string& url_term,
                                                    const std::string& id) {
  if (committed_.size() == 0) return std::nullopt;
  // The writers commit meanwhile (read_retry.h).
  return read_newest(&committed_, [&]() -> std::optional<std::string> {
    for (auto it = committed_.postlist_begin(url_term); it != committed_.postlist_end(url_term);
         ++it) {
      Xapian::Document copy = committed_.get_document(*it);
      if (copy.get_value(schema::kId) == id) continue;
      return copy.get_value(schema::kDedupKey);
    }
    return std::nullopt;
  });
}

}  // namespace news
