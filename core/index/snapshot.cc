#include "index/snapshot.h"

#include <xxhash.h>

#include <algorithm>
#include <cstring>

#include "schema/schema.h"

namespace fs = std::filesystem;

namespace news {

Hash content_hash(std::string_view bytes) {
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, XXH3_128bits(bytes.data(), bytes.size()));
  Hash hash;
  std::memcpy(hash.data(), canonical.digest, hash.size());
  return hash;
}

std::string_view as_bytes(const Hash& hash) {
  return {reinterpret_cast<const char*>(hash.data()), hash.size()};
}

Snapshot::Snapshot(const std::vector<const Xapian::Database*>& databases,
                   std::vector<fs::path> roots)
    : shards_(databases.size()), roots_(std::move(roots)) {
  for (const auto& root : roots_) root_terms_.push_back(schema::root_term(root.string()));
  for (std::size_t s = 0; s < databases.size(); ++s) {
    const Xapian::Database& db = *databases[s];
    Shard& shard = shards_[s];
    shard.hashes.reserve(db.get_doccount());
    for (auto v = db.valuestream_begin(schema::kContentHash);
         v != db.valuestream_end(schema::kContentHash); ++v) {
      std::string value = *v;
      if (value.size() == sizeof(Hash)) {
        shard.hashes.emplace_back(v.get_docid(), Hash{});
        std::memcpy(shard.hashes.back().second.data(), value.data(), sizeof(Hash));
      }
    }
    shard.docids.reserve(db.get_doccount());
    for (auto v = db.valuestream_begin(schema::kId); v != db.valuestream_end(schema::kId); ++v) {
      shard.docids.emplace(schema::id_term(*v), v.get_docid());
    }
    for (std::uint32_t r = 0; r < root_terms_.size(); ++r) {
      for (auto it = db.postlist_begin(root_terms_[r]); it != db.postlist_end(root_terms_[r]);
           ++it) {
        shard.owners.emplace_back(*it, r);
      }
    }
    std::sort(shard.owners.begin(), shard.owners.end());
  }
}

namespace {

// The entry for `docid` in a list sorted by docid, or null.
template <class Entry>
const Entry* find_docid(const std::vector<Entry>& entries, Xapian::docid docid) {
  auto it = std::lower_bound(entries.begin(), entries.end(), docid,
                             [](const Entry& entry, Xapian::docid d) { return entry.first < d; });
  return it == entries.end() || it->first != docid ? nullptr : &*it;
}

}  // namespace

const fs::path* Snapshot::owner(unsigned shard, Xapian::docid docid) const {
  const auto* entry = find_docid(shards_[shard].owners, docid);
  return entry ? &roots_[entry->second] : nullptr;
}

const std::string* Snapshot::owner_term(unsigned shard, Xapian::docid docid) const {
  const auto* entry = find_docid(shards_[shard].owners, docid);
  return entry ? &root_terms_[entry->second] : nullptr;
}

std::optional<Xapian::docid> Snapshot::docid(unsigned shard, const std::string& id_term) const {
  const auto& docids = shards_[shard].docids;
  auto it = docids.find(id_term);
  return it == docids.end() ? std::nullopt : std::optional<Xapian::docid>(it->second);
}

std::optional<Hash> Snapshot::hash(unsigned shard, Xapian::docid docid) const {
  const auto* entry = find_docid(shards_[shard].hashes, docid);
  return entry ? std::optional<Hash>(entry->second) : std::nullopt;
}

}  // namespace news
