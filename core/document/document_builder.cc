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

std::string day_value(std::int64_t seconds) {
  std::string iso = format_iso_datetime(seconds);  // YYYY-MM-DDTHH:MM:SSZ
  return iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2);
}

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

std::string stored_record(const NewsDocument& doc, std::string_view id) {
  nlohmann::json record = {
      {"id", id},
      {"title", doc.title},
      {"excerpt", doc.excerpt},
      {"url", doc.url},
      {"provider", doc.provider_name},
      {"domain", doc.provider_domain},
      {"topics", doc.topics},
      {"type", doc.type},
      {"category", doc.category},
      {"published", doc.published ? nlohmann::json(format_iso_datetime(*doc.published))
                                  : nlohmann::json(nullptr)},
      {"quality", doc.quality ? nlohmann::json(*doc.quality) : nlohmann::json(nullptr)},
      {"heat", doc.heat ? nlohmann::json(*doc.heat) : nlohmann::json(nullptr)},
  };
  return record.dump();
}

DocumentBuilder::DocumentBuilder() {
  termgen_.set_stemmer(Xapian::Stem(new CachedStem));
  termgen_.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
}

Xapian::Document DocumentBuilder::build(const NewsDocument& doc, std::string_view id,
                                        std::string_view root_term, std::string_view content_hash) {
  Xapian::Document xdoc;
  termgen_.set_document(xdoc);
  const double norm = schema::length_norm(schema::text_length(doc));
  for (const auto& field : schema::term_fields()) {
    for (const auto& value : field.extract(doc)) {
      if (value.empty()) continue;
      if (field.kind == schema::FieldKind::kBoolean) {
        xdoc.add_boolean_term(schema::boolean_term(field.prefix, value));
      } else {
        // BM25's length normalisation, done here (schema.h, "Relevance").
        Xapian::termcount wdf = schema::scaled_wdf(field.wdf, norm);
        if (field.positions) {
          termgen_.index_text(value, wdf, std::string(field.prefix));
          termgen_.increase_termpos(kFieldGap);
        } else {
          termgen_.index_text_without_positions(value, wdf, std::string(field.prefix));
        }
      }
    }
  }
  if (Xapian::termcount terms = xdoc.termlist_count(); terms > kMaxDocumentTerms) {
    termgen_.set_document(Xapian::Document());
    throw std::length_error("its text makes " + std::to_string(terms) +
                            " distinct terms; at most " + std::to_string(kMaxDocumentTerms) +
                            " are indexed from one document (shorten its excerpt)");
  }
  xdoc.add_boolean_term(schema::id_term(id));
  xdoc.add_boolean_term(std::string(root_term));

  using schema::Slot;
  if (doc.published) {
    xdoc.add_value(Slot::kPublished, Xapian::sortable_serialise(double(*doc.published)));
    std::string day = day_value(*doc.published);
    xdoc.add_value(Slot::kDay, day);
    xdoc.add_value(Slot::kMonth, day.substr(0, 6));
  }
  if (doc.quality) xdoc.add_value(Slot::kQuality, Xapian::sortable_serialise(double(*doc.quality)));
  if (doc.heat) xdoc.add_value(Slot::kHeat, Xapian::sortable_serialise(double(*doc.heat)));
  auto rank = [](const std::optional<std::int64_t>& v) {
    return Xapian::sortable_serialise(v ? schema::saturate(double(*v)) : schema::kUnknownRank);
  };
  xdoc.add_value(Slot::kQualityRank, rank(doc.quality));
  xdoc.add_value(Slot::kHeatRank, rank(doc.heat));
  xdoc.add_value(Slot::kPrior, Xapian::sortable_serialise(schema::prior(doc.quality, doc.heat)));
  xdoc.add_value(Slot::kContentHash, std::string(content_hash));
  std::string topics;
  for (const auto& topic : doc.topics) {
    if (!topics.empty()) topics += '\x1f';
    topics += schema::normalise_value(topic);
  }
  if (!topics.empty()) xdoc.add_value(Slot::kTopics, topics);
  if (!doc.provider_name.empty()) xdoc.add_value(Slot::kProvider, doc.provider_name);
  if (!doc.type.empty()) xdoc.add_value(Slot::kType, schema::normalise_value(doc.type));
  std::string key = dedup_key(doc, id);
  xdoc.add_boolean_term(schema::story_term(key));
  xdoc.add_value(Slot::kDedupKey, key);
  xdoc.add_value(Slot::kId, std::string(id));

  xdoc.set_data(stored_record(doc, id));
  // Let go of the document: Xapian's handles count references without
  // atomics, and the caller hands the document to another thread.
  termgen_.set_document(Xapian::Document());
  return xdoc;
}

}  // namespace news
