#include "index/spelling.h"

#include <utility>

#include "schema/schema.h"

namespace news {

std::vector<std::string> spelling_words(const Xapian::Document& doc) {
  std::vector<std::string> words;
  for (auto it = doc.termlist_begin(); it != doc.termlist_end(); ++it) {
    std::string term = *it;
    if (schema::is_prefixed(term) || term.size() < 3 || term.size() > 40) continue;
    words.push_back(std::move(term));
  }
  return words;
}

void count_words(SpellingDelta& delta, std::vector<std::string>& words) {
  for (auto& word : words) ++delta[std::move(word)];
  words.clear();
}

void merge_delta(SpellingDelta& into, SpellingDelta& from) {
  if (into.empty()) {
    into = std::move(from);
  } else {
    for (const auto& [word, change] : from) into[word] += change;
  }
  from.clear();
}

void flush_spelling(Xapian::WritableDatabase& db, SpellingDelta& delta) {
  for (const auto& [word, change] : delta) {
    if (change > 0) {
      db.add_spelling(word, static_cast<Xapian::termcount>(change));
    } else if (change < 0) {
      db.remove_spelling(word, static_cast<Xapian::termcount>(-change));
    }
  }
  delta.clear();
}

}  // namespace news
