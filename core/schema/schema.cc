#include "schema/schema.h"

#include <xxhash.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

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

Xapian::docid PriorOrder::append(double prior) {
  Xapian::docid next = end + 1;
  if (covered == end) {  // the steps still cover every docid so far
    if (!steps.empty() && steps.back().prior == prior) {
      covered = next;
    } else if (steps.size() < kMaxPriorSteps) {
      steps.push_back({next, prior});
      covered = next;
    }
  }
  floor = prior;
  return end = next;
}

namespace {

std::string encode_steps(const std::vector<PriorStep>& steps) {
  std::string out;
  out.reserve(steps.size() * 12);
  auto put = [&out](std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  };
  for (const auto& step : steps) {
    put(step.first, 4);
    put(std::bit_cast<std::uint64_t>(step.prior), 8);
  }
  return out;
}

// The steps, or nullopt when they are malformed or do not start at docid
// start + 1 and rise in docid and fall in prior up to `covered`.
std::optional<std::vector<PriorStep>> decode_steps(std::string_view bytes, Xapian::docid start,
                                                   Xapian::docid covered) {
  if (bytes.size() % 12 != 0) return std::nullopt;
  auto get = [&bytes](std::size_t at, int n) {
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
    return v;
  };
  std::vector<PriorStep> steps;
  steps.reserve(bytes.size() / 12);
  for (std::size_t at = 0; at < bytes.size(); at += 12) {
    PriorStep step{static_cast<Xapian::docid>(get(at, 4)), std::bit_cast<double>(get(at + 4, 8))};
    bool first = steps.empty();
    if (first ? step.first != start + 1
              : step.first <= steps.back().first || !(step.prior < steps.back().prior)) {
      return std::nullopt;
    }
    if (step.first > covered || !std::isfinite(step.prior)) return std::nullopt;
    steps.push_back(step);
  }
  if (covered > start && steps.empty()) return std::nullopt;
  return steps;
}

// The order's record (news:order) alone: `covered` as claimed, no steps.
std::optional<PriorOrder> read_order_record(const Xapian::Database& db) {
  auto stored = nlohmann::json::parse(db.get_metadata(std::string(kMetaOrder)), nullptr, false);
  if (!stored.is_object()) return std::nullopt;
  auto last = stored.find("last"), end = stored.find("end"), floor = stored.find("floor");
  if (last == stored.end() || !last->is_number_unsigned() ||
      last->get<std::uint64_t>() != db.get_lastdocid() || end == stored.end() ||
      !end->is_number_unsigned()) {
    return std::nullopt;
  }
  PriorOrder order;
  if (auto start = stored.find("start"); start != stored.end()) {
    if (!start->is_number_unsigned()) return std::nullopt;
    order.start = order.covered = start->get<Xapian::docid>();
  }
  order.end = end->get<Xapian::docid>();
  if (order.end < order.start) return std::nullopt;
  if (order.end > 0) {
    if (floor == stored.end() || !floor->is_number()) return std::nullopt;
    order.floor = floor->get<double>();
  }
  auto covered = stored.find("covered");
  if (covered != stored.end() && covered->is_number_unsigned() &&
      covered->get<std::uint64_t>() <= order.end && covered->get<std::uint64_t>() >= order.start) {
    order.covered = covered->get<Xapian::docid>();
  }
  return order;
}

}  // namespace

std::optional<PriorOrder> read_prior_order(const Xapian::Database& db) {
  auto order = read_order_record(db);
  if (!order || order->covered == order->start) return order;
  // Steps that do not add up leave the prior to be read from kPrior.
  auto steps =
      decode_steps(db.get_metadata(std::string(kMetaPriorSteps)), order->start, order->covered);
  if (steps) {
    order->steps = std::move(*steps);
  } else {
    order->covered = order->start;
  }
  return order;
}

bool in_prior_order(const Xapian::Database& db) { return read_order_record(db).has_value(); }

void write_prior_order(Xapian::WritableDatabase& db, const std::optional<PriorOrder>& order) {
  std::string value, steps;  // empty: the keys are removed
  if (order) {
    nlohmann::json stored = {
        {"end", order->end}, {"covered", order->covered}, {"last", db.get_lastdocid()}};
    if (order->end > 0) stored["floor"] = order->floor;
    if (order->start > 0) stored["start"] = order->start;
    value = stored.dump();
    steps = encode_steps(order->steps);
  }
  db.set_metadata(std::string(kMetaOrder), value);
  db.set_metadata(std::string(kMetaPriorSteps), steps);
}

std::optional<PriorOrder> join_prior_orders(const std::optional<PriorOrder>& high,
                                            const std::optional<PriorOrder>& low) {
  if (!high || !low || high->start != 0) return std::nullopt;
  PriorOrder joined = *high;
  if (low->end == low->start) return joined;  // nothing placed in the low part
  joined.end = low->end;
  joined.floor = low->floor;
  // The docids between the parts are unused, so the steps go on across them.
  if (high->covered < high->end || low->covered == low->start) return joined;
  for (PriorStep step : low->steps) {
    if (joined.steps.empty()) {
      step.first = 1;  // the high part placed nothing
    } else if (joined.steps.back().prior == step.prior) {
      continue;
    } else if (joined.steps.size() == kMaxPriorSteps) {
      joined.covered = step.first - 1;
      return joined;
    }
    joined.steps.push_back(step);
  }
  joined.covered = low->covered;
  return joined;
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
