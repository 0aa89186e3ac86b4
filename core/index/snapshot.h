// The snapshot: what the databases held when a run started.
//
// Contract: for each database of the run (the one database, or its shards or
// parts), which id term is which docid, the content hash of each document's
// file, and, for the roots a file's id may collide across, which root each
// document was indexed from. Built once before the workers start, from value
// streams and posting lists (which read sequentially), and only read while
// they run, so it needs no lock.
#pragma once

#include <xapian.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace news {

// XXH3-128 of a file's bytes, canonical (big-endian): the kContentHash value.
using Hash = std::array<unsigned char, 16>;
Hash content_hash(std::string_view bytes);
std::string_view as_bytes(const Hash& hash);

class Snapshot {
 public:
  // `roots`: the roots a file's id may collide across (empty: one root, no
  // collisions possible).
  Snapshot(const std::vector<const Xapian::Database*>& databases,
           std::vector<std::filesystem::path> roots);

  std::size_t databases() const { return shards_.size(); }
  // The docid of the document with this id term in database `shard`.
  std::optional<Xapian::docid> docid(unsigned shard, const std::string& id_term) const;
  // The content hash stored with that document.
  std::optional<Hash> hash(unsigned shard, Xapian::docid docid) const;
  // The root (of `roots`) whose folder the document was indexed from, if it
  // is one of them; owner_term: that root's term.
  const std::filesystem::path* owner(unsigned shard, Xapian::docid docid) const;
  const std::string* owner_term(unsigned shard, Xapian::docid docid) const;

 private:
  struct Shard {
    std::unordered_map<std::string, Xapian::docid> docids;  // id term -> docid
    // (docid, hash) in docid order: docids are sparse (schema.h, prior order).
    std::vector<std::pair<Xapian::docid, Hash>> hashes;
    // (docid, index in roots) in docid order, for the documents of those roots.
    std::vector<std::pair<Xapian::docid, std::uint32_t>> owners;
  };
  std::vector<Shard> shards_;
  std::vector<std::filesystem::path> roots_;
  std::vector<std::string> root_terms_;
};

}  // namespace news
