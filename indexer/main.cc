// news-index: index folders of news-metadata files into a Xapian database.
// A thin front-end: options in, core::index_paths, a summary and an exit status out.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <sstream>

#include "base/config.h"
#include "base/error.h"
#include "base/paths.h"
#include "base/text.h"
#include "index/indexer.h"
#include "render/format.h"
#include "store/shards.h"

#ifdef NEWS_WITH_JEMALLOC
// jemalloc's settings for news-index, read at start-up (MALLOC_CONF in the
// environment still overrides them). A build's threads free Xapian's
// in-memory postings every few thousand documents and allocate them again,
// so freed pages are kept for 30 s instead of 10 before they go back, and the
// heap is backed by transparent huge pages: far fewer page faults
// (docs/design.md, "Build and link choices").
extern "C" {
const char* malloc_conf = "thp:always,metadata_thp:always,dirty_decay_ms:30000";
}

#include <jemalloc/jemalloc.h>

namespace {

// jemalloc creates its arenas (four per core) as threads first allocate, and
// when memory is short at that moment, jemalloc 5.3 goes on with the arena
// it could not create and the process dies of SIGSEGV (a thread starting
// under ulimit -v). So every arena is created here, before any thread
// starts; false if one cannot be (memory is too short to run at all).
bool create_arenas() {
  unsigned arenas = 0, own = 0;
  std::size_t size = sizeof arenas;
  if (mallctl("arenas.narenas", &arenas, &size, nullptr, 0) != 0) return true;
  size = sizeof own;
  if (mallctl("thread.arena", &own, &size, nullptr, 0) != 0) return false;
  bool created = true;
  for (unsigned i = 0; i < arenas && created; ++i) {
    created = mallctl("thread.arena", nullptr, nullptr, &i, sizeof i) == 0;
  }
  mallctl("thread.arena", nullptr, nullptr, &own, sizeof own);
  return created;
}

}  // namespace
#endif

namespace {

// Exit statuses (documented in --help and the README, "news-index").
enum Exit : int {
  kOk = 0,            // every news file indexed (or unchanged)
  kSomeRejected = 1,  // some files were rejected or could not be read; the rest were indexed
  kUsage = 2,         // bad command line
  kFatal = 3,         // no such path, database cannot be opened or written
  kLocked = 4,        // another indexer holds the database
  kOutput = 5,        // the summary could not be written (standard output failed)
  // 128 + the signal's number (130 SIGINT, 143 SIGTERM, 129 SIGHUP): stopped
  // by that signal after committing what was done.
  kStoppedBySignal = 128,
};

// Set by the first SIGINT, SIGTERM or SIGHUP to its number; index_paths polls
// it (IndexOptions::stop). A second such signal ends the process at once, as
// a kill does (the database keeps its last commit).
std::atomic<int> stop_signal{0};

extern "C" void on_stop_signal(int signal) {
  int none = 0;
  if (!stop_signal.compare_exchange_strong(none, signal)) {
    // A second signal of another kind (SIGINT after SIGTERM): it too stops
    // the process at once.
    ::signal(signal, SIG_DFL);
    ::raise(signal);
  }
}

void handle_stop_signals() {
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART | SA_RESETHAND;
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(signal, &action, nullptr);
}

std::string signal_name(int signal) {
  switch (signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "signal " + std::to_string(signal);
  }
}

constexpr const char* kExitHelp = R"(
WHAT IS A DOCUMENT
  Every regular file whose text opens with a '---' line (after an optional
  UTF-8 byte-order mark), whatever its extension. Hidden files and folders are
  passed over, and so are the folders of Xapian databases (this run's own, and
  any holding an 'iamglass' file). A document's id is its path relative to
  the folder given (or to an enclosing folder indexed before), so re-runs
  replace, never duplicate. Two files of different folders with one relative
  path cannot share an id: the first keeps it, the other is rejected, naming
  both (index the folder that holds both to give each its own).

RE-RUNS AND CRASHES
  Unchanged files (same bytes) are skipped; vanished ones are removed unless
  --no-prune. A folder or file that cannot be read (permissions, an I/O
  error, moved during the run) is named and its documents are kept. A folder given that now holds no files at all keeps its documents
  (an unmounted disk looks the same) unless --prune-empty. Changes are
  committed every --batch-size documents: a killed run keeps what it
  committed, and the next run does the rest.

SUMMARY
  N files seen: every file or other entry found that is not a folder, each
  counted once as indexed, unchanged, skipped (not news documents: no '---'
  line at the top, not a regular file, a symlink not followed), rejected, or
  gone before it was read (deleted during the run; its document is removed).
  Then the documents removed, and the folders or entries that could not be
  read, if any.

A LARGE FIRST BUILD
  A new database of --split-from files or more (not sharded, two threads or
  more) is built in two parts side by side, in the folder DB.parts beside
  it, and merged at the end into one compacted database, the same as one
  built in one go but smaller and faster to search. Meanwhile the database
  is empty to searches (news-search says why). A run that finds the parts
  of a build that was cut short merges what they committed and goes on
  from there. A disk with too little room for the parts and the merge (five
  times the files' bytes) gets a build in one go, and a DB.parts folder
  that news-index did not make is never used or removed.

DATABASE FOLDERS
  A new database is created only in a new or empty folder; a folder holding
  other things, or a database of another program, is refused untouched.

SHARDS
  --shards N splits a new database into N shards by a stable hash of each
  document's id: the folder --db holds shard-00 ... and a Xapian stub file
  (XAPIANDB) listing them, so news-search, xapian-delve and quest open the
  folder as one database. The shards are written in parallel, one thread each.
  Re-runs find the shards by themselves and keep every document in its shard;
  the number of shards is fixed when the database is created. Serve shards
  on other hosts with xapian-tcpsrv (see the README, "Scale-out").

EXIT STATUS
  0  all news files were indexed (or were unchanged)
  1  some files were rejected, or folders or files could not be read (each
     named on stderr); the others were indexed
  2  bad command line or configuration file, or --shards against a database
     built with another number of shards
  3  fatal error: no such path; the database cannot be opened or written, or is
     damaged (the message names the file and the xapian-check to run); the
     system refuses a thread; out of memory; too few file descriptors to go on;
     --db names a file, a folder holding other things, or another program's
     database (refused untouched). The database is left at its last commit
  4  the database is locked by another indexer (see --wait)
  5  the summary could not be written to standard output (the database
     was updated)
  129, 130, 143
     stopped by SIGHUP, SIGINT or SIGTERM (128 + the signal's number): the
     changes made so far are committed and nothing is pruned; the next run
     does the rest. A second such signal stops it at once, as a kill does.

EXAMPLES
  news-index seeds/                      index a folder into the default database
  news-index --db /tmp/news.db a/ b.md   index a folder and a file into /tmp/news.db
  news-index --db /srv/news --shards 4 archive/
                                         build a database of four shards
)";

struct Options {
  std::string config;
  std::string db = news::default_database_path();
  std::vector<std::string> paths;
  std::size_t batch_size = news::IndexOptions{}.batch_size;
  unsigned threads = 0;
  unsigned shards = 0;
  std::size_t split_from = news::IndexOptions{}.split_from;
  bool no_prune = false;
  bool prune_empty = false;
  bool wait = false;
  bool follow_symlinks = false;
  bool verbose = false;
  bool quiet = false;
};

CLI::Option* setup(CLI::App& app, Options& opt) {
  app.description(
      "Index news-metadata files (YAML front matter between '---' lines) into a Xapian "
      "database. Folders are walked recursively; re-running updates changed files, skips "
      "unchanged ones and removes vanished ones.");
  app.add_option("PATH", opt.paths, "files and folders to index")->required();
  app.add_option("--config", opt.config,
                 "configuration file (its `db` is the default database; see news-search --help)");
  CLI::Option* db = app.add_option("--db", opt.db,
                                   "database folder (default: the configuration's db, else "
                                   "$NEWS_SEARCH_DB, else $XDG_DATA_HOME/news-search/db)")
                        ->capture_default_str();
  app.add_option("--batch-size", opt.batch_size, "changed documents per commit")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000000}))
      ->capture_default_str();
  app.add_option(
         "--threads", opt.threads,
         "threads reading and parsing files (0: one per core); a new database's first quick "
         "look at its files, which waits on the disk, uses at least 64")
      ->check(CLI::Range(0u, 256u))
      ->capture_default_str();
  app.add_option("--shards", opt.shards,
                 "split a new database into N shards, written in parallel (see SHARDS)")
      ->check(CLI::Range(1u, news::kMaxShards));
  app.add_option("--split-from", opt.split_from,
                 "build a new database of at least N files in two parts and merge them "
                 "(0: never; see A LARGE FIRST BUILD)")
      ->capture_default_str();
  app.add_flag("--no-prune", opt.no_prune, "keep documents whose files have vanished");
  app.add_flag("--prune-empty", opt.prune_empty,
               "also remove the documents of a folder given that now holds no files at all "
               "(refused otherwise: an unmounted disk looks the same)");
  app.add_flag("--wait", opt.wait, "wait for another indexer to finish instead of failing");
  app.add_flag("--follow-symlinks", opt.follow_symlinks,
               "follow symlinks that lead out of the folders given");
  app.add_flag("-v,--verbose", opt.verbose, "also name the files skipped as not news documents");
  app.add_flag("-q,--quiet", opt.quiet, "print only errors");
  app.footer(kExitHelp);
  return db;
}

// Every message goes through escape_text (text.h): file names, the values a
// rejection quotes and the errors of the system and of Xapian may hold escape
// sequences, line breaks or bytes that are not UTF-8.
void say(const std::string& message) {
  std::cerr << "news-index: " << news::escape_text(message) << "\n";
}

// Flushes standard output; false, with a message, when the summary was lost
// (a full disk, an I/O error).
bool stdout_written() {
  std::string error = news::flush_standard_output();
  if (error.empty()) return true;
  say("cannot write the summary to standard output: " + error);
  return false;
}

class Reporter : public news::IndexObserver {
 public:
  explicit Reporter(const Options& opt)
      : opt_(opt), live_(!opt.quiet && isatty(STDERR_FILENO) != 0) {}
  ~Reporter() override { clear_line(); }
  void done() { clear_line(); }

  // On a terminal: files done, rate and time left, redrawn in place at most
  // four times a second. Piped or --quiet: nothing.
  void progress(const news::IndexStats& stats, std::size_t files_total) override {
    if (!live_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_draw_ < std::chrono::milliseconds(250) && stats.seen < files_total) return;
    last_draw_ = now;
    double elapsed = std::chrono::duration<double>(now - start_).count();
    double rate = elapsed > 0 ? double(stats.seen) / elapsed : 0;
    std::string line =
        "news-index: " + std::to_string(stats.seen) + "/" + std::to_string(files_total) + " files";
    if (rate > 0 && elapsed > 1) {
      auto left = static_cast<long>(double(files_total - std::min(stats.seen, files_total)) / rate);
      char text[64];
      std::snprintf(text, sizeof text, " · %.0f files/s · %ld:%02ld left", rate, left / 60,
                    left % 60);
      line += text;
    }
    std::cerr << "\r\x1b[K" << line << std::flush;
    drawn_ = true;
  }
  void rejected(const std::string& file, const std::string& reason) override {
    clear_line();
    say(file + ": rejected: " + reason);
  }
  void skipped(const std::string& file, const std::string& reason) override {
    if (opt_.verbose) {
      clear_line();
      say(file + ": skipped: " + reason);
    }
  }
  void warning(const std::string& file, const std::string& message) override {
    clear_line();
    say(file + ": " + message);
  }
  void waiting_for_lock(const std::string& db) override {
    if (!opt_.quiet) say("waiting for another indexer to release " + db);
  }

 private:
  void clear_line() {
    if (drawn_) std::cerr << "\r\x1b[K" << std::flush;
    drawn_ = false;
  }

  const Options& opt_;
  bool live_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_{};
};

int run(Options opt, const CLI::Option* db_option) {
  try {
    news::Config config = news::load_config(opt.config);
    if (config.db && db_option->count() == 0) opt.db = *config.db;
  } catch (const news::Error& e) {
    say(e.what());
    return kUsage;
  }
  news::IndexOptions options;
  options.db_path = opt.db;
  options.batch_size = opt.batch_size;
  options.threads = opt.threads;
  options.shards = opt.shards;
  options.split_from = opt.split_from;
  options.prune = !opt.no_prune;
  options.prune_empty = opt.prune_empty;
  options.wait_for_lock = opt.wait;
  options.follow_symlinks = opt.follow_symlinks;
  options.stop = &stop_signal;
  Reporter reporter(opt);
  handle_stop_signals();
  try {
    news::IndexStats s = news::index_paths(opt.paths, options, reporter);
    reporter.done();
    if (s.interrupted) {
      say("stopped by " + signal_name(s.interrupted) + " after " + std::to_string(s.seen) +
          " files: their changes are committed, nothing was pruned" +
          (s.parts_kept ? "; the first build's parts are kept in " + news::parts_path(opt.db) +
                              " and the next run merges them (until then the database "
                              "is empty)"
                        : "") +
          "; run news-index again to do the rest");
    } else if (int signal = stop_signal.load()) {
      say(signal_name(signal) + " came as the run was finishing: it finished");
    }
    if (!opt.quiet) {
      // Every file seen is one of indexed, unchanged, skipped, rejected or gone.
      std::cout << "news-index: " << s.seen << " files seen: " << s.indexed << " indexed, "
                << s.unchanged << " unchanged, " << s.skipped << " skipped (not news documents), "
                << s.rejected << " rejected";
      if (s.vanished > 0) std::cout << ", " << s.vanished << " gone before they were read";
      std::cout << "; " << s.removed << " removed";
      if (s.unreadable > 0) {
        std::cout << "; " << s.unreadable << " folders or entries could not be read (their "
                  << "documents are kept)";
      }
      std::cout << "; database " << news::escape_text(opt.db);
      if (s.shards > 1) std::cout << " (" << s.shards << " shards)";
      std::cout << "\n";
    }
    bool written = stdout_written();
    if (s.interrupted) return kStoppedBySignal + s.interrupted;
    if (!written) return kOutput;
    return s.rejected > 0 || s.unreadable > 0 ? kSomeRejected : kOk;
  } catch (const news::Error& e) {
    say(e.what());
    using Kind = news::Error::Kind;
    if (e.kind() == Kind::kInterrupted) return kStoppedBySignal + stop_signal.load();
    return e.kind() == Kind::kLocked ? kLocked : e.kind() == Kind::kConfig ? kUsage : kFatal;
  } catch (const std::bad_alloc&) {
    throw;  // main's message
  } catch (const std::exception& e) {
    // A file-system error the core did not turn into a news::Error: still a
    // message and the documented status, never std::terminate.
    say(e.what());
    return kFatal;
  }
}

}  // namespace

int main(int argc, char** argv) {
#ifdef NEWS_WITH_JEMALLOC
  if (!create_arenas()) {
    std::cerr << "news-index: " << news::kOutOfMemory << "\n";
    return kFatal;
  }
#endif
  CLI::App app{"news-index"};
  Options opt;
  CLI::Option* db_option = setup(app, opt);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11's message quotes what was typed: through escape_text, like every
    // message. Help goes to standard output as it is.
    std::ostringstream error;
    int status = app.exit(e, std::cout, error);
    std::istringstream lines(error.str());
    for (std::string line; std::getline(lines, line);) std::cerr << news::escape_text(line) << "\n";
    return status == 0 ? kOk : kUsage;
  }
  try {
    return run(opt, db_option);
  } catch (const std::bad_alloc&) {
    std::cerr << "news-index: " << news::kOutOfMemory << "; the database is at its last commit\n";
    return kFatal;
  }
}
