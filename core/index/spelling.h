// The spelling dictionary ("did you mean") as the indexer keeps it: every
// document's spelling words count once per document. Changes are summed per
// word and reach Xapian with a commit, one call per distinct word rather than
// one per word of every document (docs/design.md, "Indexing: the pipeline and the writer").
#pragma once

#include <xapian.h>

#include <string>
#include <unordered_map>
#include <vector>

namespace news {

// Changes in the dictionary's word counts: word -> change.
using SpellingDelta = std::unordered_map<std::string, long>;

// The words a document gives the dictionary: its unprefixed terms (the
// unstemmed words), once each, of 3 to 40 bytes.
std::vector<std::string> spelling_words(const Xapian::Document& doc);

// Adds `words` to `delta` (once each); moves the strings.
void count_words(SpellingDelta& delta, std::vector<std::string>& words);

// Adds `from` to `into` and clears `from`.
void merge_delta(SpellingDelta& into, SpellingDelta& from);

// Applies `delta` to the database's dictionary (for its next commit) and clears it.
void flush_spelling(Xapian::WritableDatabase& db, SpellingDelta& delta);

}  // namespace news
