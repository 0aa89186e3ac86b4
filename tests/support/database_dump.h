// A database written out as text, for tests that compare two databases whole.
#pragma once

#include <gtest/gtest.h>
#include <xapian.h>

#include <sstream>
#include <string>

#include "index/indexer.h"
#include "prior/prior_order.h"
#include "schema/schema.h"

namespace news::testing {

// Everything a search or a later run reads from a database, docid by docid.
inline std::string dump_database(const std::string& path) {
  Xapian::Database db(path);
  std::ostringstream out;
  out << "documents " << db.get_doccount() << " last " << db.get_lastdocid() << "\n";
  for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
    Xapian::Document doc = db.get_document(*it);
    out << "docid " << *it << " data " << doc.get_data() << "\n";
    for (auto v = doc.values_begin(); v != doc.values_end(); ++v) out << " v" << v.get_valueno();
    out << "\n";
    for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
      out << " " << *t << ":" << t.get_wdf();
      for (auto p = t.positionlist_begin(); p != t.positionlist_end(); ++p) out << "," << *p;
    }
    out << "\n";
  }
  for (auto w = db.spellings_begin(); w != db.spellings_end(); ++w) {
    out << "spelling " << *w << " " << w.get_termfreq() << "\n";
  }
  auto order = news::prior::read_prior_order(db);
  EXPECT_TRUE(order.has_value()) << path;
  if (order) {
    out << "order end " << order->end << " floor " << order->floor << " covered " << order->covered
        << "\n";
    for (const auto& step : order->steps) out << " step " << step.first << " " << step.prior;
  }
  out << "\nroots " << db.get_metadata(news::kRootsKey) << " schema "
      << db.get_metadata(std::string(news::schema::kMetaSchemaVersion)) << "\n";
  return out.str();
}

}  // namespace news::testing
