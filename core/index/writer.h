// The writer of one database.
//
// Contract: a DatabaseWriter opens one Xapian database for writing (the one
// database, a shard, or a part of a split build; creating it if need be) and
// is the only thing that changes it. Changes (add or replace a file's
// document, remove one) go into a transaction, and every `batch_size`
// changes, or when told, commit() makes them durable together with the
// checkpoint (kCheckpointKey: the document count and the commits so far),
// the roots (kRootsKey), the prior order (placement.h), the schema version
// and the changes to the spelling dictionary. So the database always opens at
// its last commit, and a failure or a kill loses only what came after it.
// The API is meant to be driven directly, for hours if need be (a watch
// mode); the batch run drives it through WriterThread (writer_thread.h),
// which queues changes to a thread of its own. docs/design.md, "Indexing: the pipeline and the
// writer".
#pragma once

#include <xapian.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "index/indexer.h"
#include "index/prune_scope.h"
#include "index/spelling.h"
#include "prior/placement.h"

namespace news {

// Opens (or creates, only where a database may be created: db_folder.h) the
// database at `path` for writing, waiting for its lock if `options` say so.
// Throws Error: kLocked, kInterrupted (stopped while waiting), kDatabase.
// Sets XAPIAN_FLUSH_THRESHOLD unless the user did (writer.cc says why).
Xapian::WritableDatabase open_writable(const std::string& path, const IndexOptions& options,
                                       IndexObserver& observer);

// One change from the batch run: a new document, or a new version of one.
struct Change {
  std::optional<Xapian::docid> old_docid;
  Xapian::Document document;
  std::vector<std::string> words;  // the document's spelling words (WriterThread sums them)
  bool to_tail = false;            // a new document for the tail, whatever its prior
  bool closes_batch = false;       // commit after it, adding the batch's words
  SpellingDelta batch_words;       // closes_batch: the words of every change of the batch
};

// What a batch run asks of a writer once every change is in.
struct Finish {
  bool complete = true;                 // every file was taken (false: the run was stopped)
  std::vector<PruneScope> scopes;       // prune these ...
  std::vector<bool> kept;               // ... except these docids (and any the writer placed
                                        // or past the end of `kept`) ...
  std::vector<std::string> unreadable;  // ... and the ids the walk could not read (is_under)
  SpellingDelta words;                  // the spelling words of the last, unclosed batch
};

class DatabaseWriter {
 public:
  // Opens the database (open_writable); uses `options`' batch_size. What is
  // not committed when the writer is destroyed is dropped.
  DatabaseWriter(std::string path, const IndexOptions& options, IndexObserver& observer);
  DatabaseWriter(const DatabaseWriter&) = delete;
  DatabaseWriter& operator=(const DatabaseWriter&) = delete;

  Xapian::WritableDatabase& database() { return db_; }
  const std::string& path() const { return path_; }
  // Before begin(), for a new database that is a part of one.
  void plan_part(const prior::PartPlan& part) { part_ = part; }
  // Opens the first transaction. `rebuild`: every document is written again,
  // and the schema version is stamped only by a complete finish(); `roots`:
  // the JSON array of roots recorded with every commit.
  void begin(bool rebuild = false, std::string roots = "[]");

  // The docid of the document with this id (schema::kId), if any.
  std::optional<Xapian::docid> find(const std::string& id) const;
  // Adds a file's document, or replaces the document at `old_docid` (a new
  // version of the same file: find() it first; a second document with one id
  // is never looked for); returns its docid, which prior order may move.
  Xapian::docid put(Xapian::Document document, std::optional<Xapian::docid> old_docid = {});
  // Removes the document at `docid`; false if there is none.
  bool remove(Xapian::docid docid);
  // Commits every change so far (and opens the next transaction).
  void commit() { commit(false); }

  // The batch run's change, its words summed by the caller (Change).
  void apply(Change& change);
  // Prunes what `finish` says and makes the final commit.
  void finish(Finish finish);
  // Drops the changes since the last commit and closes the database.
  void close() noexcept;

  std::size_t removed() const { return removed_; }  // by remove() and finish()
  std::size_t commits() const { return commits_; }

 private:
  Xapian::docid write(const std::optional<Xapian::docid>& old_docid,
                      const Xapian::Document& document, bool to_tail);
  void count_change();
  bool kept(Xapian::docid docid) const;
  void prune(const PruneScope& scope);
  void delete_document(Xapian::docid docid);
  void commit(bool final);

  const std::string path_;
  const std::size_t batch_size_;
  Xapian::WritableDatabase db_;
  bool rebuild_ = false;
  std::string roots_ = "[]";
  prior::PartPlan part_;
  prior::DocidPlacement placement_;
  SpellingDelta spelling_;     // this batch, as far as it is applied
  std::size_t unbatched_ = 0;  // changes by put() and remove() since the last commit
  std::size_t removed_ = 0, pruned_ = 0, commits_ = 0;
  Finish finish_;
};

}  // namespace news
