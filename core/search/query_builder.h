// Building the Xapian query of a request: the text query (Xapian's
// QueryParser, set up from the field table: `name:word`, `name:value` and
// `name:a..b`), the "more like this" query of --like, and the filters, each
// on a field of the table by its name.
// It reads the database (for wildcards, spelling and --like) but keeps no
// state between calls. docs/design.md, "Search as parts".
#pragma once

#include <xapian.h>

#include <string>
#include <vector>

#include "schema/fields.h"
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
  // `fields` must outlive the builder.
  explicit QueryBuilder(const Xapian::Database& db,
                        const schema::FieldTable& fields = schema::FieldTable::standard())
      : db_(db), fields_(fields) {}

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
  // Throws Error(kBadQuery) for a field that is not in the table or does not
  // support the filter, and for a bound that cannot be read (a date as
  // day_bound reads it, a number).
  Xapian::Query filters(const SearchRequest& request) const;
  // Sets up `parser` as parse() does, so that a caller can read its unstemming.
  void configure(Xapian::QueryParser& parser, bool match_any) const;

  static constexpr unsigned kParserFlags = Xapian::QueryParser::FLAG_DEFAULT |
                                           Xapian::QueryParser::FLAG_WILDCARD |
                                           Xapian::QueryParser::FLAG_PURE_NOT;

 private:
  Xapian::Query like(const std::string& id) const;
  // Appends the queries of one filter to `out`.
  void add_filter(const FieldFilter& filter, std::vector<Xapian::Query>& out) const;
  const Xapian::Database& db_;
  const schema::FieldTable& fields_;
};

// "2020" -> "20200101" (or "20201231" with end=true), "2020-06" -> "20200601"
// ("20200630"), "2020-06-15" -> "20200615". Throws Error(kBadQuery) otherwise.
std::string day_bound(const std::string& text, bool end);

}  // namespace news
