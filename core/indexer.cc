#include "indexer.h"

#include <xapian.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <unordered_set>

#include "document.h"
#include "document_builder.h"
#include "error.h"
#include "schema.h"

namespace fs = std::filesystem;

namespace news {

void IndexObserver::rejected(const std::string&, const std::string&) {}
void IndexObserver::skipped(const std::string&, const std::string&) {}
void IndexObserver::warning(const std::string&, const std::string&) {}
void IndexObserver::progress(const IndexStats&, std::size_t) {}
void IndexObserver::waiting_for_lock(const std::string&) {}

namespace {

// The canonical folders documents were indexed from, a JSON array of strings.
constexpr const char* kRootsKey = "news:roots";

// Files larger than this are not read: a news file is a few KiB.
constexpr std::uintmax_t kMaxFileBytes = 16u << 20;

struct InputFile {
  fs::path path;   // as the user will recognise it (under the given path)
  std::string id;  // path relative to its root, with '/' separators
  std::string root_term;
};

bool is_within(const fs::path& child, const fs::path& root) {
  auto [root_end, child_it] = std::mismatch(root.begin(), root.end(), child.begin(), child.end());
  return root_end == root.end();
}

class Walker {
 public:
  Walker(const IndexOptions& options, IndexObserver& observer, IndexStats& stats)
      : options_(options), observer_(observer), stats_(stats) {}

  // Adds the files under `dir` (a folder the user named) to `out`, with ids
  // relative to `base` (the canonical indexed root: `dir` itself or a folder
  // holding it).
  void walk_root(const fs::path& dir, const fs::path& base, const std::string& root_term,
                 std::vector<InputFile>& out) {
    std::error_code ec;
    root_ = fs::canonical(dir, ec);
    base_ = base;
    visited_.clear();
    visited_.insert(root_);
    walk(dir, dir, root_term, out);
  }

 private:
  void walk(const fs::path& dir, const fs::path& root, const std::string& root_term,
            std::vector<InputFile>& out) {
    std::error_code ec;
    std::vector<fs::directory_entry> entries;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      entries.push_back(*it);
    }
    if (ec) {
      observer_.warning(dir.string(), "cannot read folder: " + ec.message());
      return;
    }
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
      return a.path().filename() < b.path().filename();
    });
    for (const auto& entry : entries) {
      const fs::path& path = entry.path();
      if (path.filename().string().starts_with(".")) continue;  // .git, editors' files
      fs::file_status status = entry.symlink_status(ec);
      if (fs::is_symlink(status)) {
        fs::path target = fs::canonical(path, ec);
        if (ec) {
          ++stats_.skipped;
          observer_.warning(path.string(),
                            "skipped: broken or looping symlink (" + ec.message() + ")");
          continue;
        }
        if (!options_.follow_symlinks && !is_within(target, root_)) {
          ++stats_.skipped;
          observer_.warning(
              path.string(),
              "skipped: symlink leads out of the indexed folder (see --follow-symlinks)");
          continue;
        }
        status = fs::status(target, ec);
        if (fs::is_directory(status)) {
          if (!visited_.insert(target).second) {
            observer_.warning(path.string(), "skipped: symlink loop (folder already walked)");
            continue;
          }
          if (!options_.follow_symlinks && is_within(target, root_)) {
            continue;  // the folder is walked under its own name
          }
        }
      } else if (fs::is_directory(status)) {
        fs::path real = fs::canonical(path, ec);
        if (!ec && !visited_.insert(real).second) continue;
      }
      if (fs::is_directory(status)) {
        walk(path, root, root_term, out);
      } else if (fs::is_regular_file(status)) {
        std::string id =
            (root_ / path.lexically_relative(root)).lexically_relative(base_).generic_string();
        out.push_back({path, std::move(id), root_term});
      } else {
        ++stats_.seen;
        ++stats_.skipped;
        observer_.skipped(path.string(), "not a regular file");
      }
    }
  }

  const IndexOptions& options_;
  IndexObserver& observer_;
  IndexStats& stats_;
  fs::path root_;
  fs::path base_;
  std::set<fs::path> visited_;
};

// Reads a whole file, or explains why it cannot.
bool read_file(const fs::path& path, std::string& bytes, std::string& error) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) {
    error = std::string("cannot read: ") + std::strerror(errno);
    return false;
  }
  bytes.clear();
  char buffer[65536];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) {
    bytes.append(buffer, n);
    if (bytes.size() > kMaxFileBytes) {
      error = "file is larger than " + std::to_string(kMaxFileBytes >> 20) + " MiB";
      return false;
    }
  }
  if (std::ferror(file.get())) {
    error = std::string("cannot read: ") + std::strerror(errno);
    return false;
  }
  return true;
}

std::string content_hash(std::string_view bytes) {
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, XXH3_128bits(bytes.data(), bytes.size()));
  return std::string(reinterpret_cast<const char*>(canonical.digest), sizeof canonical.digest);
}

Xapian::WritableDatabase open_writable(const IndexOptions& options, IndexObserver& observer) {
  std::error_code ec;
  fs::path parent = fs::path(options.db_path).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  bool told = false;
  while (true) {
    try {
      return Xapian::WritableDatabase(options.db_path, Xapian::DB_CREATE_OR_OPEN);
    } catch (const Xapian::DatabaseLockError&) {
      if (!options.wait_for_lock) {
        throw Error(Error::Kind::kLocked,
                    "database " + options.db_path + " is locked by another indexer");
      }
      if (!told) observer.waiting_for_lock(options.db_path);
      told = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    } catch (const Xapian::Error& e) {
      throw Error(Error::Kind::kDatabase,
                  "cannot open database " + options.db_path + ": " + e.get_description());
    }
  }
}

class Run {
 public:
  Run(const IndexOptions& options, IndexObserver& observer)
      : options_(options), observer_(observer), db_(open_writable(options, observer)) {
    std::string version = db_.get_metadata(std::string(schema::kMetaSchemaVersion));
    rebuild_ = db_.get_doccount() > 0 && version != schema::kSchemaVersion;
    if (rebuild_) {
      observer_.warning(options_.db_path, "was built with schema version " +
                                              (version.empty() ? "?" : version) + ", this is " +
                                              std::string(schema::kSchemaVersion) +
                                              ": every file is indexed again");
    }
  }

  IndexStats go(const std::vector<std::string>& paths) {
    std::vector<InputFile> files;
    Walker walker(options_, observer_, stats_);
    roots_ = load_roots();
    for (const auto& given : paths) {
      fs::path path(given);
      std::error_code ec;
      fs::path canonical = fs::canonical(path, ec);
      bool folder = fs::is_directory(canonical, ec);
      fs::path base = base_for(folder ? canonical : canonical.parent_path());
      std::string term = schema::root_term(base.string());
      if (folder) {
        // Prune the walked folder only: all of its root, or the ids under it.
        std::string sub = canonical.lexically_relative(base).generic_string();
        prune_scopes_.push_back({term, sub == "." ? "" : sub + "/", false});
        walker.walk_root(path, base, term, files);
      } else {
        files.push_back({path, canonical.lexically_relative(base).generic_string(), term});
      }
    }
    for (const auto& file : files) {
      index_file(file);
      if (stats_.seen % 64 == 0) observer_.progress(stats_, files.size());
    }
    for (const auto& scope : prune_scopes_) {
      if (options_.prune || scope.absorbed) prune(scope);
    }
    commit(/*final=*/true);
    observer_.progress(stats_, files.size());
    return stats_;
  }

 private:
  void index_file(const InputFile& file) {
    ++stats_.seen;
    std::string name = file.path.string();
    std::string bytes, error;
    std::string id_term = schema::id_term(file.id);
    Xapian::PostingIterator existing = db_.postlist_begin(id_term);
    std::optional<Xapian::docid> old_docid;
    if (existing != db_.postlist_end(id_term)) old_docid = *existing;

    if (!read_file(file.path, bytes, error)) {
      reject(name, error, old_docid);
      return;
    }
    std::string hash = content_hash(bytes);
    if (old_docid && !rebuild_ &&
        db_.get_document(*old_docid).get_value(schema::kContentHash) == hash) {
      ++stats_.unchanged;
      kept_.insert(*old_docid);
      return;
    }
    ParseResult parsed = parse_news_file(bytes);
    if (parsed.status == ParseStatus::kNotADocument) {
      ++stats_.skipped;
      observer_.skipped(name, parsed.reason);
      return;  // a previously indexed version is pruned: the file is no longer news
    }
    if (parsed.status == ParseStatus::kRejected) {
      reject(name, parsed.reason, old_docid);
      return;
    }
    for (const auto& warning : parsed.warnings) observer_.warning(name, warning);
    Xapian::Document doc = builder_.build(parsed.document, file.id, file.root_term, hash);
    adopt_story_key(doc, parsed.document, old_docid);
    if (old_docid) update_spelling(db_.get_document(*old_docid), -1);
    update_spelling(doc, +1);
    kept_.insert(db_.replace_document(id_term, doc));
    ++stats_.indexed;
    count_change();
  }

  // A rejected file keeps its last good version, if any, until it is fixed.
  void reject(const std::string& name, const std::string& reason,
              std::optional<Xapian::docid> old_docid) {
    ++stats_.rejected;
    observer_.rejected(name, reason);
    if (old_docid) kept_.insert(*old_docid);
  }

  // The indexed root for a folder: the outermost root already in the database
  // that holds it, so a file keeps one id whichever folder above it is named.
  // A new root that holds older ones absorbs them: their documents come back
  // under ids relative to the new root, and the old ones are pruned.
  fs::path base_for(const fs::path& folder) {
    for (const auto& root : roots_) {
      if (is_within(folder, root)) return root;
    }
    std::vector<fs::path> kept;
    for (const auto& root : roots_) {
      if (is_within(root, folder)) {
        prune_scopes_.push_back({schema::root_term(root.string()), "", true});
      } else {
        kept.push_back(root);
      }
    }
    kept.push_back(folder);
    roots_ = std::move(kept);
    return folder;
  }

  std::vector<fs::path> load_roots() {
    std::vector<fs::path> roots;
    auto stored = nlohmann::json::parse(db_.get_metadata(kRootsKey), nullptr, false);
    if (stored.is_array()) {
      for (const auto& root : stored) {
        if (root.is_string()) roots.emplace_back(root.get<std::string>());
      }
    }
    return roots;
  }

  struct PruneScope {
    std::string root_term;
    std::string id_prefix;  // empty: the whole root
    bool absorbed;          // a root re-rooted under a new one: pruned even with --no-prune
  };

  void prune(const PruneScope& scope) {
    std::vector<Xapian::docid> doomed;
    const std::string& term = scope.root_term;
    for (auto it = db_.postlist_begin(term); it != db_.postlist_end(term); ++it) {
      if (kept_.contains(*it)) continue;
      if (!scope.id_prefix.empty()) {
        auto id = db_.termlist_begin(*it);
        id.skip_to(schema::id_term(scope.id_prefix));
        if (id == db_.termlist_end(*it) || !(*id).starts_with(schema::id_term(scope.id_prefix))) {
          continue;
        }
      }
      doomed.push_back(*it);
    }
    for (Xapian::docid docid : doomed) {
      update_spelling(db_.get_document(docid), -1);
      db_.delete_document(docid);
      ++stats_.removed;
      count_change();
    }
  }

  // A story published twice under one url, with different titles, is one
  // story: the new copy takes the collapse key of a copy already indexed.
  void adopt_story_key(Xapian::Document& doc, const NewsDocument& news,
                       std::optional<Xapian::docid> self) {
    if (news.url.empty()) return;
    std::string term = schema::boolean_term(schema::kUrlPrefix, schema::normalise_url(news.url));
    for (auto it = db_.postlist_begin(term); it != db_.postlist_end(term); ++it) {
      if (self && *it == *self) continue;
      doc.add_value(schema::kDedupKey, db_.get_document(*it).get_value(schema::kDedupKey));
      return;
    }
  }

  // The spelling dictionary ("did you mean") holds the plain words of every
  // document once per document: unprefixed terms are the unstemmed words.
  void update_spelling(const Xapian::Document& doc, int direction) {
    for (auto it = doc.termlist_begin(); it != doc.termlist_end(); ++it) {
      const std::string& term = *it;
      unsigned char first = static_cast<unsigned char>(term[0]);
      if (first >= 'A' && first <= 'Z') continue;  // prefixed: not a plain word
      if (term.size() < 3 || term.size() > 40) continue;
      if (direction > 0) {
        db_.add_spelling(term);
      } else {
        db_.remove_spelling(term);
      }
    }
  }

  void count_change() {
    if (++pending_ >= options_.batch_size) commit();
  }

  void commit(bool final = false) {
    ++stats_.commits;
    nlohmann::json checkpoint = {{"documents", db_.get_doccount()}, {"commits", stats_.commits}};
    db_.set_metadata(kCheckpointKey, checkpoint.dump());
    nlohmann::json roots = nlohmann::json::array();
    for (const auto& root : roots_) roots.push_back(root.string());
    db_.set_metadata(kRootsKey, roots.dump());
    // A rebuild stamps the new version only once every file has been redone,
    // so a rebuild that is killed half-way is resumed as a rebuild.
    if (!rebuild_ || final) {
      db_.set_metadata(std::string(schema::kMetaSchemaVersion),
                       std::string(schema::kSchemaVersion));
    }
    db_.commit();
    pending_ = 0;
  }

  const IndexOptions& options_;
  IndexObserver& observer_;
  Xapian::WritableDatabase db_;
  DocumentBuilder builder_;
  IndexStats stats_;
  std::unordered_set<Xapian::docid> kept_;
  std::vector<fs::path> roots_;
  std::vector<PruneScope> prune_scopes_;
  std::size_t pending_ = 0;
  bool rebuild_ = false;  // the database has an older schema: ignore stored hashes
};

}  // namespace

IndexStats index_paths(const std::vector<std::string>& paths, const IndexOptions& options,
                       IndexObserver& observer) {
  for (const auto& path : paths) {
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(path, ec))) {
      throw Error(Error::Kind::kNoSuchPath, path + ": no such file or folder");
    }
  }
  Run run(options, observer);
  try {
    return run.go(paths);
  } catch (const Xapian::Error& e) {
    throw Error(Error::Kind::kDatabase, "database " + options.db_path + ": " + e.get_description() +
                                            " (the last committed state is intact)");
  }
}

}  // namespace news
