// Helpers for the tests of the indexer's parts (core/index/, core/prior/).
#pragma once

#include <xapian.h>

#include <string>
#include <vector>

#include "index/indexer.h"
#include "schema/schema.h"

namespace news::testing {

// A news file's text with this title and quality (and url, if any).
inline std::string news_text(const std::string& title, int quality = 50,
                             const std::string& url = "") {
  return "---\ntitle: \"" + title + "\"\nexcerpt: \"About " + title +
         ".\"\nquality: " + std::to_string(quality) + "\ntopics:\n  - Testing\n" +
         (url.empty() ? "" : "originalUrl: \"" + url + "\"\n") + "---\n";
}

// A document as a writer receives it, made by hand: its id (term and
// value), its root, its prior and plain words.
inline Xapian::Document plain_document(const std::string& id, double prior,
                                       const std::vector<std::string>& words = {},
                                       const std::string& root_term = "XR/news") {
  Xapian::Document doc;
  doc.add_boolean_term(schema::id_term(id));
  doc.add_boolean_term(root_term);
  doc.add_value(schema::kId, id);
  doc.add_value(schema::kPrior, Xapian::sortable_serialise(prior));
  for (const auto& word : words) doc.add_term(word);
  return doc;
}

// Records what the observer is told, one line each.
class RecordingObserver : public IndexObserver {
 public:
  void rejected(const std::string& file, const std::string& reason) override {
    rejected_files.push_back(file + ": " + reason);
  }
  void skipped(const std::string& file, const std::string& reason) override {
    skipped_files.push_back(file + ": " + reason);
  }
  void warning(const std::string& file, const std::string& message) override {
    warnings.push_back(file + ": " + message);
  }
  std::vector<std::string> rejected_files, skipped_files, warnings;
};

}  // namespace news::testing
