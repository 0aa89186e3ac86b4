// The spelling dictionary's invariant (core/index/writer.h): it holds every plain
// word of 3 to 40 bytes (an unprefixed term) once per document holding it,
// and nothing else. A committed database must meet it whatever the batches.
#pragma once

#include <xapian.h>

#include <map>
#include <string>
#include <vector>

namespace news::testing {

// How often the dictionary holds `word` (0: not at all).
inline Xapian::doccount spelling_count(const Xapian::Database& db, const std::string& word) {
  for (auto it = db.spellings_begin(); it != db.spellings_end(); ++it) {
    if (*it == word) return it.get_termfreq();
  }
  return 0;
}

// The words whose dictionary count is not their document count, as
// "word: dictionary D, documents N" (at most `limit` of them).
inline std::vector<std::string> spelling_mismatches(const Xapian::Database& db,
                                                    std::size_t limit = 10) {
  std::map<std::string, std::pair<Xapian::doccount, Xapian::doccount>> counts;
  for (auto it = db.spellings_begin(); it != db.spellings_end(); ++it) {
    counts[*it].first = it.get_termfreq();
  }
  for (auto it = db.allterms_begin(); it != db.allterms_end(); ++it) {
    const std::string& term = *it;
    unsigned char first = static_cast<unsigned char>(term[0]);
    if (first >= 'A' && first <= 'Z') continue;  // prefixed
    if (term.size() < 3 || term.size() > 40) continue;
    counts[term].second = it.get_termfreq();
  }
  std::vector<std::string> out;
  for (const auto& [word, pair] : counts) {
    if (pair.first == pair.second) continue;
    if (out.size() == limit) break;
    out.push_back(word + ": dictionary " + std::to_string(pair.first) + ", documents " +
                  std::to_string(pair.second));
  }
  return out;
}

}  // namespace news::testing
