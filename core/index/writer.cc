#include "index/writer.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>

#include "base/error.h"
#include "schema/schema.h"
#include "store/database_check.h"
#include "store/db_folder.h"

namespace fs = std::filesystem;

namespace news {

namespace {

// The folder the database lives in (or would be created in) must be
// writable; Xapian reports a lock file it cannot create as a lock held by
// someone else, which would send --wait waiting forever.
void check_writable(const fs::path& db) {
  std::error_code ec;
  fs::path folder = fs::exists(db, ec) ? db : db.parent_path();
  if (folder.empty()) folder = ".";
  if (::access(folder.c_str(), W_OK) != 0) {
    throw Error(Error::Kind::kDatabase, "cannot write database " + db.string() + ": " +
                                            folder.string() + ": " + std::strerror(errno));
  }
}

// Xapian keeps the postings of the documents added since it last wrote them
// into its tables in memory, and writes them every XAPIAN_FLUSH_THRESHOLD
// documents (10,000 unless set), inside a transaction too. Smaller buffers
// index faster here (docs/design.md, "Indexing: the pipeline and the writer"; figures in
// bench/HISTORY.md). Xapian 1.4 takes the figure only from the environment, read when a database is
// opened for writing; a value the user set is kept.
constexpr const char* kFlushThreshold = "2500";

}  // namespace

Xapian::WritableDatabase open_writable(const std::string& path, const IndexOptions& options,
                                       IndexObserver& observer) {
  ::setenv("XAPIAN_FLUSH_THRESHOLD", kFlushThreshold, /*overwrite=*/0);
  // A new database is created only in a new or empty folder, or over what a
  // creation of ours left (db_folder.h); anything else is refused untouched.
  const bool creating = examine_db_folder(path) != DbFolderState::kDatabase;
  if (creating) {
    if (begin_db_creation(path)) {
      observer.warning(path, "its creation was interrupted before a first commit: created anew");
    }
  }
  check_writable(path);
  check_local_database(path);
  bool told = false;
  while (true) {
    try {
      Xapian::WritableDatabase db(path, Xapian::DB_CREATE_OR_OPEN);
      if (creating) end_db_creation(path);
      return db;
    } catch (const Xapian::DatabaseLockError&) {
      if (!options.wait_for_lock) {
        throw Error(Error::Kind::kLocked, "database " + path + " is locked by another indexer");
      }
      if (options.stop && options.stop->load() != 0) {
        throw Error(Error::Kind::kInterrupted,
                    "stopped while waiting for database " + path + ": nothing was changed");
      }
      if (!told) observer.waiting_for_lock(path);
      told = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    } catch (const Xapian::Error& e) {
      throw Error(Error::Kind::kDatabase,
                  "cannot open database " + path + ": " + describe_database_error(e, path));
    }
  }
}

DatabaseWriter::DatabaseWriter(std::string path, const IndexOptions& options,
                               IndexObserver& observer)
    : path_(std::move(path)),
      batch_size_(std::max<std::size_t>(1, options.batch_size)),
      db_(open_writable(path_, options, observer)) {}

void DatabaseWriter::begin(bool rebuild, std::string roots) {
  rebuild_ = rebuild;
  roots_ = std::move(roots);
  // Every batch is a transaction: if the run fails (a full disk, a kill),
  // nothing of the batch in progress is committed, not even by the
  // database's destructor, so the database is exactly its last commit.
  db_.begin_transaction();
  placement_.begin(db_, rebuild_, part_);
}

std::optional<Xapian::docid> DatabaseWriter::find(const std::string& id) const {
  std::string term = schema::id_term(id);
  Xapian::PostingIterator it = db_.postlist_begin(term);
  if (it == db_.postlist_end(term)) return std::nullopt;
  return *it;
}

Xapian::docid DatabaseWriter::put(Xapian::Document document,
                                  std::optional<Xapian::docid> old_docid) {
  std::vector<std::string> words = spelling_words(document);
  count_words(spelling_, words);
  Xapian::docid docid = write(old_docid, document, false);
  count_change();
  return docid;
}

bool DatabaseWriter::remove(Xapian::docid docid) {
  try {
    delete_document(docid);
  } catch (const Xapian::DocNotFoundError&) {
    return false;
  }
  count_change();
  return true;
}

void DatabaseWriter::count_change() {
  if (++unbatched_ % batch_size_ == 0) commit(false);
}

void DatabaseWriter::apply(Change& change) {
  write(change.old_docid, change.document, change.to_tail);
  if (change.closes_batch) {
    merge_delta(spelling_, change.batch_words);
    commit(false);
  }
}

// Writes a document, new or a new version, where prior order puts it: a new
// version keeps its docid while its place still fits. Returns its docid.
Xapian::docid DatabaseWriter::write(const std::optional<Xapian::docid>& old_docid,
                                    const Xapian::Document& document, bool to_tail) {
  std::optional<Xapian::Document> old;
  if (old_docid) {
    old = db_.get_document(*old_docid);
    for (auto& word : spelling_words(*old)) --spelling_[std::move(word)];
  }
  if (!placement_.in_order()) {
    if (!old_docid) {
      // A new id cannot be in the database already: the caller looked it up
      // (the batch run's snapshot knows every id, and ids are unique in a run).
      return db_.add_document(document);
    }
    db_.replace_document(*old_docid, document);
    return *old_docid;
  }
  double prior = prior::prior_of(document);
  if (old_docid && prior::DocidPlacement::keeps_docid(*old_docid, prior::prior_of(*old), prior)) {
    db_.replace_document(*old_docid, document);
    return *old_docid;
  }
  if (old_docid) db_.delete_document(*old_docid);
  Xapian::docid docid = to_tail ? placement_.place_in_tail() : placement_.place(prior);
  db_.replace_document(docid, document);
  return docid;
}

void DatabaseWriter::delete_document(Xapian::docid docid) {
  Xapian::Document doc = db_.get_document(docid);
  for (auto& word : spelling_words(doc)) --spelling_[std::move(word)];
  db_.delete_document(docid);
  ++removed_;
}

void DatabaseWriter::finish(Finish finish) {
  finish_ = std::move(finish);
  merge_delta(spelling_, finish_.words);
  if (finish_.complete) {
    for (const auto& scope : finish_.scopes) prune(scope);
  }
  commit(/*final=*/true);
}

// Documents this run placed are kept: those past the snapshot's docids,
// and those placed in prior order among them.
bool DatabaseWriter::kept(Xapian::docid docid) const {
  return docid >= finish_.kept.size() || finish_.kept[docid] || placement_.placed(docid);
}

void DatabaseWriter::prune(const PruneScope& scope) {
  std::vector<Xapian::docid> doomed;
  const std::string& term = scope.root_term;
  for (auto it = db_.postlist_begin(term); it != db_.postlist_end(term); ++it) {
    if (kept(*it)) continue;
    // The id itself, not its term: a long id's term is hashed.
    std::string id = db_.get_document(*it).get_value(schema::kId);
    if (!id.starts_with(scope.id_prefix)) continue;
    if (std::any_of(
            finish_.unreadable.begin(), finish_.unreadable.end(),
            [&](const std::string& entry) { return is_under(scope.relocated + id, entry); })) {
      continue;  // its folder could not be read: absent is not vanished
    }
    doomed.push_back(*it);
  }
  for (Xapian::docid docid : doomed) {
    delete_document(docid);
    if (++pruned_ % batch_size_ == 0) commit(false);
  }
}

void DatabaseWriter::commit(bool final) {
  flush_spelling(db_, spelling_);
  ++commits_;
  unbatched_ = 0;
  nlohmann::json checkpoint = {{"documents", db_.get_doccount()}, {"commits", commits_}};
  db_.set_metadata(kCheckpointKey, checkpoint.dump());
  db_.set_metadata(kRootsKey, roots_);
  placement_.record(db_);
  // A rebuild stamps the new version only once every file has been redone,
  // so a rebuild that is killed half-way is resumed as a rebuild.
  if (!rebuild_ || (final && finish_.complete)) {
    db_.set_metadata(std::string(schema::kMetaSchemaVersion), std::string(schema::kSchemaVersion));
  }
  db_.commit_transaction();
  if (!final) db_.begin_transaction();
}

void DatabaseWriter::close() noexcept {
  try {
    db_.cancel_transaction();
  } catch (...) {
  }
  try {
    db_.close();
  } catch (...) {
  }
}

}  // namespace news
