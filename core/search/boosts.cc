#include "search/boosts.h"

#include <date/date.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include "schema/schema.h"

namespace news {
namespace {

Xapian::Query value_source(Xapian::valueno slot) {
  return Xapian::Query((new Xapian::ValueWeightPostingSource(slot))->release());
}

Xapian::Query scaled(const Xapian::Query& q, double weight) {
  return Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q, weight);
}

date::sys_days parse_day(const std::string& yyyymmdd) {
  return date::sys_days(
      date::year_month_day(date::year(std::stoi(yyyymmdd.substr(0, 4))),
                           date::month(unsigned(std::stoi(yyyymmdd.substr(4, 2)))),
                           date::day(unsigned(std::stoi(yyyymmdd.substr(6, 2))))));
}

}  // namespace

Boosts::Boosts(const Xapian::Database& db, const SearchRequest& request,
               std::unique_ptr<Xapian::PostingSource> prior)
    : weights_(request.weights), prior_(std::move(prior)) {
  if (!request.half_life_days || weights_.freshness <= 0) return;
  // Every publication day the database holds gets its decayed weight; the
  // map travels with the query (ValueMapPostingSource is serialisable).
  std::string lowest = db.get_value_lower_bound(schema::kDay);
  std::string highest = db.get_value_upper_bound(schema::kDay);
  if (lowest.size() != 8 || highest.size() != 8) return;
  date::sys_days first = parse_day(lowest), last = parse_day(highest);
  date::sys_days today =
      date::floor<date::days>(date::sys_seconds(std::chrono::seconds(request.now)));
  freshness_ = std::make_unique<Xapian::ValueMapPostingSource>(schema::kDay);
  for (date::sys_days day = first; day <= last; day += date::days(1)) {
    double age = std::max(0.0, double((today - day).count()));
    double decay = std::exp2(-age / *request.half_life_days);
    std::string key = date::format("%Y%m%d", day);
    freshness_->add_mapping(key, decay);
    decay_[key] = decay;
  }
  freshness_->set_default_weight(0);
}

Xapian::Query Boosts::query() {
  std::vector<Xapian::Query> boosts;
  if (weights_.quality == schema::kQualityWeight && weights_.heat == schema::kHeatWeight) {
    // The default blend is stored whole: one source reads it.
    boosts.emplace_back(prior_.release()->release());
  } else {
    if (weights_.quality > 0)
      boosts.push_back(scaled(value_source(schema::kQualityRank), weights_.quality));
    if (weights_.heat > 0) boosts.push_back(scaled(value_source(schema::kHeatRank), weights_.heat));
  }
  if (freshness_)
    boosts.push_back(scaled(Xapian::Query(freshness_.release()->release()), weights_.freshness));
  if (boosts.empty()) return Xapian::Query();
  return Xapian::Query(Xapian::Query::OP_OR, boosts.begin(), boosts.end());
}

ScoreParts Boosts::explain(const Xapian::Document& doc, double score) const {
  ScoreParts parts;
  auto shaped = [&](Xapian::valueno slot) {
    std::string v = doc.get_value(slot);
    return v.empty() ? 0.0 : Xapian::sortable_unserialise(v);
  };
  if (weights_.quality > 0) parts.quality = weights_.quality * shaped(schema::kQualityRank);
  if (weights_.heat > 0) parts.heat = weights_.heat * shaped(schema::kHeatRank);
  if (!decay_.empty()) {
    auto it = decay_.find(doc.get_value(schema::kDay));
    if (it != decay_.end()) parts.freshness = weights_.freshness * it->second;
  }
  parts.relevance = std::max(0.0, score - parts.quality - parts.heat - parts.freshness);
  return parts;
}

}  // namespace news
