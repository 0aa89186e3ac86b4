// Turns a parsed NewsDocument into a Xapian::Document following the field
// table (schema/fields.h): terms with positions, boolean filter terms,
// values and the stored record shown in results; and the document's identity
// and ranking values (schema.h). A builder owns a TermGenerator, so each thread
// building documents needs its own builder; build() touches no database, and
// the document it returns shares nothing with the builder, so it may be
// handed to another thread.
#pragma once

#include <xapian.h>

#include <string>
#include <string_view>

#include "document/document.h"
#include "schema/fields.h"

namespace news {

// The stored record of a document (Xapian document data): a JSON object with
// its id and every stored field of `fields` under its key (the standard
// table: title, excerpt, url, provider, domain, topics, published, type,
// category, quality and heat, the last three null when unknown).
std::string stored_record(const NewsDocument& doc, std::string_view id,
                          const schema::FieldTable& fields = schema::FieldTable::standard());

// The most distinct terms (words, their stems and field terms) one document
// may add to the database. Real news documents add a few hundred; a file
// over the bound is not indexed (build() throws), so one document cannot fill
// the term list with thousands of words for a wildcard to expand to. It is
// rejected rather than cut short: the bound is far above any news text, so a
// file past it is broken or hostile, and the rejection names it.
inline constexpr Xapian::termcount kMaxDocumentTerms = 10000;

class DocumentBuilder {
 public:
  explicit DocumentBuilder(schema::FieldTable fields = schema::FieldTable::standard());

  // `id` is the document's identity (its path relative to the indexed root),
  // `root_term` ties it to that root, `content_hash` is stored for incremental
  // re-runs (schema::kContentHash). Throws std::length_error for a document
  // over kMaxDocumentTerms.
  Xapian::Document build(const NewsDocument& doc, std::string_view id, std::string_view root_term,
                         std::string_view content_hash);

 private:
  // The terms and value of one field; adds its stored entry to `record`.
  void add_field(Xapian::Document& xdoc, const schema::Field& field,
                 const schema::FieldValues& values, double norm);

  schema::FieldTable fields_;
  Xapian::TermGenerator termgen_;
};

}  // namespace news
