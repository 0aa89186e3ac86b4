#include "schema/fields.h"

#include <algorithm>

#include "document/document.h"
#include "schema/schema.h"

namespace news::schema {
namespace {

FieldValues texts(std::vector<std::string> values) { return {std::move(values), std::nullopt}; }
FieldValues number(std::optional<std::int64_t> value) { return {{}, value}; }

FieldValues title(const NewsDocument& d) { return texts({d.title}); }
FieldValues excerpt(const NewsDocument& d) { return texts({d.excerpt}); }
FieldValues related_titles(const NewsDocument& d) { return texts(d.related_titles); }
FieldValues topics(const NewsDocument& d) { return texts(d.topics); }
FieldValues provider_name(const NewsDocument& d) { return texts({d.provider_name}); }
// Found by its name or its domain; counted and shown by its name (the first).
FieldValues provider(const NewsDocument& d) { return texts({d.provider_name, d.provider_domain}); }
FieldValues domain(const NewsDocument& d) { return texts({d.provider_domain}); }
FieldValues type(const NewsDocument& d) { return texts({d.type}); }
FieldValues category(const NewsDocument& d) { return texts({d.category}); }
FieldValues url(const NewsDocument& d) { return texts({d.url}); }
FieldValues story_url(const NewsDocument& d) { return texts({normalise_url(d.url)}); }
FieldValues published(const NewsDocument& d) { return number(d.published); }
FieldValues quality(const NewsDocument& d) { return number(d.quality); }
FieldValues heat(const NewsDocument& d) { return number(d.heat); }

// The rows in indexing order: the words with positions first, in the order
// their positions have always been given (title with its prefix, then the
// general text's title and excerpt), so that a document's terms and
// positions are those of every earlier build (kSchemaVersion). wdf: a title
// word counts three times, an excerpt word twice, and a word from a related
// article's title, a topic or the provider's name once. The publication time
// is one value per use: the day for ranges (string order is date order), the
// month for facets, the second for sorting.
std::vector<Field> standard_fields() {
  constexpr auto kWords = Terms::kWords;
  constexpr auto kExact = Terms::kExact;
  // clang-format off
  return {
      {.name = "title", .prefix = "S", .terms = kWords, .wdf = 3, .positions = true,
       .stored_key = "title", .stored = Stored::kText, .extract = title},
      {.terms = kWords, .wdf = 3, .positions = true, .extract = title},
      {.terms = kWords, .wdf = 2, .positions = true,
       .stored_key = "excerpt", .stored = Stored::kText, .extract = excerpt},
      {.terms = kWords, .wdf = 1, .extract = related_titles},
      {.terms = kWords, .wdf = 1, .extract = topics},
      {.terms = kWords, .wdf = 1, .extract = provider_name},
      {.name = "topic", .prefix = "K", .terms = kExact,
       .slot = kTopics, .encoding = Encoding::kNormalisedList, .supports = kFacet,
       .stored_key = "topics", .stored = Stored::kList, .extract = topics},
      {.name = "provider", .prefix = "XP", .terms = kExact,
       .slot = kProvider, .encoding = Encoding::kText, .supports = kFacet,
       .stored_key = "provider", .stored = Stored::kText, .extract = provider},
      {.name = "type", .prefix = "XT", .terms = kExact,
       .slot = kType, .encoding = Encoding::kNormalised, .supports = kFacet,
       .stored_key = "type", .stored = Stored::kText, .extract = type},
      {.name = "category", .prefix = "XC", .terms = kExact,
       .stored_key = "category", .stored = Stored::kText, .extract = category},
      // Finds the other copies of a story; not addressable.
      {.prefix = std::string(kUrlPrefix), .terms = kExact, .extract = story_url},
      {.stored_key = "url", .stored = Stored::kText, .extract = url},
      {.stored_key = "domain", .stored = Stored::kText, .extract = domain},
      {.name = "date",
       .slot = kDay, .encoding = Encoding::kDay, .supports = kRange, .extract = published},
      {.name = "month",
       .slot = kMonth, .encoding = Encoding::kMonth, .supports = kFacet, .extract = published},
      {.name = "published",
       .slot = kPublished, .encoding = Encoding::kNumber, .supports = kSort,
       .stored_key = "published", .stored = Stored::kTime, .extract = published},
      {.name = "quality",
       .slot = kQuality, .encoding = Encoding::kNumber, .supports = kRange | kSort,
       .stored_key = "quality", .stored = Stored::kInteger, .extract = quality},
      {.name = "heat",
       .slot = kHeat, .encoding = Encoding::kNumber, .supports = kRange | kSort,
       .stored_key = "heat", .stored = Stored::kInteger, .extract = heat},
  };
  // clang-format on
}

std::string day_of(std::int64_t seconds) {
  std::string iso = format_iso_datetime(seconds);  // YYYY-MM-DDTHH:MM:SSZ
  return iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2);
}

}  // namespace

const FieldTable& FieldTable::standard() {
  static const FieldTable table(standard_fields());
  return table;
}

FieldTable FieldTable::with(Field extra) const {
  std::vector<Field> fields = fields_;
  fields.push_back(std::move(extra));
  return FieldTable(std::move(fields));
}

const Field* FieldTable::find(std::string_view name) const {
  if (name.empty()) return nullptr;
  auto it = std::find_if(fields_.begin(), fields_.end(),
                         [&](const Field& field) { return field.name == name; });
  return it == fields_.end() ? nullptr : &*it;
}

std::optional<std::string> encode_value(const Field& field, const FieldValues& values) {
  const std::string* first = values.texts.empty() ? nullptr : &values.texts.front();
  switch (field.encoding) {
    case Encoding::kNone:
      return std::nullopt;
    case Encoding::kText:
      if (!first || first->empty()) return std::nullopt;
      return *first;
    case Encoding::kNormalised:
      if (!first || first->empty()) return std::nullopt;
      return normalise_value(*first);
    case Encoding::kNormalisedList: {
      std::string joined;
      for (const auto& text : values.texts) {
        if (!joined.empty()) joined += '\x1f';
        joined += normalise_value(text);
      }
      if (joined.empty()) return std::nullopt;
      return joined;
    }
    case Encoding::kNumber:
      if (!values.number) return std::nullopt;
      return Xapian::sortable_serialise(double(*values.number));
    case Encoding::kDay:
      if (!values.number) return std::nullopt;
      return day_of(*values.number);
    case Encoding::kMonth:
      if (!values.number) return std::nullopt;
      return day_of(*values.number).substr(0, 6);
  }
  return std::nullopt;
}

nlohmann::json stored_value(const Field& field, const FieldValues& values) {
  switch (field.stored) {
    case Stored::kNo:
      break;
    case Stored::kText:
      return values.texts.empty() ? std::string() : values.texts.front();
    case Stored::kList:
      return values.texts;
    case Stored::kInteger:
      return values.number ? nlohmann::json(*values.number) : nlohmann::json(nullptr);
    case Stored::kTime:
      return values.number ? nlohmann::json(format_iso_datetime(*values.number))
                           : nlohmann::json(nullptr);
  }
  return nullptr;
}

}  // namespace news::schema
