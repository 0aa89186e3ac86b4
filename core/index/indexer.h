// Indexing folders of news files into a Xapian database.
//
// Contract: index_paths() walks the given files and folders, parses every file
// that opens with a `---` front matter, and writes one document per file whose
// identity is its path relative to the folder it was found under (a file
// named directly is relative to its own folder). A re-run replaces changed
// documents, leaves unchanged ones (same bytes) alone and, unless told not
// to, removes documents of files that vanished from a folder it walks.
// Files are read, hashed, parsed and turned into Xapian documents by `threads`
// worker threads; the calling thread takes them in the order the files were
// found and hands each to the writer thread of its database: the one
// database, or the shard its id hashes to (shards.h; `shards` splits a new
// database). Each writer applies its documents in that order, so the same
// input always gives the same database.
// A large new database (IndexOptions::split_from) is built in two parts side
// by side, in a folder DB.parts beside it, while the database at the path
// stays empty and locked; at the end the parts are merged into one compacted
// database, the same as one built in one go, which takes its place in one
// step. A run that finds the parts of a build that was cut short merges what
// they committed before it goes on.
// Each database commits every `batch_size` changed documents and at the end;
// each commit records a checkpoint so a killed run loses at most the batch in
// progress and the database (every shard) always opens. index_paths sets
// XAPIAN_FLUSH_THRESHOLD in the process's environment unless it is set
// (writer.cc says why), so it must not run beside threads that read the
// environment.
//
// A file that cannot be indexed is reported to the observer and counted; it
// never stops the run. So is a folder or entry the walk cannot read (too deep
// for the system, unreadable, moved meanwhile): the documents under it are
// kept, never pruned as if its files were gone. A folder given that holds no
// files at all (an unmounted disk looks so) does not lose its documents
// unless IndexOptions::prune_empty says so. Fatal problems (no such path, database locked or not
// writable) throw news::Error before anything is half-written.
#pragma once

#include <atomic>
#include <cstddef>
#include <string>
#include <vector>

namespace news {

struct IndexOptions {
  std::string db_path;
  std::size_t batch_size = 20000;  // changed documents per commit
  bool prune = true;               // remove documents of files that vanished
  // Also when a folder given holds no files at all: every document from it
  // goes. Without it such a folder changes nothing (observer's warning).
  bool prune_empty = false;
  bool follow_symlinks = false;  // follow links that leave the indexed folder
  bool wait_for_lock = false;    // wait for another writer instead of failing
  unsigned threads = 0;          // threads reading and parsing files; 0: one per core
  unsigned shards = 0;           // split a new database into this many (shards.h); 0: as it is
  // A new database of at least this many files (not sharded, with two or
  // more threads) is built in two parts side by side and merged (see below);
  // 0: never.
  std::size_t split_from = 50000;
  // When this becomes non-zero (a signal handler sets it to the signal's
  // number), the run stops taking files, commits what it has applied without
  // pruning, and returns with IndexStats::interrupted set; the next run does
  // the rest. A split first build keeps its committed parts for the next run
  // to merge. Null: never.
  const std::atomic<int>* stop = nullptr;
};

// seen == indexed + unchanged + skipped + rejected + vanished.
struct IndexStats {
  // Everything found that is not a folder: files given, and the regular
  // files, FIFOs, sockets, devices and symlinks that lead to no folder met
  // in the walk.
  std::size_t seen = 0;
  std::size_t indexed = 0;    // documents added or replaced
  std::size_t unchanged = 0;  // files whose bytes match what is indexed
  std::size_t skipped = 0;    // not news documents: no front matter, not regular files, symlinks
                              // not followed
  std::size_t rejected = 0;   // news files that could not be indexed
  std::size_t vanished = 0;   // files deleted between the walk and their reading
  std::size_t removed = 0;    // documents of vanished files deleted
  // Folders and entries the walk could not read (not in seen): their
  // documents are kept.
  std::size_t unreadable = 0;
  std::size_t commits = 0;  // over all shards
  unsigned shards = 1;      // the databases written: 1, or the shards of a sharded one
  int interrupted = 0;      // IndexOptions::stop's value if the run stopped early, else 0
  bool parts_kept = false;  // interrupted during a split first build: its parts await a merge
};

// Receives per-file reports as the run goes; the defaults ignore them.
class IndexObserver {
 public:
  virtual ~IndexObserver() = default;
  virtual void rejected(const std::string& file, const std::string& reason);
  virtual void skipped(const std::string& file, const std::string& reason);
  virtual void warning(const std::string& file, const std::string& message);
  virtual void progress(const IndexStats& stats, std::size_t files_total);
  virtual void waiting_for_lock(const std::string& db_path);
};

IndexStats index_paths(const std::vector<std::string>& paths, const IndexOptions& options,
                       IndexObserver& observer);

// The metadata key of the checkpoint written with every commit: a JSON object
// {"documents": N, "commits": K} where N is the database's (the shard's)
// document count as of that commit.
inline constexpr const char* kCheckpointKey = "news:checkpoint";

// The metadata key of the canonical folders documents were indexed from (ids
// are relative to them), a JSON array of strings.
inline constexpr const char* kRootsKey = "news:roots";

}  // namespace news
