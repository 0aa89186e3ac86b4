// Reading hits: what a result shows, from its document's stored record
// (document_builder.h, stored_record) and, for the snippet, the excerpt
// around the words the query matched. docs/design.md, "Search as parts".
#pragma once

#include <xapian.h>

#include <functional>
#include <string>
#include <vector>

#include "search/request.h"

namespace news {

class HitReader {
 public:
  // `mset`: the page the hits come from (its query marks the snippets);
  // `explain`, when set, fills each hit's score parts from its document.
  using Explain = std::function<ScoreParts(const Xapian::Document&, double score)>;
  HitReader(const Xapian::MSet& mset, std::size_t snippet_chars, Explain explain);

  // The page's hits in rank order, and each one's story key (the collapse
  // key; empty strings when the page was not collapsed).
  std::vector<SearchHit> read(std::vector<std::string>& story_keys) const;

  // Fills what `hit` shows from `doc` (its score and rank as they are).
  void describe(SearchHit& hit, const Xapian::Document& doc) const;

 private:
  const Xapian::MSet& mset_;
  std::size_t snippet_chars_;
  Explain explain_;
  Xapian::Stem stemmer_{"english"};
};

// Xapian's HTML escapes undone: &lt; &gt; &quot; &#39; &amp;.
std::string unescape_html(std::string text);

}  // namespace news
