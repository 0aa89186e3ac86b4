// The scanner: which files a run indexes, under which ids, and what it may
// prune.
//
// Contract: Scanner::scan() walks the paths given (folders in name order,
// hidden entries and Xapian databases left out) and returns the regular
// files found, in the order found, each with its id (its path relative to
// its root, with '/') and its root's term. A folder's root is the outermost
// indexed root that holds it, or the folder itself; a new root that holds
// indexed ones encloses them (their documents come back under its ids and
// the old ones are pruned). A file named directly is relative to its own
// folder. Everything else met is counted in IndexStats and told to the
// observer: skipped (not a regular file, a symlink not followed), rejected
// (cannot be resolved, an id another root's file holds), unreadable (a folder
// or entry the walk cannot read: its documents are kept). The scan reads no
// file and writes no database; what it needs to know of the database is
// asked through IndexedDocuments. The walk of one folder is walker.h's.
// docs/design.md, "Document ids".
#pragma once

#include <xapian.h>

#include <deque>
#include <filesystem>
#include <string>
#include <vector>

#include "index/indexer.h"
#include "index/input_file.h"
#include "index/prune_scope.h"

namespace news {

// What the scanner asks of the documents already indexed.
class IndexedDocuments {
 public:
  virtual ~IndexedDocuments() = default;
  // Whether any document lies in `scope`.
  virtual bool any_in(const PruneScope& scope) const = 0;
  // The root term of the document indexed under `id`; empty if none.
  virtual std::string root_term_of(const std::string& id) const = 0;
};

// IndexedDocuments answered by the databases a run writes (the one
// database, its shards, shard_of(id) holding an id), as committed or written so far.
class IndexedInDatabases : public IndexedDocuments {
 public:
  explicit IndexedInDatabases(std::vector<const Xapian::Database*> databases)
      : databases_(std::move(databases)) {}
  bool any_in(const PruneScope& scope) const override;
  std::string root_term_of(const std::string& id) const override;

 private:
  std::vector<const Xapian::Database*> databases_;
};

// The reason a file is rejected whose id `holder`, a file of another root, holds.
std::string id_collision(const std::string& id, const std::string& holder);

// The roots a database's documents were indexed from (kRootsKey).
std::vector<std::filesystem::path> stored_roots(const std::string& metadata);

class Scanner {
 public:
  // `indexed_roots`: the roots the database holds documents from.
  Scanner(const IndexOptions& options, std::vector<std::filesystem::path> indexed_roots,
          const IndexedDocuments& indexed, IndexObserver& observer, IndexStats& stats);
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

  // The files under `paths`, one per id: a file named twice under one root
  // is taken once; of two files of different roots with one id, the one
  // whose root holds the id in the database keeps it (else the first) and
  // the other is rejected. Counts what it leaves out as seen.
  std::vector<InputFile> scan(const std::vector<std::string>& paths);

  // The roots after the scan (stored with every commit).
  const std::vector<std::filesystem::path>& roots() const { return roots_; }
  // Every scope the scan may prune (IndexOptions::prune aside: see prunable()).
  const std::vector<PruneScope>& prune_scopes() const { return prune_scopes_; }
  // The scopes a complete run prunes under `options`.
  std::vector<PruneScope> prunable() const;
  // Ids and id prefixes the walk could not read: never pruned.
  const std::vector<std::string>& unreadable() const { return unreadable_; }

 private:
  void scan_path(const std::string& given, std::vector<InputFile>& files);
  std::filesystem::path base_for(const std::filesystem::path& folder, bool walked);
  bool would_prune_any(std::size_t first_scope) const;
  void keep_one_file_per_id(std::vector<InputFile>& files);

  const IndexOptions& options_;
  const IndexedDocuments& indexed_;
  IndexObserver& observer_;
  IndexStats& stats_;
  std::vector<std::filesystem::path> roots_;
  std::deque<std::string> root_terms_;  // the files' root terms (stable addresses)
  std::vector<PruneScope> prune_scopes_;
  std::vector<std::string> unreadable_;
};

}  // namespace news
