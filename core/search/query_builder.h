// Building the Xapian query of a request: the text query (Xapian's
// QueryParser, set up from the schema's field tables: `name:value` terms and
// `name:a..b` ranges), the "more like this" query of --like, and the filters.
// It reads the database (for wildcards, spelling and --like) but keeps no
// state between calls. docs/design.md, "Search as parts".
#pragma once

#include <xapian.h>

#include <string>

#include "search/request.h"

namespace news {

// Bounds on what one search may cost. A query longer than either bound is an
// Error(kBadQuery) naming it (Xapian's parser takes seconds over tens of
// thousands of words); a wildcard expanding to more words than
// kMaxWildcardTerms is an Error(kBadQuery) too (configure() says why).
inline constexpr std::size_t kMaxQueryBytes = 8192;
inline constexpr std::size_t kMaxQueryWords = 256;
inline constexpr Xapian::termcount kMaxWildcardTerms = 1000;

class QueryBuilder {
 public:
  explicit QueryBuilder(const Xapian::Database& db) : db_(db) {}

  // The parsed text of `text`. Throws Xapian::QueryParserError and
  // Xapian::WildcardError (Searcher::search turns them into messages).
  Xapian::Query parse(const std::string& text, bool match_any) const;
  // What the user typed, parsed: `request.query`, or when it has no words a
  // query that matches every document with weight 0.
  Xapian::Query typed(const SearchRequest& request) const;
  // The typed query and, with --like, the query for documents like that
  // one. Throws Error(kBadQuery) for a --like id that names no document.
  Xapian::Query text(const SearchRequest& request, const Xapian::Query& typed) const;
  // Every filter of the request ANDed, or an empty Query when there are none.
  // Throws Error(kBadQuery) for a date that cannot be read.
  Xapian::Query filters(const SearchRequest& request) const;
  // Sets up `parser` as parse() does, so that a caller can read its unstemming.
  void configure(Xapian::QueryParser& parser, bool match_any) const;

  static constexpr unsigned kParserFlags = Xapian::QueryParser::FLAG_DEFAULT |
                                           Xapian::QueryParser::FLAG_WILDCARD |
                                           Xapian::QueryParser::FLAG_PURE_NOT;

 private:
  Xapian::Query like(const std::string& id) const;
  const Xapian::Database& db_;
};

// "2020" -> "20200101" (or "20201231" with end=true), "2020-06" -> "20200601"
// ("20200630"), "2020-06-15" -> "20200615". Throws Error(kBadQuery) otherwise.
std::string day_bound(const std::string& text, bool end);

}  // namespace news
