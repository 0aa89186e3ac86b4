// The Xapian schema of a news database: term prefixes, value slots and their
// encodings, defined once. Indexing (document_builder.cc) and query parsing
// (query.cc) both loop over these tables, so a new field is one new row.
#pragma once

#include <xapian.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace news {

struct NewsDocument;

namespace schema {

// Value slots. Each comment says how the value is encoded.
enum Slot : Xapian::valueno {
  kPublished = 0,    // sortable_serialise(seconds since 1970-01-01T00:00:00Z)
  kDay = 1,          // "YYYYMMDD" in UTC: date ranges (string order is date order)
  kMonth = 2,        // "YYYYMM" in UTC: month facets and the freshness map
  kQuality = 3,      // sortable_serialise(quality); absent when unknown
  kHeat = 4,         // sortable_serialise(heat); absent when unknown (heat -1)
  kQualityRank = 5,  // sortable_serialise(saturate(quality)) in [0,1); see below
  kHeatRank = 6,     // sortable_serialise(saturate(heat)) in [0,1); see below
  kContentHash = 7,  // 16 raw bytes: XXH3-128 of the file's bytes
  kTopics = 8,       // the document's topics, each normalised, joined by '\x1f'
  kProvider = 9,     // provider name as published
  kType = 10,        // normalised type ("article", "video")
  kDedupKey = 11,    // 8 bytes, XXH3-64 of the title's words in lower case; a copy
                     // of a story with the same url takes the key of the first copy
  kId = 12,          // the document's id as is (read back in bulk by re-runs)
  kPrior = 13,       // sortable_serialise(prior(quality, heat)): the default blend
};

// Ranking signals are stored pre-shaped so that Xapian's built-in
// ValueWeightPostingSource can read them directly (and so on remote shards):
// saturate(x) = x / (x + kRankHalfPoint), which maps [0, inf) onto [0, 1) and
// gives 0.5 at the half point. The half point is the median of quality and of
// known heat in the real corpus (both 72, rounded to 70). An unknown value is
// stored as exactly 0.5, the corpus median: it neither helps nor hurts.
inline constexpr double kRankHalfPoint = 70.0;
inline constexpr double kUnknownRank = 0.5;
double saturate(double x);

// The default blend weights of quality and heat (search.h, RankingWeights),
// and the blend they give, stored at index time in slot kPrior so that the
// default ranking reads one value per candidate instead of two. Changing a
// default weight changes the stored values: bump kSchemaVersion.
inline constexpr double kQualityWeight = 0.5;
inline constexpr double kHeatWeight = 0.25;
double prior(std::optional<std::int64_t> quality, std::optional<std::int64_t> heat);

// Prior order. A database (each shard) keeps its documents with docids below
// kTailStart in non-increasing order of kPrior, so that the default ranking can
// let the matcher stop once no later document can reach the top, and can tell
// a document's prior from its docid alone (prior_source.h). Documents that
// cannot be placed in order (added later with a higher prior) go to docids
// from kTailStart on, read in full as before. The tail starts at one constant
// for every shard, so that one posting source serves them all (shards.h,
// SearchDatabases): 2^24 documents per shard in order, and docids that stay
// below 2^32 when 64 shards are interleaved.
inline constexpr Xapian::docid kTailStart = Xapian::docid(1) << 24;
// Metadata of a database kept in prior order: JSON {"end": last docid used
// below kTailStart, "floor": its prior, "covered": see below, "last":
// get_lastdocid() at the commit}, and the steps under kMetaPriorSteps (12
// bytes each: the first docid, big-endian, and the prior's IEEE 754 bits,
// big-endian). Absent: not in order. A "last" that differs from the
// database's means something else wrote it since (another tool): not trusted.
inline constexpr std::string_view kMetaOrder = "news:order";
inline constexpr std::string_view kMetaPriorSteps = "news:prior-steps";
// The most steps recorded: one per distinct (quality, heat) pair in the
// ordered docids (the 263 real files of the project's sample have 85; the
// generated million, 85). 48 KiB of metadata at most, read by every search;
// past the limit the prior is read from kPrior, still in order.
inline constexpr std::size_t kMaxPriorSteps = 4096;
struct PriorStep {
  Xapian::docid first;  // the first docid with this prior
  double prior;
  bool operator==(const PriorStep&) const = default;
};
struct PriorOrder {
  Xapian::docid end = 0;  // the last docid placed in order; 0: none yet
  double floor = std::numeric_limits<double>::infinity();  // the prior placed at `end`
  // The prior of every docid from 1 to `covered` (<= end), as steps with
  // decreasing priors: a docid's prior is that of the last step at or before
  // it (for the docids in use; deleted ones are never asked for). Past
  // `covered` the prior is read from kPrior: a database ordered before steps
  // were recorded, or one with more than kMaxPriorSteps of them.
  std::vector<PriorStep> steps;
  Xapian::docid covered = 0;

  // Places a document with this prior (no higher than `floor`) at end + 1,
  // which must be below kTailStart, and returns that docid.
  Xapian::docid append(double prior);
};
// A single database's (one shard's) prior order, or nullopt when it is not in it.
std::optional<PriorOrder> read_prior_order(const Xapian::Database& db);
// Whether it is in prior order, without reading the steps.
bool in_prior_order(const Xapian::Database& db);
// Records `order` with the database's last docid (nullopt: not in order), for
// the next commit.
void write_prior_order(Xapian::WritableDatabase& db, const std::optional<PriorOrder>& order);

enum class FieldKind {
  kFreeText,  // words: stemmed, with positions, found by plain queries
  kBoolean,   // whole normalised values: filters, never stemmed
};

// One row of the term table. A kFreeText row with an empty prefix feeds the
// general text that unprefixed queries search; with a prefix it is also
// searchable on its own as `name:`. Positions (for phrases) cost the most of
// anything indexed, so only the title and the excerpt keep them. A kBoolean row is a filter
// `name:value`.
struct TermField {
  std::string_view name;    // field name in queries; empty: not addressable
  std::string_view prefix;  // Xapian term prefix (omega conventions)
  FieldKind kind;
  Xapian::termcount wdf;  // weight of each occurrence (kFreeText only)
  bool positions;         // kFreeText: keep word positions (phrase queries)
  std::vector<std::string> (*extract)(const NewsDocument&);
};

// Every term the indexer writes comes from a row of this table, in order.
std::span<const TermField> term_fields();

// Whether a term carries a prefix. Every prefix above starts with a capital
// letter (omega's convention) and plain words are lower case, so a capital
// first letter tells them apart; a stemmed word's 'Z' counts as a prefix.
inline bool is_prefixed(std::string_view term) {
  return !term.empty() && term.front() >= 'A' && term.front() <= 'Z';
}

// The unique-id prefix: one `Q` term per document, `Q` + id.
inline constexpr std::string_view kIdPrefix = "Q";
// The prefix that ties a document to the folder it was indexed from, so that a
// run over that folder can prune the files that vanished from it.
inline constexpr std::string_view kRootPrefix = "XR";

// Xapian terms are at most 245 bytes; longer ids and roots are hashed.
std::string id_term(std::string_view id);
std::string root_term(std::string_view canonical_root);

// The boolean-term form of a value (topic, provider, type): lower case,
// whitespace runs folded to one space, trimmed. Used when indexing and when
// parsing `topic:`, `--topic` and the like, so both agree.
std::string normalise_value(std::string_view value);
// A url without scheme, "www." and trailing slashes, normalised: two urls of
// one story compare equal.
std::string normalise_url(std::string_view url);
// The prefix of the url term, which finds other copies of a story.
inline constexpr std::string_view kUrlPrefix = "XU";

// The story term: kStoryPrefix + the collapse key (slot kDedupKey) in hex,
// one per document. Finds the copies of a story, to count them exactly.
inline constexpr std::string_view kStoryPrefix = "XD";
std::string story_term(std::string_view dedup_key);

// prefix + normalise_value(value), hashed when too long for a Xapian term.
std::string boolean_term(std::string_view prefix, std::string_view value);

// Range fields of the query language, e.g. `date:2020-01-01..2020-06-30`,
// `quality:50..`, and the filters `--since`/`--min-quality` use the same slots.
enum class RangeKind { kDate, kNumber };
struct RangeField {
  std::string_view name;
  Xapian::valueno slot;
  RangeKind kind;
};
std::span<const RangeField> range_fields();

// Metadata keys written with every commit. A database whose schema version
// differs from this build's is re-indexed in full by the next run (its
// documents may lack terms or values this build relies on).
inline constexpr std::string_view kMetaSchemaVersion = "news:schema";
inline constexpr std::string_view kSchemaVersion = "8";

}  // namespace schema
}  // namespace news
