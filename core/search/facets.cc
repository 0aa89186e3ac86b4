#include "search/facets.h"

#include <algorithm>
#include <map>
#include <string>

#include "schema/schema.h"

namespace news {
namespace {

struct FacetSpec {
  const char* name;
  Xapian::valueno slot;
  bool multi;  // several values joined by '\x1f'
};
constexpr FacetSpec kFacets[] = {
    {"topic", schema::kTopics, true},
    {"provider", schema::kProvider, false},
    {"type", schema::kType, false},
    {"month", schema::kMonth, false},
};

// Adds `count` to each value of `joined` (values joined by '\x1f').
void count_each(const std::string& joined, Xapian::doccount count,
                std::map<std::string, Xapian::doccount>& counts) {
  for (std::size_t start = 0; start <= joined.size();) {
    std::size_t end = joined.find('\x1f', start);
    if (end == std::string::npos) end = joined.size();
    if (end > start) counts[joined.substr(start, end - start)] += count;
    start = end + 1;
  }
}

}  // namespace

FacetCounter::FacetCounter(Xapian::Enquire& enquire) {
  for (const auto& facet : kFacets) {
    spies_.push_back(std::make_unique<Xapian::ValueCountMatchSpy>(facet.slot));
    enquire.add_matchspy(spies_.back().get());
  }
}

Xapian::doccount FacetCounter::counted() const { return spies_.front()->get_total(); }

std::vector<Facet> FacetCounter::facets(std::size_t most) const {
  std::vector<Facet> out;
  for (std::size_t i = 0; i < spies_.size(); ++i) {
    std::map<std::string, Xapian::doccount> counts;
    for (auto v = spies_[i]->values_begin(); v != spies_[i]->values_end(); ++v) {
      if (kFacets[i].multi) {
        count_each(*v, v.get_termfreq(), counts);
      } else {
        counts[*v] += v.get_termfreq();
      }
    }
    Facet facet{kFacets[i].name, {}};
    for (const auto& [value, count] : counts) facet.values.push_back({value, count});
    std::stable_sort(facet.values.begin(), facet.values.end(),
                     [](const FacetValue& a, const FacetValue& b) { return a.count > b.count; });
    if (facet.values.size() > most) facet.values.resize(most);
    out.push_back(std::move(facet));
  }
  return out;
}

}  // namespace news
