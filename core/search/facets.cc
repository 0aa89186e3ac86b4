#include "search/facets.h"

#include <algorithm>
#include <map>
#include <string>

namespace news {
namespace {

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

FacetCounter::FacetCounter(Xapian::Enquire& enquire, const schema::FieldTable& fields) {
  for (const auto& field : fields.fields()) {
    if (!field.supports_all(schema::kFacet)) continue;
    spies_.push_back({&field, std::make_unique<Xapian::ValueCountMatchSpy>(field.slot)});
    enquire.add_matchspy(spies_.back().spy.get());
  }
}

Xapian::doccount FacetCounter::counted() const {
  return spies_.empty() ? 0 : spies_.front().spy->get_total();
}

std::vector<Facet> FacetCounter::facets(std::size_t most) const {
  std::vector<Facet> out;
  for (const auto& [field, spy] : spies_) {
    const bool several = field->encoding == schema::Encoding::kNormalisedList;
    std::map<std::string, Xapian::doccount> counts;
    for (auto v = spy->values_begin(); v != spy->values_end(); ++v) {
      if (several) {
        count_each(*v, v.get_termfreq(), counts);
      } else {
        counts[*v] += v.get_termfreq();
      }
    }
    Facet facet{field->name, {}};
    for (const auto& [value, count] : counts) facet.values.push_back({value, count});
    std::stable_sort(facet.values.begin(), facet.values.end(),
                     [](const FacetValue& a, const FacetValue& b) { return a.count > b.count; });
    if (facet.values.size() > most) facet.values.resize(most);
    out.push_back(std::move(facet));
  }
  return out;
}

}  // namespace news
