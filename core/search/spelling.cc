#include "search/spelling.h"

#include <algorithm>
#include <map>
#include <vector>

#include "base/text.h"
#include "schema/schema.h"

namespace news {
namespace {

// Looking a word up in the spelling table costs about as much as the search
// itself, common words most (their letter triples are everywhere), and a
// common word is spelt as the archive spells it. So only the rare plain words
// are looked up: those in fewer than max(10, N / 10000) of the N documents
// (absent words are rare too). Field terms (title:, topic: ...) are not, as
// Xapian's own spelling correction does not look at them either.
std::map<std::string, std::string> corrections(const Xapian::Database& db,
                                               const QueryBuilder& builder,
                                               const std::string& query,
                                               const Xapian::Query& parsed, bool match_any) {
  Xapian::doccount rare = std::max<Xapian::doccount>(10, db.get_doccount() / 10000);
  std::vector<std::string> rare_terms;
  for (auto t = parsed.get_unique_terms_begin(); t != parsed.get_unique_terms_end(); ++t) {
    const std::string& term = *t;
    std::string_view word = term;
    if (word.size() > 1 && word.front() == 'Z') word.remove_prefix(1);  // stemmed
    if (schema::is_prefixed(word)) continue;                            // a field's term
    if (db.get_termfreq(term) < rare) rare_terms.push_back(term);
  }
  if (rare_terms.empty()) return {};
  // The words as typed behind each term: parse again, keeping the parser.
  Xapian::QueryParser parser;
  builder.configure(parser, match_any);
  parser.parse_query(query, QueryBuilder::kParserFlags);
  std::map<std::string, std::string> fixes;
  for (const auto& term : rare_terms) {
    std::vector<std::string> typed(parser.unstem_begin(term), parser.unstem_end(term));
    if (typed.empty() && term[0] != 'Z') typed.push_back(term);
    for (const auto& as_typed : typed) {  // as typed: "Facal" stays unstemmed
      std::string word = Xapian::Unicode::tolower(as_typed);
      std::string fix = db.get_spelling_suggestion(word);
      if (!fix.empty() && fix != word) fixes.emplace(word, std::move(fix));
    }
  }
  return fixes;
}

}  // namespace

std::optional<std::string> spelling_correction(const Xapian::Database& db,
                                               const QueryBuilder& builder,
                                               const std::string& query,
                                               const Xapian::Query& parsed, bool match_any) {
  try {
    auto fixes = corrections(db, builder, query, parsed, match_any);
    if (fixes.empty()) return std::nullopt;
    std::string corrected = replace_words(query, fixes);
    if (corrected == query) return std::nullopt;
    return corrected;
  } catch (const Xapian::QueryParserError&) {
    return std::nullopt;
  }
}

}  // namespace news
