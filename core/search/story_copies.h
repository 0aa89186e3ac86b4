// Story copies: for each hit of a collapsed page, how many other copies of its
// story match, counted exactly (Xapian's collapse counts are lower bounds),
// and, ranked by relevance, which copy to list when several score the same
// (the one with the smallest id, whatever the shard layout). docs/design.md,
// "Search as parts".
#pragma once

#include <xapian.h>

#include <optional>
#include <string>
#include <vector>

#include "search/relevance.h"
#include "search/request.h"

namespace news {

struct StoryCopies {
  Xapian::doccount others = 0;             // other matching copies of the story
  std::optional<Xapian::Document> listed;  // the copy to list instead of the hit's
};

// `ranked`: the page's query; `keys[i]`: hits[i]'s story key (schema::kDedupKey).
std::vector<StoryCopies> story_copies(const Xapian::Database& db, const ScoredQuery& ranked,
                                      bool by_relevance, const std::vector<std::string>& keys,
                                      const std::vector<SearchHit>& hits);

}  // namespace news
