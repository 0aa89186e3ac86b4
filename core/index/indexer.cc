// The batch run: index_paths() composes the scanner, the build plan, the
// pipeline and one writer per database (docs/design.md, "Indexing: the pipeline and the writer").
#include "index/indexer.h"

#include <xapian.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/error.h"
#include "index/build_plan.h"
#include "index/parts_merge.h"
#include "index/pipeline.h"
#include "index/scanner.h"
#include "index/snapshot.h"
#include "index/story_keys.h"
#include "index/worker_threads.h"
#include "index/writer_thread.h"
#include "prior/placement.h"
#include "schema/schema.h"
#include "store/database_check.h"
#include "store/db_folder.h"
#include "store/shards.h"

namespace fs = std::filesystem;

namespace news {

void IndexObserver::rejected(const std::string&, const std::string&) {}
void IndexObserver::skipped(const std::string&, const std::string&) {}
void IndexObserver::warning(const std::string&, const std::string&) {}
void IndexObserver::progress(const IndexStats&, std::size_t) {}
void IndexObserver::waiting_for_lock(const std::string&) {}

namespace {

// One run: scans the paths, has the pipeline turn files into documents, and
// hands each, in the order the files were found, to the writer of its
// database; then finishes the writers (and merges a split build's parts).
class IndexRun {
 public:
  IndexRun(const IndexOptions& options, IndexObserver& observer)
      : options_(options), observer_(observer), layout_(decide_layout(options)) {
    open_writers();
    check_schema_versions();
  }

  IndexStats index(const std::vector<std::string>& paths) {
    IndexedInDatabases indexed(databases());
    Scanner scanner(options_, stored_roots(database(0).get_metadata(kRootsKey)), indexed, observer_,
                    stats_);
    std::vector<InputFile> files = scanner.scan(paths);
    for (auto& file : files) file.shard = shard_of(file.id, layout_.shards);
    const std::size_t total = stats_.seen + files.size();  // the scan counted the rest as seen
    const bool new_database = committed_documents() == 0;
    if (new_database) plan_new_build(files);
    write_files(files, scanner.roots(), total, new_database);
    // A stopped run has not seen every file, so it cannot tell vanished
    // files from files not yet taken: it prunes nothing.
    const bool complete = !stop_requested();
    finish_writers(scanner, complete);
    stats_.shards = layout_.shards;
    if (!complete) {
      stats_.interrupted = options_.stop->load();
      stats_.parts_kept = !parts_.empty();  // settle_parts merges them on the next run
      return stats_;
    }
    if (!parts_.empty()) merge_split_build();
    observer_.progress(stats_, total);
    return stats_;
  }

  // Stops every writer without committing more.
  void abandon() noexcept {
    for (auto& writer : writers_) writer->abandon();
  }

 private:
  unsigned threads() const {
    return options_.threads ? options_.threads : std::max(1u, std::thread::hardware_concurrency());
  }
  bool stop_requested() const { return options_.stop && options_.stop->load() != 0; }
  Xapian::WritableDatabase& database(std::size_t i) { return writers_[i]->database(); }
  std::vector<const Xapian::Database*> databases() {
    std::vector<const Xapian::Database*> dbs;
    for (auto& writer : writers_) dbs.push_back(&writer->database());
    return dbs;
  }
  Xapian::doccount committed_documents() {
    Xapian::doccount committed = 0;
    for (auto& writer : writers_) committed += writer->database().get_doccount();
    return committed;
  }

  // Opens a writer per database of the layout. A new sharded database's
  // folder is marked as being created until its stub names every shard, so a
  // creation cut short is cleared by the next run instead of built beside
  // (db_folder.h).
  void open_writers() {
    const bool new_shards =
        layout_.shards > 1 && examine_db_folder(options_.db_path) != DbFolderState::kDatabase;
    if (new_shards && begin_db_creation(options_.db_path)) {
      observer_.warning(options_.db_path,
                        "its creation was interrupted before a first commit: created anew");
    }
    for (const auto& path : layout_.paths) {
      writers_.push_back(std::make_unique<WriterThread>(path, options_, observer_));
    }
    // Written once every shard exists, so the stub never names a missing one.
    if (new_shards) {
      write_stub(options_.db_path, layout_.shards);
      end_db_creation(options_.db_path);
    }
  }

  // Refuses another program's database; one of an older schema is rebuilt.
  void check_schema_versions() {
    std::string old_version;
    for (auto& writer : writers_) {
      Xapian::WritableDatabase& db = writer->database();
      std::string version = db.get_metadata(std::string(schema::kMetaSchemaVersion));
      if (db.get_doccount() > 0 && version.empty() && db.get_metadata(kCheckpointKey).empty()) {
        // Another program's database (omindex, scriptindex): never written into.
        throw Error(Error::Kind::kDatabase,
                    "database " + writer->path() + " was not written by news-index (it has " +
                        std::to_string(db.get_doccount()) +
                        " documents and no news:schema metadata): news-index writes only its "
                        "own databases; give another --db");
      }
      if (db.get_doccount() > 0 && version != schema::kSchemaVersion) {
        rebuild_ = true;
        old_version = version;
      }
    }
    if (rebuild_) {
      observer_.warning(options_.db_path, "was built with schema version " +
                                              (old_version.empty() ? "?" : old_version) +
                                              ", this is " + std::string(schema::kSchemaVersion) +
                                              ": every file is indexed again");
    }
  }

  // A new database is built in prior order, and a large one in two parts.
  void plan_new_build(std::vector<InputFile>& files) {
    std::uintmax_t input_bytes = order_by_peeked_prior(files, threads(), options_.stop);
    if (wants_split_build(files.size(), layout_.shards, rebuild_, threads(), options_.split_from) &&
        split_fits_on_disk(options_.db_path, input_bytes, observer_)) {
      begin_split_build(files);
    }
  }

  // The parts are folders in parts_path(), one writer each; meanwhile the
  // database at the path stays empty and locked (locked_empty_database_).
  void begin_split_build(std::vector<InputFile>& files) {
    std::optional<prior::PartPlan> low_part = plan_low_part(files);
    if (!low_part) return;
    fs::path parts = parts_path(options_.db_path);
    std::error_code ec;
    if (fs::exists(fs::symlink_status(parts, ec))) {
      // Not ours (settle_parts removed any of ours): never touched.
      observer_.warning(parts.string(),
                        "exists and was not made by news-index: the database is built in one go");
      return;
    }
    create_parts_folder(parts, options_.db_path);
    locked_empty_database_ = database(0);  // a handle: the database stays open and locked
    writers_.clear();
    for (const char* name : {"0", "1"}) {
      writers_.push_back(
          std::make_unique<WriterThread>((parts / name).string(), options_, observer_));
    }
    writers_[1]->writer().plan_part(*low_part);
    interleave_parts(files, *low_part);
    parts_ = parts;
    router_ = ChangeRouter(low_part);
  }

  // Starts the writers and the pipeline, and applies every outcome in turn.
  void write_files(const std::vector<InputFile>& files, const std::vector<fs::path>& roots,
                   std::size_t total, bool new_database) {
    for (auto& writer : writers_) kept_.emplace_back(writer->database().get_lastdocid() + 1, false);
    if (!new_database) {
      Xapian::Database committed;
      for (const auto& path : layout_.paths) committed.add_database(open_local(path));
      story_keys_ = StoryKeys(committed);
    }
    nlohmann::json stored_roots = nlohmann::json::array();
    for (const auto& root : roots) stored_roots.push_back(root.string());
    Snapshot snapshot(databases(), roots.size() > 1 ? roots : std::vector<fs::path>{});
    for (auto& writer : writers_) writer->start(rebuild_, stored_roots.dump());
    // A re-run reads every file and parses only the changed ones, so it
    // keeps more reads in flight (as the peek at a new build's priors does).
    Pipeline pipeline(files, snapshot, rebuild_, threads(),
                      new_database ? threads() : kDiskThreads);
    for (std::size_t i = 0; i < files.size() && !stop_requested(); ++i) {
      apply(files[i], pipeline.take(i));
      if (stats_.seen % 64 == 0) observer_.progress(stats_, total);
    }
  }

  // Counts one file's outcome and hands an indexed document to its writer.
  void apply(const InputFile& file, Outcome out) {
    ++stats_.seen;
    if (out.kind != Outcome::Kind::kIndexed) {
      count(file, out);
      return;
    }
    for (const auto& warning : out.warnings) observer_.warning(file.path, warning);
    story_keys_.adopt(out.document, out.url_term, file.id);
    if (out.old_docid) keep(file.shard, *out.old_docid);
    Change change;
    change.old_docid = out.old_docid;
    change.document = std::move(out.document);
    change.words = std::move(out.words);
    ChangeRouter::Route route = router_.route(file, prior::prior_of(change.document));
    change.to_tail = route.to_tail;
    if (!writers_[route.database]->push(std::move(change))) {
      // That writer failed: stop the others, then report its error.
      for (auto& writer : writers_) writer->stop();
      rethrow_failure();
    }
    ++stats_.indexed;
  }

  // A file that gives no new document.
  void count(const InputFile& file, const Outcome& out) {
    switch (out.kind) {
      case Outcome::Kind::kUnchanged:
        ++stats_.unchanged;
        keep(file.shard, *out.old_docid);
        return;
      case Outcome::Kind::kNotADocument:
        // A previously indexed version is pruned: the file is no longer news.
        ++stats_.skipped;
        observer_.skipped(file.path, out.reason);
        return;
      case Outcome::Kind::kVanished:
        // Deleted since the walk: its document is pruned with the vanished files'.
        ++stats_.vanished;
        observer_.skipped(file.path, "gone before it was read");
        return;
      case Outcome::Kind::kRejected:
        // A rejected file keeps its last good version, if any, until it is fixed.
        ++stats_.rejected;
        observer_.rejected(file.path, out.reason);
        if (out.old_docid) keep(file.shard, *out.old_docid);
        return;
      case Outcome::Kind::kIndexed:
        return;
    }
  }

  void keep(unsigned shard, Xapian::docid docid) {
    auto& kept = kept_[shard];
    if (docid < kept.size()) kept[docid] = true;
  }

  // Tells every writer to finish (pruning only after a complete run) and
  // waits for their final commits.
  void finish_writers(const Scanner& scanner, bool complete) {
    std::vector<PruneScope> scopes = complete ? scanner.prunable() : std::vector<PruneScope>{};
    for (std::size_t s = 0; s < writers_.size(); ++s) {
      Finish finish;
      finish.complete = complete;
      finish.scopes = scopes;
      finish.kept = std::move(kept_[s]);
      finish.unreadable = scanner.unreadable();
      writers_[s]->finish(std::move(finish));
    }
    rethrow_failure();
    for (auto& writer : writers_) {
      stats_.removed += writer->writer().removed();
      stats_.commits += writer->writer().commits();
    }
  }

  // Merges the parts into the database at the path, which stays locked meanwhile.
  void merge_split_build() {
    writers_.clear();  // closes the parts
    merge_parts(options_.db_path, parts_);
    locked_empty_database_.close();
    remove_parts(parts_, observer_);
    ++stats_.commits;
  }

  // Joins every writer (each must have been told to finish, or have failed)
  // and throws the first failure as an Error naming its database; the other
  // writers are stopped without committing more.
  void rethrow_failure() {
    for (auto& writer : writers_) {
      if (std::exception_ptr error = writer->join()) {
        std::string where = writer->path();
        abandon();
        try {
          std::rethrow_exception(error);
        } catch (const Xapian::Error& e) {
          throw Error(Error::Kind::kDatabase, "database " + where + ": " + e.get_description() +
                                                  " (the last committed state is intact)");
        } catch (const std::exception& e) {
          throw Error(Error::Kind::kDatabase, "database " + where + ": " + e.what() +
                                                  " (the last committed state is intact)");
        }
      }
    }
  }

  const IndexOptions& options_;
  IndexObserver& observer_;
  Layout layout_;
  std::vector<std::unique_ptr<WriterThread>> writers_;
  IndexStats stats_;
  std::vector<std::vector<bool>> kept_;  // by database and docid: documents the run keeps
  StoryKeys story_keys_;
  ChangeRouter router_;
  bool rebuild_ = false;  // the database has an older schema: ignore stored hashes
  // A split build (begin_split_build): the parts' folder, and the database at
  // the path, empty and locked until the merge.
  fs::path parts_;
  Xapian::WritableDatabase locked_empty_database_;
};

}  // namespace

IndexStats index_paths(const std::vector<std::string>& paths, const IndexOptions& options,
                       IndexObserver& observer) {
  if (options.db_path.empty()) {
    throw Error(Error::Kind::kConfig,
                "the database path is empty (--db '' or an empty db in the configuration file)");
  }
  for (const auto& path : paths) {
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(path, ec))) {
      throw Error(Error::Kind::kNoSuchPath, path + ": no such file or folder");
    }
  }
  // Xapian's errors while the database is opened (settle_parts, IndexRun's
  // constructor) are reported as those of a run.
  try {
    settle_parts(options, observer);
    IndexRun run(options, observer);
    try {
      return run.index(paths);
    } catch (...) {
      run.abandon();
      throw;
    }
  } catch (const Xapian::DatabaseCorruptError& e) {
    throw Error(Error::Kind::kDatabase,
                "database " + options.db_path + ": " + describe_database_error(e, options.db_path));
  } catch (const Xapian::Error& e) {
    throw Error(Error::Kind::kDatabase, "database " + options.db_path + ": " + e.get_description() +
                                            " (the last committed state is intact)");
  }
}

}  // namespace news
