// The field table: every field of a news document, once, with its name, its
// term prefix, its value slot and encoding, what it supports and how it is
// taken from a NewsDocument. It drives indexing (terms, values, the stored
// record: document_builder.h), query parsing (`name:value`, `name:a..b`),
// filters by field name, facets and sorts (core/search/). A new searchable,
// filterable, facetable field is one row: FieldTable::standard() plus that
// row, given to DocumentBuilder and Searcher. docs/design.md, "The field table".
//
// The table holds what a user can address or see. The document's identity
// (id, root and story terms; content hash, story key and id values) and the
// ranking signals stored pre-shaped (quality and heat ranks, the prior) are
// written by DocumentBuilder itself: they are not fields of the query
// language, and schema.h defines them.
#pragma once

#include <xapian.h>

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace news {

struct NewsDocument;

namespace schema {

// What a field's extraction gives: text values (a title, topics...), or one
// whole number (quality, heat, a time in seconds since the epoch).
struct FieldValues {
  std::vector<std::string> texts;
  std::optional<std::int64_t> number;
};

// The terms a field writes.
enum class Terms {
  kNone,
  kWords,  // words: stemmed, found by plain queries when the prefix is empty
           // (the general text), else by `name:word`
  kExact,  // whole values, normalised (boolean_term): `name:value` and filters
};

// How a field's value slot is written (never when the field has no slot).
enum class Encoding {
  kNone,
  kText,            // the first text as published
  kNormalised,      // the first text, normalise_value()d
  kNormalisedList,  // every text normalise_value()d, joined by '\x1f'
  kNumber,          // sortable_serialise(number)
  kDay,             // "YYYYMMDD" of number (seconds) in UTC: string order is date order
  kMonth,           // "YYYYMM" of number (seconds) in UTC
};

// How a field is kept in the stored record (Xapian document data, JSON).
enum class Stored {
  kNo,
  kText,     // the first text ("" when none)
  kList,     // every text, an array
  kInteger,  // number, or null when unknown
  kTime,     // number as "YYYY-MM-DDTHH:MM:SSZ", or null when unknown
};

// What a field supports beyond its terms: range queries and filters over its
// slot (`name:a..b`; kDay and kNumber encodings), counting matches by value,
// sorting by it.
enum Support : unsigned {
  kRange = 1u << 0,
  kFacet = 1u << 1,
  kSort = 1u << 2,
};

struct Field {
  std::string name{};    // in queries, filters, facets and sorts; empty: not addressable
  std::string prefix{};  // term prefix (omega conventions); empty with kWords: the general text
  Terms terms = Terms::kNone;
  Xapian::termcount wdf = 0;  // kWords: weight of each occurrence
  bool positions = false;     // kWords: keep word positions (phrase queries)
  Xapian::valueno slot = Xapian::BAD_VALUENO;
  Encoding encoding = Encoding::kNone;
  unsigned supports = 0;     // Support bits
  std::string stored_key{};  // key in the stored record
  Stored stored = Stored::kNo;
  std::function<FieldValues(const NewsDocument&)> extract{};

  bool supports_all(unsigned bits) const { return (supports & bits) == bits; }
  bool has_value() const { return slot != Xapian::BAD_VALUENO; }
};

class FieldTable {
 public:
  explicit FieldTable(std::vector<Field> fields) : fields_(std::move(fields)) {}
  // The fields of a news database (schema version kSchemaVersion).
  static const FieldTable& standard();
  // This table plus `extra`, last.
  FieldTable with(Field extra) const;

  std::span<const Field> fields() const { return fields_; }
  // The field named `name`, or nullptr.
  const Field* find(std::string_view name) const;

 private:
  std::vector<Field> fields_;
};

// The encoded value of `field` for `values`, or nullopt when it has none.
std::optional<std::string> encode_value(const Field& field, const FieldValues& values);
// `field`'s entry in the stored record (field.stored must not be kNo).
nlohmann::json stored_value(const Field& field, const FieldValues& values);

}  // namespace schema
}  // namespace news
