// Spelling: the "did you mean" correction of a query, from the database's
// spelling table. Only the query's rare plain words are looked up (spelling.cc
// says why). Whether a correction is worth showing (it must find more) is
// decided by running it, which Searcher does. docs/design.md, "Search as parts".
#pragma once

#include <xapian.h>

#include <optional>
#include <string>

#include "search/query_builder.h"

namespace news {

// `query` with its rare words replaced by their corrections, or nullopt when
// none has one (or the query cannot be parsed). `parsed`: the query as
// `builder` parsed it.
std::optional<std::string> spelling_correction(const Xapian::Database& db,
                                               const QueryBuilder& builder,
                                               const std::string& query,
                                               const Xapian::Query& parsed, bool match_any);

}  // namespace news
