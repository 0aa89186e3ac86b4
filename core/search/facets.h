// Facets: counts of the matches by each facet field of the field table
// (the standard one: topic, provider, type and month), taken by
// Xapian match spies while the matcher runs (so they cover the matches it
// checked; search.cc checks enough to make them exact below 10,000 matches).
// docs/design.md, "Search as parts".
#pragma once

#include <xapian.h>

#include <memory>
#include <vector>

#include "schema/fields.h"
#include "search/request.h"

namespace news {

class FacetCounter {
 public:
  // Adds a spy per facet field of `fields` to `enquire`, which must not run
  // after this is gone.
  FacetCounter(Xapian::Enquire& enquire, const schema::FieldTable& fields);

  // After the enquire ran: the matches the counts cover, and each facet's
  // `most` most frequent values, most frequent first (ties in value order).
  Xapian::doccount counted() const;
  std::vector<Facet> facets(std::size_t most) const;

 private:
  struct Spy {
    const schema::Field* field;
    std::unique_ptr<Xapian::ValueCountMatchSpy> spy;
  };
  std::vector<Spy> spies_;
};

}  // namespace news
