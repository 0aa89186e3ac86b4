#include "schema/schema.h"

#include <xxhash.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "base/text.h"
#include "document/document.h"

namespace news::schema {
namespace {

// Terms longer than this (with their prefix) are replaced by a hash.
constexpr std::size_t kMaxTermBody = 200;

std::string bounded_term(std::string_view prefix, std::string_view body) {
  if (body.size() <= kMaxTermBody) return std::string(prefix) + std::string(body);
  XXH128_hash_t h = XXH3_128bits(body.data(), body.size());
  char hex[40];
  std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                static_cast<unsigned long long>(h.low64));
  // A readable head, so xapian-delve still shows what the term is. The body
  // is then one byte longer than any body kept whole, so no text can have
  // the term of another that was hashed.
  return std::string(prefix) + std::string(body.substr(0, kMaxTermBody - 32)) + "#" + hex;
}

}  // namespace

double saturate(double x) { return x <= 0 ? 0.0 : x / (x + kRankHalfPoint); }

double prior(std::optional<std::int64_t> quality, std::optional<std::int64_t> heat) {
  auto rank = [](std::optional<std::int64_t> v) { return v ? saturate(double(*v)) : kUnknownRank; };
  return kQualityWeight * rank(quality) + kHeatWeight * rank(heat);
}

double text_length(const NewsDocument& doc, const FieldTable& fields) {
  double length = 0;
  for (const auto& field : fields.fields()) {
    if (field.terms != Terms::kWords || !field.prefix.empty()) continue;
    for (const auto& value : field.extract(doc).texts) {
      length += double(field.wdf * count_words(value));
    }
  }
  return length;
}

double length_norm(double text_length) {
  return (1 - kBm25B) + kBm25B * std::max(text_length / kReferenceLength, kBm25MinNormLength);
}

Xapian::termcount scaled_wdf(Xapian::termcount field_wdf, double norm) {
  double scaled = std::round(double(field_wdf) * kWdfScale / norm);
  return scaled < 1 ? 1 : Xapian::termcount(scaled);
}

std::string id_term(std::string_view id) { return bounded_term(kIdPrefix, id); }

std::string story_term(std::string_view dedup_key) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string term(kStoryPrefix);
  for (unsigned char c : dedup_key) {
    term += kHex[c >> 4];
    term += kHex[c & 15];
  }
  return term;
}
std::string root_term(std::string_view canonical_root) {
  return bounded_term(kRootPrefix, canonical_root);
}

std::string normalise_value(std::string_view value) {
  return Xapian::Unicode::tolower(collapse_whitespace(value));
}

std::string normalise_url(std::string_view url) {
  std::string out = normalise_value(url);
  for (std::string_view scheme : {"https://", "http://"}) {
    if (out.starts_with(scheme)) out.erase(0, scheme.size());
  }
  if (out.starts_with("www.")) out.erase(0, 4);
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

std::string boolean_term(std::string_view prefix, std::string_view value) {
  return bounded_term(prefix, normalise_value(value));
}

}  // namespace news::schema
