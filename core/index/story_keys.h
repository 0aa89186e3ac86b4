// Story keys: the copies of one story share one collapse key.
//
// Contract: a story published twice under one url, with different titles, is
// one story. adopt() gives a new document the collapse key (and story term)
// of the first copy this run indexed, else of a copy already committed in the
// database (any shard), else lets it keep its own. docs/design.md, "Indexing: the pipeline and the
// writer".
#pragma once

#include <xapian.h>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace news {

class StoryKeys {
 public:
  // `committed`: the databases as committed (read while writers commit:
  // read_retry.h); an empty Database when there is none.
  explicit StoryKeys(Xapian::Database committed = {}) : committed_(std::move(committed)) {}

  // `url_term`: the document's url term (empty: no url, nothing to adopt);
  // `id`: its id, whose own committed version is not another copy.
  void adopt(Xapian::Document& doc, const std::string& url_term, const std::string& id);

 private:
  std::optional<std::string> committed_key(const std::string& url_term, const std::string& id);

  Xapian::Database committed_;
  std::unordered_map<std::uint64_t, std::string> keys_;  // url term's hash -> collapse key
};

}  // namespace news
