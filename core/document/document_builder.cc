#include "document/document_builder.h"

#include <xxhash.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <unordered_map>

#include "base/text.h"
#include "schema/schema.h"

namespace news {
namespace {

// Positions jump by this much between field values, so that a phrase never
// matches across the end of one field and the start of the next.
constexpr Xapian::termpos kFieldGap = 100;

// The title as a story key: case, punctuation and spacing do not count, so
// "Zoox settles with Tesla" and "ZOOX settles with Tesla!" are one story.
// Stored as 8 bytes (XXH3-64 of the title's words), so that the indexer can
// remember the key of every story it met cheaply. A title with no words
// gives a key of the document's own.
std::string dedup_key(const NewsDocument& doc, std::string_view id) {
  std::string words = "t:";
  for_each_word(doc.title, [&](std::string_view word) {
    if (words.size() > 2) words += ' ';
    words += Xapian::Unicode::tolower(std::string(word));
  });
  if (words.size() == 2) words = "i:" + std::string(id);
  std::uint64_t hash = XXH3_64bits(words.data(), words.size());
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i, hash >>= 8) key[i] = static_cast<char>(hash & 0xff);
  return key;
}

// Snowball's English stemmer, remembering the stems it gave. News text
// repeats its words (a title's words are indexed twice, once with a prefix,
// and the same words recur from document to document), so a builder stems
// most words once. At most kMaxCachedStems words are kept; a new word after
// that is stemmed each time.
class CachedStem : public Xapian::StemImplementation {
 public:
  std::string operator()(const std::string& word) override {
    if (auto it = stems_.find(word); it != stems_.end()) return it->second;
    std::string stem = english_(word);
    if (stems_.size() < kMaxCachedStems) stems_.emplace(word, stem);
    return stem;
  }
  std::string get_description() const override { return "english, cached"; }

 private:
  static constexpr std::size_t kMaxCachedStems = 50000;
  Xapian::Stem english_{"english"};
  std::unordered_map<std::string, std::string> stems_;
};

}  // namespace

std::string stored_record(const NewsDocument& doc, std::string_view id,
                          const schema::FieldTable& fields) {
  nlohmann::json record = nlohmann::json::object();
  record["id"] = std::string(id);
  for (const auto& field : fields.fields()) {
    if (field.stored != schema::Stored::kNo) {
      record[field.stored_key] = schema::stored_value(field, field.extract(doc));
    }
  }
  return record.dump();
}

DocumentBuilder::DocumentBuilder(schema::FieldTable fields) : fields_(std::move(fields)) {
  termgen_.set_stemmer(Xapian::Stem(new CachedStem));
  termgen_.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
}

void DocumentBuilder::add_field(Xapian::Document& xdoc, const schema::Field& field,
                                const schema::FieldValues& values, double norm) {
  if (field.terms != schema::Terms::kNone) {
    for (const auto& value : values.texts) {
      if (value.empty()) continue;
      if (field.terms == schema::Terms::kExact) {
        xdoc.add_boolean_term(schema::boolean_term(field.prefix, value));
        continue;
      }
      // BM25's length normalisation, done here (schema.h, "Relevance").
      Xapian::termcount wdf = schema::scaled_wdf(field.wdf, norm);
      if (field.positions) {
        termgen_.index_text(value, wdf, field.prefix);
        termgen_.increase_termpos(kFieldGap);
      } else {
        termgen_.index_text_without_positions(value, wdf, field.prefix);
      }
    }
  }
  if (!field.has_value()) return;
  if (auto value = schema::encode_value(field, values); value && !value->empty()) {
    xdoc.add_value(field.slot, *value);
  }
}

Xapian::Document DocumentBuilder::build(const NewsDocument& doc, std::string_view id,
                                        std::string_view root_term, std::string_view content_hash) {
  Xapian::Document xdoc;
  termgen_.set_document(xdoc);
  const double norm = schema::length_norm(schema::text_length(doc, fields_));
  nlohmann::json record = nlohmann::json::object();
  record["id"] = std::string(id);
  for (const auto& field : fields_.fields()) {
    schema::FieldValues values = field.extract(doc);
    add_field(xdoc, field, values, norm);
    if (field.stored != schema::Stored::kNo) {
      record[field.stored_key] = schema::stored_value(field, values);
    }
  }
  if (Xapian::termcount terms = xdoc.termlist_count(); terms > kMaxDocumentTerms) {
    termgen_.set_document(Xapian::Document());
    throw std::length_error("its text makes " + std::to_string(terms) +
                            " distinct terms; at most " + std::to_string(kMaxDocumentTerms) +
                            " are indexed from one document (shorten its excerpt)");
  }
  // The document's identity and the ranking's pre-shaped signals (schema.h).
  xdoc.add_boolean_term(schema::id_term(id));
  xdoc.add_boolean_term(std::string(root_term));
  using schema::Slot;
  auto rank = [](const std::optional<std::int64_t>& v) {
    return Xapian::sortable_serialise(v ? schema::saturate(double(*v)) : schema::kUnknownRank);
  };
  xdoc.add_value(Slot::kQualityRank, rank(doc.quality));
  xdoc.add_value(Slot::kHeatRank, rank(doc.heat));
  xdoc.add_value(Slot::kPrior, Xapian::sortable_serialise(schema::prior(doc.quality, doc.heat)));
  xdoc.add_value(Slot::kContentHash, std::string(content_hash));
  std::string key = dedup_key(doc, id);
  xdoc.add_boolean_term(schema::story_term(key));
  xdoc.add_value(Slot::kDedupKey, key);
  xdoc.add_value(Slot::kId, std::string(id));

  xdoc.set_data(record.dump());
  // Let go of the document: Xapian's handles count references without
  // atomics, and the caller hands the document to another thread.
  termgen_.set_document(Xapian::Document());
  return xdoc;
}

}  // namespace news
