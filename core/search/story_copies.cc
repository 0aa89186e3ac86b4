#include "search/story_copies.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "schema/schema.h"

namespace news {

namespace {

// Scores equal to 12 significant digits count as equal: a shard layout can
// move the last bits of a sum of term weights (docs/design.md, "Shards").
bool same_score(double a, double b) {
  return std::abs(a - b) <= 1e-12 * std::max(std::abs(a), std::abs(b));
}

// A story's matching copies: how many, the best score, and the copy with the
// smallest id among those with that score.
struct Story {
  Xapian::doccount count = 0;
  double best = 0;
  std::string id;
  Xapian::Document doc;
};

// The stories of `copies` (ranked by weight, best first) by story key.
std::map<std::string, Story> stories_of(const Xapian::MSet& copies) {
  std::map<std::string, Story> by_key;
  for (auto it = copies.begin(); it != copies.end(); ++it) {
    Xapian::Document doc = it.get_document();
    Story& story = by_key[doc.get_value(schema::kDedupKey)];
    std::string id = doc.get_value(schema::kId);
    double weight = it.get_weight();  // in falling order: the first is the best
    bool first = story.count++ == 0;
    if (first) story.best = weight;
    if (first || (same_score(weight, story.best) && id < story.id)) {
      story.id = std::move(id);
      story.doc = doc;
    }
  }
  return by_key;
}

}  // namespace

// Xapian's collapse counts are lower bounds: the matcher may stop before it
// meets every copy, and remote shards merge their counts approximately. The
// copies of the stories on the page are counted exactly instead, by their
// story terms, in one pass over the few documents holding them. Ranked by
// relevance, the same pass picks the copy each story is listed by: of its
// best-scoring copies, the one with the smallest id (the matcher breaks equal
// scores by story key and then by Xapian's docid, which differs between shard
// layouts). Sorted by a value, the matcher's copy, first by that value, stands.
std::vector<StoryCopies> story_copies(const Xapian::Database& db, const ScoredQuery& ranked,
                                      bool by_relevance, const std::vector<std::string>& keys,
                                      const std::vector<SearchHit>& hits) {
  std::vector<StoryCopies> out(hits.size());
  // A story held by one document in the whole database has no copies: only
  // the others are looked at (most stories, and so most pages, have none).
  std::vector<Xapian::Query> stories;
  Xapian::doccount copies_in_all = 0;
  for (std::size_t i = 0; i < hits.size(); ++i) {
    std::string story = schema::story_term(keys[i]);
    Xapian::doccount copies = db.get_termfreq(story);
    if (copies <= 1) continue;
    stories.emplace_back(story);
    copies_in_all += copies;
  }
  if (stories.empty()) return out;
  Xapian::Enquire enquire = relevance_enquire(
      db, ranked.filtered(Xapian::Query(Xapian::Query::OP_OR, stories.begin(), stories.end())));
  if (!by_relevance) enquire.set_weighting_scheme(Xapian::BoolWeight());  // only counted
  Xapian::MSet copies = enquire.get_mset(0, copies_in_all, copies_in_all);
  std::map<std::string, Story> by_key = stories_of(copies);
  for (std::size_t i = 0; i < hits.size(); ++i) {
    auto found = by_key.find(keys[i]);
    if (found == by_key.end()) continue;
    const Story& story = found->second;
    out[i].others = story.count - 1;
    if (by_relevance && story.doc.get_docid() != hits[i].docid &&
        same_score(story.best, hits[i].score)) {
      out[i].listed = story.doc;
    }
  }
  return out;
}

}  // namespace news
