#include "index/indexer.h"

#include <dirent.h>
#include <fcntl.h>  // AT_FDCWD
#include <sys/stat.h>
#include <unistd.h>
#include <xapian.h>
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>  // PATH_MAX
#include <condition_variable>
#include <cstdio>  // renameat2
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <filesystem>
#include <limits>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <semaphore>
#include <set>
#include <system_error>
#include <thread>
#include <unordered_set>
#include <utility>

#include "store/database_check.h"
#include "store/db_folder.h"
#include "document/document.h"
#include "document/document_builder.h"
#include "prior/peek.h"
#include "prior/prior_order.h"
#include "base/error.h"
#include "base/file_read.h"
#include "base/read_retry.h"
#include "schema/schema.h"
#include "store/shards.h"
#include "base/sized_thread.h"
#include "base/text.h"

namespace fs = std::filesystem;

namespace news {

void IndexObserver::rejected(const std::string&, const std::string&) {}
void IndexObserver::skipped(const std::string&, const std::string&) {}
void IndexObserver::warning(const std::string&, const std::string&) {}
void IndexObserver::progress(const IndexStats&, std::size_t) {}
void IndexObserver::waiting_for_lock(const std::string&) {}

namespace {

// Files larger than this are not read: a news file is a few KiB.
constexpr std::uintmax_t kMaxFileBytes = 16u << 20;

// Kept for every file of the run (a million at a time), so kept small: a
// plain string rather than fs::path (which also stores its components), and
// the root's term shared through a pointer into the run's list of roots.
struct InputFile {
  std::string path;                        // as the user will recognise it (under the given path)
  std::string id;                          // path relative to its root, with '/' separators
  const std::string* root_term = nullptr;  // owned by the run, outlives the files
  unsigned shard = 0;                      // the shard its id belongs in (shards.h)
  double look = -1;  // a new database's quick look at its prior (order_by_prior); -1: none
};

bool is_within(const fs::path& child, const fs::path& root) {
  if (root.empty()) return false;  // a path that could not be resolved holds nothing
  auto [root_end, child_it] = std::mismatch(root.begin(), root.end(), child.begin(), child.end());
  return root_end == root.end();
}

// A descriptor, closed with its owner.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) reset(std::exchange(other.fd_, -1));
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

// Whether document `id` is under `entry` of Walker::unreadable_: a folder's
// prefix ("sub/dir/", "" for a whole root) or an entry's own id (a file, or a
// folder: it could not tell).
bool is_under(const std::string& id, const std::string& entry) {
  if (entry.empty() || entry.ends_with('/')) return id.starts_with(entry);
  return id.starts_with(entry) && (id.size() == entry.size() || id[entry.size()] == '/');
}

using FileKey = std::pair<dev_t, ino_t>;  // a folder's identity, whatever its path

// Walks the folders given, in name order, skipping hidden entries and the
// folders of Xapian databases: the run's own (its database and the parts of a
// split build, wherever they are) and any other (a folder with `iamglass`).
// The walk opens each folder relative to its parent's descriptor, so its cost
// is linear in the depth (no path is resolved again from the top) and paths
// past PATH_MAX are walked like any other. It keeps the one folder it reads
// open: a sub-folder is walked with its parent closed, and the parent is
// opened again through the sub-folder's `..` (and checked to be the same
// folder), so depth costs no descriptors. The walk is iterative, so depth
// costs no stack either.
// Everything the walk meets that is not a folder is counted as seen: regular
// files are returned, anything else (a FIFO, a socket, a device, a symlink
// that leads nowhere or out of the folder) is counted as skipped and named.
// An entry or folder the walk cannot read is named, counted as unreadable,
// and its id (prefix) goes to unreadable_ so that its documents are kept.
class Walker {
 public:
  Walker(const IndexOptions& options, IndexObserver& observer, IndexStats& stats)
      : options_(options), observer_(observer), stats_(stats) {
    if (is_remote_spec(options.db_path)) return;
    std::vector<std::string> own = {options.db_path};
    // A folder named like the parts folder is the user's unless it is ours (db_folder.h).
    if (is_own_parts_folder(parts_path(options.db_path), options.db_path)) {
      own.push_back(parts_path(options.db_path));
    }
    for (const std::string& folder : own) {
      struct stat st;
      if (::stat(folder.c_str(), &st) == 0) own_.insert({st.st_dev, st.st_ino});
    }
  }

  // Adds the files under `dir` (a folder the user named) to `out`, with ids
  // relative to `base` (the canonical indexed root: `dir` itself or a folder
  // holding it).
  void walk_root(const fs::path& dir, const fs::path& base, const std::string& root_term,
                 std::vector<InputFile>& out) {
    std::error_code ec;
    root_ = fs::canonical(dir, ec);
    root_term_ = &root_term;
    out_ = &out;
    found_ = 0;
    visited_.clear();
    path_ = dir.string();
    if (!path_.ends_with('/')) path_ += '/';
    std::string relative = root_.lexically_relative(base).generic_string();
    id_ = relative == "." || relative.empty() ? "" : relative + "/";
    Fd fd(open_path(dir.string(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
      cannot_read_folder(dir.string(), id_, errno);
      return;
    }
    walk(std::move(fd));
  }

  // What the last walk_root found: files, other entries, and errors.
  std::size_t found() const { return found_; }

  // Id prefixes ("sub/dir/", "" for a whole root) of the folders that could
  // not be read, and ids of entries that could not be read: not pruned.
  std::vector<std::string> unreadable_;

 private:
  struct Entry {
    std::string name;
    unsigned char type;  // d_type: DT_UNKNOWN when the file system does not say
  };
  struct Folder {
    Fd fd;  // closed while a real sub-folder is walked (see walk)
    FileKey key;
    std::vector<Entry> entries;  // in name order
    std::size_t next = 0;
    std::size_t path_size, id_size;  // path_ and id_ of this folder, up to its '/'
  };

  void walk(Fd root) {
    std::vector<Folder> stack;
    if (!enter(std::move(root), stack)) return;
    while (!stack.empty()) {
      Folder& folder = stack.back();
      if (folder.next == folder.entries.size()) {
        leave(stack);
        continue;
      }
      const Entry& entry = folder.entries[folder.next++];
      path_.resize(folder.path_size);
      id_.resize(folder.id_size);
      path_ += entry.name;
      id_ += entry.name;
      visit(folder, entry, stack);
    }
  }

  // Reads the folder open at `fd` (path_ and id_ name it, without the '/')
  // and pushes it on the stack; false if it cannot be read.
  bool enter(Fd fd, std::vector<Folder>& stack) {
    std::string prefix = id_.empty() || id_.ends_with('/') ? id_ : id_ + "/";
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) {
      cannot_read_folder(path_, prefix, errno);
      return false;
    }
    visited_.insert({st.st_dev, st.st_ino});
    Folder folder;
    folder.key = {st.st_dev, st.st_ino};
    if (int error = read_entries(fd.get(), folder.entries)) {
      cannot_read_folder(path_, prefix, error);
      return false;
    }
    folder.fd = std::move(fd);
    if (!path_.ends_with('/')) path_ += '/';
    if (!id_.empty() && !id_.ends_with('/')) id_ += '/';
    folder.path_size = path_.size();
    folder.id_size = id_.size();
    stack.push_back(std::move(folder));
    return true;
  }

  // Pops the folder done with, and opens its parent again where the walk
  // closed it: through `..`, else by its path. A parent that cannot be opened
  // again as the same folder (it was moved or removed meanwhile) is
  // reported, and the rest of it is not walked: its documents are kept.
  void leave(std::vector<Folder>& stack) {
    Fd done = std::move(stack.back().fd);
    stack.pop_back();
    while (!stack.empty() && !stack.back().fd) {
      Folder& parent = stack.back();
      path_.resize(parent.path_size);
      id_.resize(parent.id_size);
      auto same = [&parent](const Fd& fd) {
        struct stat st;
        return fd && ::fstat(fd.get(), &st) == 0 && FileKey{st.st_dev, st.st_ino} == parent.key;
      };
      constexpr int kFlags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
      Fd again(done ? ::openat(done.get(), "..", kFlags) : -1);
      if (!same(again)) again.reset(open_path(path_, kFlags));
      if (same(again)) {
        parent.fd = std::move(again);
        return;
      }
      cannot_read_folder(path_.substr(0, path_.size() - 1), id_,
                         "it was moved or removed while it was read");
      done.reset();
      stack.pop_back();
    }
  }

  // One entry of `folder`: path_ and id_ name it.
  void visit(Folder& folder, const Entry& entry, std::vector<Folder>& stack) {
    const char* name = entry.name.c_str();
    unsigned char type = entry.type;
    if (type == DT_UNKNOWN) {
      struct stat st;
      if (::fstatat(folder.fd.get(), name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno != ENOENT) cannot_read(errno);  // ENOENT: gone since the folder was read
        return;
      }
      type = S_ISDIR(st.st_mode)   ? DT_DIR
             : S_ISREG(st.st_mode) ? DT_REG
             : S_ISLNK(st.st_mode) ? DT_LNK
                                   : DT_FIFO;  // any other kind: not a regular file
    }
    if (type == DT_REG) {
      file();
    } else if (type == DT_DIR) {
      Fd child(::openat(folder.fd.get(), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!child) {
        if (errno != ENOENT) cannot_read_folder(path_, id_ + "/", errno);
        return;
      }
      descend(folder, std::move(child), false, stack);
    } else if (type == DT_LNK) {
      symlink(folder, name, stack);
    } else {
      skip("not a regular file");
    }
  }

  void symlink(Folder& folder, const char* name, std::vector<Folder>& stack) {
    struct stat target;
    if (::fstatat(folder.fd.get(), name, &target, 0) != 0) {
      if (errno == ENOENT || errno == ELOOP || errno == ENOTDIR) {
        skip_with_warning("skipped: broken or looping symlink (" +
                          std::string(std::strerror(errno)) + ")");
      } else {
        cannot_read(errno);
      }
      return;
    }
    bool folder_target = S_ISDIR(target.st_mode);
    if (folder_target && visited_.contains({target.st_dev, target.st_ino})) {
      observer_.warning(path_, "skipped: symlink loop (folder already walked)");
      return;
    }
    if (!options_.follow_symlinks) {
      std::error_code ec;
      fs::path real = fs::canonical(path_, ec);
      if (ec) {
        cannot_read(ec.value());
        return;
      }
      if (!is_within(real, root_)) {
        if (folder_target) {
          observer_.warning(
              path_, "skipped: symlink leads out of the indexed folder (see --follow-symlinks)");
        } else {
          skip_with_warning(
              "skipped: symlink leads out of the indexed folder (see --follow-symlinks)");
        }
        return;
      }
      if (folder_target) return;  // the folder is walked under its own name
    }
    if (folder_target) {
      Fd child(::openat(folder.fd.get(), name, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!child) {
        cannot_read_folder(path_, id_ + "/", errno);
        return;
      }
      descend(folder, std::move(child), true, stack);
    } else if (S_ISREG(target.st_mode)) {
      file();
    } else {
      skip("not a regular file");
    }
  }

  void descend(Folder& parent, Fd child, bool by_symlink, std::vector<Folder>& stack) {
    struct stat st;
    if (::fstat(child.get(), &st) != 0) {
      cannot_read_folder(path_, id_ + "/", errno);
      return;
    }
    if (!by_symlink && visited_.contains({st.st_dev, st.st_ino})) return;  // a bind mount's loop
    struct stat glass;
    if (own_.contains({st.st_dev, st.st_ino}) ||
        ::fstatat(child.get(), "iamglass", &glass, 0) == 0) {
      observer_.skipped(path_, "a Xapian database, not news documents");
      return;
    }
    std::size_t parent_at = &parent - stack.data();
    if (!enter(std::move(child), stack)) return;
    // The walk comes back from a real sub-folder through its `..`: the
    // parent is closed meanwhile. (`parent` may have moved with the push.)
    if (!by_symlink) stack[parent_at].fd.reset();
  }

  void file() {
    ++found_;
    out_->push_back({path_, id_, root_term_});
  }

  void skip(const std::string& reason) {
    ++found_;
    ++stats_.seen;
    ++stats_.skipped;
    observer_.skipped(path_, reason);
  }

  void skip_with_warning(const std::string& message) {
    ++found_;
    ++stats_.seen;
    ++stats_.skipped;
    observer_.warning(path_, message);
  }

  // An entry whose kind or target cannot be found out: it may be a file or a
  // folder, so whatever is indexed under its name is kept.
  void cannot_read(int error) {
    ++found_;
    ++stats_.unreadable;
    observer_.rejected(path_, "cannot read: " + std::string(std::strerror(error)) +
                                  " (its documents are kept as they are)");
    unreadable_.push_back(id_);
  }

  // `prefix`: the folder's ids' prefix, ending in '/' (or empty: a whole root).
  void cannot_read_folder(const std::string& path, const std::string& prefix,
                          const std::string& why) {
    ++found_;
    ++stats_.unreadable;
    observer_.rejected(path,
                       "cannot read folder: " + why + " (its documents are kept as they are)");
    unreadable_.push_back(prefix);
  }
  void cannot_read_folder(const std::string& path, const std::string& prefix, int error) {
    cannot_read_folder(path, prefix, std::string(std::strerror(error)));
  }

  // The entries of the folder open at `fd`, hidden ones left out, in name
  // order; 0 or the error that stopped the reading.
  static int read_entries(int fd, std::vector<Entry>& entries) {
    int copy = ::dup(fd);  // closedir closes the descriptor it reads
    if (copy < 0) return errno;
    DIR* dir = ::fdopendir(copy);
    if (!dir) {
      int error = errno;
      ::close(copy);
      return error;
    }
    int error = 0;
    while (true) {
      errno = 0;
      const dirent* entry = ::readdir(dir);
      if (!entry) {
        error = errno;
        break;
      }
      if (entry->d_name[0] == '.') continue;  // ".", "..", .git, editors' files
      entries.push_back({entry->d_name, entry->d_type});
    }
    ::closedir(dir);
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.name < b.name; });
    return error;
  }

  const IndexOptions& options_;
  IndexObserver& observer_;
  IndexStats& stats_;
  std::set<FileKey> own_;  // the run's database folders
  fs::path root_;          // canonical: where symlinks may lead without --follow-symlinks
  const std::string* root_term_ = nullptr;
  std::vector<InputFile>* out_ = nullptr;
  std::size_t found_ = 0;
  std::set<FileKey> visited_;
  std::string path_, id_;  // the entry being visited: its path as given, and its id
};

// Reads a news file whole, or explains why it cannot (file_read.h: regular
// files only, never waiting on one, at most kMaxFileBytes). Throws
// std::bad_alloc when memory runs out.
ReadResult read_file(const std::string& path, std::string& bytes, std::string& error) {
  return read_regular_file(path, kMaxFileBytes, bytes, error);
}

// What a run says when it has no file descriptor left to read with (the
// limit on open files leaves too few beside its databases).
std::string no_descriptors_message(const std::string& path, const std::string& error) {
  return path + ": " + error +
         ": the limit on open files (ulimit -n) leaves too few for reading; the database is at "
         "its last commit";
}

using Hash = std::array<unsigned char, 16>;

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

// What the database held when the run started: which id is which document,
// and the hash of each document's file, shard by shard. Read by the workers,
// never written while they run. Loaded from two value streams per shard,
// which read sequentially.
struct Snapshot {
  struct Shard {
    std::unordered_map<std::string, Xapian::docid> docids;  // id term -> docid
    // (docid, hash) in docid order: docids are sparse (schema.h, prior order).
    std::vector<std::pair<Xapian::docid, Hash>> hashes;
    // (docid, index in roots) in docid order, for the documents of those roots.
    std::vector<std::pair<Xapian::docid, std::uint32_t>> owners;
  };
  std::vector<Shard> shards;
  // The roots whose documents' owners are looked up (see owner()).
  std::vector<fs::path> roots;
  std::vector<std::string> root_terms;

  // `roots`: the roots a file's id may collide across (empty: one root, no
  // collisions possible).
  Snapshot(const std::vector<Xapian::WritableDatabase*>& dbs, std::vector<fs::path> roots_in)
      : shards(dbs.size()), roots(std::move(roots_in)) {
    for (const auto& root : roots) root_terms.push_back(schema::root_term(root.string()));
    for (std::size_t s = 0; s < dbs.size(); ++s) {
      const Xapian::Database& db = *dbs[s];
      Shard& shard = shards[s];
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
      for (std::uint32_t r = 0; r < root_terms.size(); ++r) {
        for (auto it = db.postlist_begin(root_terms[r]); it != db.postlist_end(root_terms[r]);
             ++it) {
          shard.owners.emplace_back(*it, r);
        }
      }
      std::sort(shard.owners.begin(), shard.owners.end());
    }
  }

  // The root (of `roots`) whose folder the document was indexed from, if it is one of them.
  const fs::path* owner(unsigned shard, Xapian::docid docid) const {
    const auto& owners = shards[shard].owners;
    auto it = std::lower_bound(owners.begin(), owners.end(), docid,
                               [](const auto& entry, Xapian::docid d) { return entry.first < d; });
    if (it == owners.end() || it->first != docid) return nullptr;
    return &roots[it->second];
  }
  const std::string* owner_term(unsigned shard, Xapian::docid docid) const {
    const fs::path* root = owner(shard, docid);
    return root ? &root_terms[std::size_t(root - roots.data())] : nullptr;
  }

  std::optional<Xapian::docid> docid(unsigned shard, const std::string& id_term) const {
    const auto& docids = shards[shard].docids;
    auto it = docids.find(id_term);
    return it == docids.end() ? std::nullopt : std::optional<Xapian::docid>(it->second);
  }
  std::optional<Hash> hash(unsigned shard, Xapian::docid docid) const {
    const auto& hashes = shards[shard].hashes;
    auto it = std::lower_bound(hashes.begin(), hashes.end(), docid,
                               [](const auto& entry, Xapian::docid d) { return entry.first < d; });
    if (it == hashes.end() || it->first != docid) return std::nullopt;
    return it->second;
  }
};

// The words a document gives the spelling dictionary ("did you mean"): its
// unprefixed terms (the unstemmed words), once each, of 3 to 40 bytes.
std::vector<std::string> spelling_words(const Xapian::Document& doc) {
  std::vector<std::string> words;
  for (auto it = doc.termlist_begin(); it != doc.termlist_end(); ++it) {
    std::string term = *it;
    if (schema::is_prefixed(term) || term.size() < 3 || term.size() > 40) continue;
    words.push_back(std::move(term));
  }
  return words;
}

// What a worker made of one file.
struct Outcome {
  enum class Kind { kUnchanged, kIndexed, kNotADocument, kRejected, kVanished };
  Kind kind = Kind::kRejected;
  std::optional<Xapian::docid> old_docid;  // in the file's shard
  Xapian::Document document;               // kIndexed
  std::string url_term;                    // kIndexed: finds other copies of the story
  std::vector<std::string> words;          // kIndexed: its spelling words
  std::string reason;                      // kNotADocument, kRejected
  std::vector<std::string> warnings;
  // Set when the run cannot go on (not the file's fault): what it says.
  std::optional<std::string> fatal;
};

// Holds one of `permits` (if any) while it lives.
class Permit {
 public:
  explicit Permit(std::counting_semaphore<>* permits) : permits_(permits) {
    if (permits_) permits_->acquire();
  }
  ~Permit() {
    if (permits_) permits_->release();
  }
  Permit(const Permit&) = delete;
  Permit& operator=(const Permit&) = delete;

 private:
  std::counting_semaphore<>* permits_;
};

// The most disk a split first build of files holding `input_bytes` takes at
// once (both parts, then the merged database beside them), with a margin.
// Measured on 30,000 generated files (44 MB): a build in one go took 3.3
// times its files' bytes, a split build 4.4 times at its peak (bench/DISK-SPACE.md).
std::uintmax_t split_build_peak_bytes(std::uintmax_t input_bytes) {
  return input_bytes * 5 + (16u << 20);
}

std::string mebibytes(std::uintmax_t bytes) {
  return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB";
}

// The reason a file is rejected whose id another file of another root holds.
std::string id_collision(const std::string& id, const std::string& holder) {
  return "its id '" + id + "' is already that of " + holder +
         ", indexed from another folder; index a folder that holds both, so that each gets an "
         "id of its own";
}

// Whether a file that could not be read is gone: deleted (or moved) since
// the walk found it.
bool vanished(const std::string& path) {
  int fd = open_path(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) {
    ::close(fd);
    return false;
  }
  return errno == ENOENT || errno == ENOTDIR;
}

// Whether a file's first bytes open a front matter: a `---` line, after an
// optional UTF-8 byte-order mark (as parse_news_file reads it).
bool opens_front_matter(std::string_view bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  std::string_view line = bytes.substr(0, bytes.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
    line.remove_suffix(1);
  }
  return line == "---";
}

// `parsing`: permits to parse and build (null: no limit); reading and hashing
// need none.
Outcome process(const InputFile& file, const Snapshot& snapshot, bool rebuild,
                DocumentBuilder& builder, std::counting_semaphore<>* parsing) {
  Outcome out;
  try {
    out.old_docid = snapshot.docid(file.shard, schema::id_term(file.id));
    if (out.old_docid) {
      // The id is held by a document of another root: a collision if that
      // file is still there (else the file moved, and its document follows it).
      const std::string* holder = snapshot.owner_term(file.shard, *out.old_docid);
      if (holder && *holder != *file.root_term) {
        fs::path other = *snapshot.owner(file.shard, *out.old_docid) / file.id;
        struct stat st;
        // Present, or not known to be gone: not this file's id to take.
        if (::lstat(other.c_str(), &st) == 0 || (errno != ENOENT && errno != ENOTDIR)) {
          out.reason = id_collision(file.id, other.string());
          out.old_docid.reset();  // that document is not this file's to keep or replace
          return out;
        }
      }
    }
    std::string bytes;
    switch (read_file(file.path, bytes, out.reason)) {
      case ReadResult::kRead:
        break;
      case ReadResult::kTooLarge: {
        // A video or an archive beside the news, not a news file too large.
        std::string head, error;
        ReadResult start = read_regular_file_start(file.path, 64, head, error);
        if (start == ReadResult::kNoDescriptors) {
          out.fatal = no_descriptors_message(file.path, error);
          return out;
        }
        if (start == ReadResult::kRead && !opens_front_matter(head)) {
          out.kind = Outcome::Kind::kNotADocument;
          out.reason = out.reason + ", and not a news document (no '---' line at the top)";
        }
        return out;
      }
      case ReadResult::kRefused:
        if (vanished(file.path)) out.kind = Outcome::Kind::kVanished;
        return out;
      case ReadResult::kNoDescriptors:
        out.fatal = no_descriptors_message(file.path, out.reason);
        return out;
    }
    Hash hash = content_hash(bytes);
    if (out.old_docid && !rebuild &&
        snapshot.hash(file.shard, *out.old_docid) == std::optional<Hash>(hash)) {
      out.kind = Outcome::Kind::kUnchanged;
      return out;
    }
    Permit permit(parsing);
    ParseResult parsed = parse_news_file(bytes);
    if (parsed.status == ParseStatus::kOk && !is_valid_utf8(file.id)) {
      // The path is the document's id, which is shown and written as JSON.
      out.reason = "its path is not valid UTF-8 (rename the file)";
      return out;
    }
    out.reason = std::move(parsed.reason);
    if (parsed.status == ParseStatus::kNotADocument) {
      out.kind = Outcome::Kind::kNotADocument;
      return out;
    }
    if (parsed.status == ParseStatus::kRejected) return out;
    out.document = builder.build(parsed.document, file.id, *file.root_term, as_bytes(hash));
    if (!parsed.document.url.empty()) {
      out.url_term =
          schema::boolean_term(schema::kUrlPrefix, schema::normalise_url(parsed.document.url));
    }
    out.words = spelling_words(out.document);
    out.warnings = std::move(parsed.warnings);
    out.kind = Outcome::Kind::kIndexed;
  } catch (const std::bad_alloc&) {
    out.kind = Outcome::Kind::kRejected;
    out.fatal = kOutOfMemory;
  } catch (const std::exception& e) {
    out.kind = Outcome::Kind::kRejected;
    out.reason = std::string("cannot be indexed: ") + e.what();
  } catch (const Xapian::Error& e) {
    out.kind = Outcome::Kind::kRejected;
    out.reason = "cannot be indexed: " + e.get_description();
  }
  return out;
}

// Thread stacks (sized_thread.h). Readers read a file and take a quick look
// at it; parsers also parse YAML, which recurses once per level of nesting
// (yaml-cpp stops at 500), and build the document. The deepest YAML needs
// about 200 KiB of stack; parsers get four times that and more.
constexpr std::size_t kReaderStack = 256 << 10;
constexpr std::size_t kParserStack = 1 << 20;

// Starts up to `count` more threads running `body`, with stacks of
// `stack_bytes`, and returns how many threads `threads` then holds. Where a
// limit on processes or on address space allows fewer, a run reads with
// fewer threads rather than failing (or, with threads left unjoined,
// aborting).
template <class Body>
std::size_t start_threads(std::vector<SizedThread>& threads, std::size_t count,
                          std::size_t stack_bytes, const Body& body) {
  try {
    threads.reserve(threads.size() + count);
    for (std::size_t t = 0; t < count; ++t) threads.emplace_back(stack_bytes, body);
  } catch (const std::system_error&) {
  } catch (const std::bad_alloc&) {
  }
  return threads.size();
}

// Each reading thread holds a file open while it reads it. Where the limit
// on open files (ulimit -n) leaves few descriptors, fewer threads read, and
// some are left to the databases, which open table files as they first use
// them and a new version file to commit: kDescriptorsPerDatabase each (a
// writer's six tables, its lock and version file, a reader's tables), but
// at most half of those spare, so that many shards under the usual limit of
// 1,024 still read on many threads. A read that still finds none waits for
// another to close its file (file_read.h).
constexpr std::size_t kDescriptorsPerDatabase = 14;

std::size_t readers_within_descriptors(std::size_t wanted, std::size_t databases) {
  std::size_t spare = spare_descriptors(wanted + kDescriptorsPerDatabase * databases);
  std::size_t reserve = std::min(kDescriptorsPerDatabase * databases, spare / 2);
  return std::clamp<std::size_t>(spare - reserve, 1, wanted);
}

// Runs `body` on up to `count` threads, the calling thread one of them
// (so it runs at least once), and returns when every run has ended. The
// bodies share their work out among themselves; the helpers have stacks of
// `stack_bytes`.
template <class Body>
void run_on_threads(std::size_t count, std::size_t stack_bytes, const Body& body) {
  std::vector<SizedThread> helpers;
  if (count > 1) start_threads(helpers, count - 1, stack_bytes, body);
  body();
  for (auto& helper : helpers) helper.join();
}

// Worker threads turn files into Outcomes, running at most the ring's size
// of files ahead of the writer, which takes them in order. `readers` workers
// (at least `threads`) read and hash files, and at most `threads` of them
// parse at a time: a re-run mostly reads unchanged files, which waits on the
// disk. The ring holds parsed documents (a rebuild fills it), so it grows
// with the parsing threads; each reader adds a few slots, not a parser's.
class Pipeline {
 public:
  Pipeline(const std::vector<InputFile>& files, const Snapshot& snapshot, bool rebuild,
           unsigned threads, unsigned readers)
      : files_(files),
        snapshot_(snapshot),
        rebuild_(rebuild),
        parsing_(threads),
        limit_(readers > threads ? &parsing_ : nullptr),
        ring_(256 * threads + 16 * std::max(threads, readers)) {
    std::size_t workers =
        readers_within_descriptors(std::max(threads, readers), snapshot.shards.size());
    if (start_threads(workers_, workers, kParserStack, [this] { work(); }) == 0) {
      throw Error(Error::Kind::kSystem, "cannot start a thread to read files");
    }
  }
  ~Pipeline() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    space_.notify_all();
    for (auto& worker : workers_) worker.join();
  }
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // The outcome of files[i]; call with i = 0, 1, 2, ... in turn. Throws
  // Error(kSystem) when the run cannot go on (Outcome::fatal), or a worker
  // ran out of memory.
  Outcome take(std::size_t i) {
    std::unique_lock lock(mutex_);
    auto& slot = ring_[i % ring_.size()];
    ready_.wait(lock, [&] { return slot.has_value() || out_of_memory_; });
    if (!slot) throw Error(Error::Kind::kSystem, kOutOfMemory);
    if (slot->fatal) throw Error(Error::Kind::kSystem, *slot->fatal);
    Outcome out = std::move(*slot);
    slot.reset();
    taken_ = i + 1;
    space_.notify_all();
    return out;
  }

 private:
  // A worker that runs out of memory outside process() (its builder, an
  // outcome) says so to take() and ends.
  void work() {
    try {
      DocumentBuilder builder;
      while (true) {
        std::size_t i;
        {
          std::unique_lock lock(mutex_);
          space_.wait(lock, [&] {
            return stop_ || next_ >= files_.size() || next_ < taken_ + ring_.size();
          });
          if (stop_ || next_ >= files_.size()) return;
          i = next_++;
        }
        Outcome out = process(files_[i], snapshot_, rebuild_, builder, limit_);
        {
          std::lock_guard lock(mutex_);
          ring_[i % ring_.size()] = std::move(out);
        }
        ready_.notify_all();
      }
    } catch (const std::bad_alloc&) {
      {
        std::lock_guard lock(mutex_);
        out_of_memory_ = true;
      }
      ready_.notify_all();
    }
  }

  const std::vector<InputFile>& files_;
  const Snapshot& snapshot_;
  const bool rebuild_;
  std::counting_semaphore<> parsing_;
  std::counting_semaphore<>* const limit_;
  std::mutex mutex_;
  std::condition_variable ready_, space_;
  std::vector<std::optional<Outcome>> ring_;
  std::size_t next_ = 0, taken_ = 0;
  bool stop_ = false, out_of_memory_ = false;
  std::vector<SizedThread> workers_;
};

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
// into its tables in memory (sorted maps), and writes them every
// XAPIAN_FLUSH_THRESHOLD documents (10,000 unless set), inside a transaction
// too. Measured on the benchmark's corpus with commits every 20,000
// documents, smaller buffers are faster: 100,000 documents took 54-63 s with
// Xapian's default (four runs), 44-52 s with 1,000 or 2,500 (nine);
// 1,000,000 took 569 s with 1,000 and 557 s with 2,500 (1,000 spends more
// time in the kernel re-reading and rewriting the tables' blocks, which grows
// with the database; 2,500 more in the maps). The split build of 1,000,000
// (two writers, one run each, not interleaved) took 381 s with 1,250, 379 s
// with 2,500 and 402 s with 5,000 (user time 566, 563 and 624 s: the maps
// grow dearer faster than the writes shrink). Xapian 1.4 takes the figure
// only from the environment, read when a database is opened for writing; a
// value the user set is kept.
constexpr const char* kFlushThreshold = "2500";

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

// Which databases a run writes: the layout at the path, or a new one with
// the number of shards asked for. A database keeps the shards it was built
// with: moving documents between shards is a new build.
Layout decide_layout(const IndexOptions& options) {
  if (is_remote_spec(options.db_path)) {
    throw Error(Error::Kind::kConfig,
                "--db " + options.db_path +
                    ": news-index writes local databases; run it on the shard's own host");
  }
  Layout existing = read_layout(options.db_path);
  if (existing.shards == 0) return plan_layout(options.db_path, std::max(1u, options.shards));
  if (options.shards != 0 && options.shards != existing.shards) {
    throw Error(Error::Kind::kConfig,
                "database " + options.db_path + " has " + std::to_string(existing.shards) +
                    (existing.shards == 1 ? " shard" : " shards") + "; it cannot be split into " +
                    std::to_string(options.shards) +
                    ": build a new database with --db NEW --shards " +
                    std::to_string(options.shards) + " and remove this one");
  }
  return existing;
}

// Swaps two folders in one step, so that the database path always holds a
// database; on a file system that cannot, in two renames.
void swap_into_place(const fs::path& merged, const fs::path& db) {
  if (::renameat2(AT_FDCWD, merged.c_str(), AT_FDCWD, db.c_str(), RENAME_EXCHANGE) == 0) return;
  std::error_code ec;
  if (errno == EINVAL || errno == ENOSYS) {
    fs::path aside = merged;
    aside += ".old";
    fs::rename(db, aside, ec);
    if (!ec) fs::rename(merged, db, ec);
    if (!ec) return;
  } else {
    ec.assign(errno, std::generic_category());
  }
  throw Error(Error::Kind::kDatabase, "cannot move the merged database " + merged.string() +
                                          " to " + db.string() + ": " + ec.message());
}

// Reads the parts' table files once, whole, before they are merged (a
// thread per file). The merge reads each table's blocks in key order, one at
// a time, and a part that Xapian grew batch by batch has its blocks
// scattered, so on a cold cache the merge waits on the disk for block after
// block; read whole, the files come in at the disk's streaming speed. Merging the parts
// of 1,000,000 documents (3.8 GB) on this project's 2-core test machine,
// caches dropped: xapian-compact took 18.5-30.5 s (median 19.4, five runs)
// as they were, 12.6-19.0 s (median 14.6) with the files read first (about
// 1.8 s of it); news-index's merge 19.8-23.5 s against 13.2-18.0 s. Only a
// hint: skipped when the files would take more than half the memory, and
// read errors are left to the merge.
void read_ahead(const std::vector<fs::path>& folders) {
  std::vector<fs::path> tables;
  std::uintmax_t bytes = 0;
  std::error_code ec;
  for (const auto& folder : folders) {
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
      if (entry.path().extension() != ".glass") continue;
      tables.push_back(entry.path());
      bytes += entry.file_size(ec);
    }
  }
  long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0 || bytes > std::uintmax_t(pages) * page_size / 2) return;
  std::atomic<std::size_t> next{0};
  auto read = [&] {
    std::vector<char> buffer(1 << 20);
    for (std::size_t i; (i = next.fetch_add(1)) < tables.size();) {
      // Never waits on what is not a file (a FIFO put among the tables).
      int fd = ::open(tables[i].c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
      if (fd < 0) continue;
      while (::read(fd, buffer.data(), buffer.size()) > 0) {
      }
      ::close(fd);
    }
  };
  run_on_threads(tables.size(), kReaderStack, read);
}

// Merges the committed parts of a split build ("0": the high part, "1": the
// low one) into one compacted database, in prior order with the joined
// steps, and puts it at db_path in place of the empty database there, whose
// lock the caller holds. On failure the parts are kept for the next run.
void merge_parts(const std::string& db_path, const fs::path& parts) {
  fs::path merged = parts / "merged";
  std::error_code ec;
  remove_own_folder(merged);  // a merge cut short; if it cannot go, the compaction says why
  try {
    read_ahead({parts / "0", parts / "1"});
    check_local_database((parts / "0").string());
    check_local_database((parts / "1").string());
    Xapian::Database high((parts / "0").string()), low((parts / "1").string());
    // A part that has committed nothing has placed nothing (and recorded no order yet).
    auto order_of = [](const Xapian::Database& part) {
      return part.get_doccount() == 0 ? prior::PriorOrder{} : prior::read_prior_order(part);
    };
    std::optional<prior::PriorOrder> order =
        prior::join_prior_orders(order_of(high), order_of(low));
    std::size_t commits = 1;
    for (const auto* part : {&high, &low}) {
      auto checkpoint = nlohmann::json::parse(part->get_metadata(kCheckpointKey), nullptr, false);
      if (checkpoint.is_object() && checkpoint.value("commits", nlohmann::json()).is_number()) {
        commits += checkpoint["commits"].get<std::size_t>();
      }
    }
    Xapian::Database both;
    both.add_database(high);
    both.add_database(low);
    try {
      // The parts' docids do not overlap (the high part never uses its tail).
      both.compact(merged.string(), Xapian::DBCOMPACT_NO_RENUMBER);
    } catch (const Xapian::InvalidOperationError&) {
      // Were they to overlap, the merge is renumbered and searched the plain way.
      remove_own_folder(merged);
      both.compact(merged.string());
      order.reset();
    }
    Xapian::WritableDatabase out(merged.string(), Xapian::DB_OPEN);
    nlohmann::json checkpoint = {{"documents", out.get_doccount()}, {"commits", commits}};
    out.set_metadata(kCheckpointKey, checkpoint.dump());
    prior::write_prior_order(out, order);
    out.commit();
    out.close();
  } catch (const Xapian::Error& e) {
    remove_own_folder(merged);
    // The state the user is left in, and the way out (a full disk is the usual cause).
    std::uintmax_t parts_bytes = 0;
    for (const auto& entry : fs::recursive_directory_iterator(parts, ec)) {
      if (entry.is_regular_file(ec)) parts_bytes += entry.file_size(ec);
    }
    fs::space_info space = fs::space(parts, ec);
    throw Error(
        Error::Kind::kDatabase,
        "cannot merge the parts of database " + db_path + " in " + parts.string() + ": " +
            e.get_description() + ". The parts (" + mebibytes(parts_bytes) +
            ") are kept and the database stays empty until a run merges them, which "
            "needs about " +
            mebibytes(parts_bytes) + " free beside them (" +
            (ec ? std::string("free space unknown") : mebibytes(space.available) + " free") +
            "): free space and run news-index again, or remove " + db_path + " and " +
            parts.string() + " and build again");
  }
  swap_into_place(merged, fs::path(db_path));
}

// Removes a parts folder once it is merged; what news-index did not write
// there is left, and said.
void remove_parts(const fs::path& parts, IndexObserver& observer) {
  std::string left = remove_own_folder(parts);
  if (!left.empty()) observer.warning(parts.string(), "left in place: " + left);
}

// A split build that was cut short leaves its parts beside the database:
// their committed documents are merged into it (the database at the path is
// still empty), as the build would have done, and the run goes on from
// there. If the merged database had already taken its place, the parts are
// only removed.
void settle_parts(const IndexOptions& options, IndexObserver& observer) {
  if (is_remote_spec(options.db_path)) return;
  fs::path parts = parts_path(options.db_path);
  std::error_code ec;
  // Only a parts folder this indexer made for this database (db_folder.h).
  if (!is_own_parts_folder(parts, options.db_path) || read_layout(options.db_path).shards > 1) {
    return;
  }
  Xapian::WritableDatabase db = open_writable(options.db_path, options, observer);  // the lock
  if (db.get_doccount() == 0 && fs::exists(parts / "0" / "iamglass", ec) &&
      fs::exists(parts / "1" / "iamglass", ec)) {
    merge_parts(options.db_path, parts);
    observer.warning(options.db_path,
                     "its first build, in two parts, was cut short: the documents it had "
                     "committed are merged, and this run goes on from there");
  }
  db.close();
  remove_parts(parts, observer);
}

struct PruneScope {
  std::string root_term;
  std::string id_prefix;  // empty: the whole root
  bool absorbed;          // a root re-rooted under a new one: pruned even with --no-prune
  // For an absorbed root: its path relative to the new root, with a '/', which
  // turns its ids into the new root's (the unreadable entries are in those).
  std::string relocated;
};

double prior_of(const Xapian::Document& doc) {
  std::string value = doc.get_value(schema::kPrior);
  return value.empty() ? 0.0 : Xapian::sortable_unserialise(value);
}

// A part of a new database built in two parts side by side (Run::go): the
// docids it places in order start after `start`, its tail at `tail_start`,
// and the first prior it places in order is at most `top`.
struct PartPlan {
  Xapian::docid start = 0;
  Xapian::docid tail_start = prior::kTailStart;
  double top = std::numeric_limits<double>::infinity();
};

// Threads that read files where reading is most of the work (the first look
// of a new build, a re-run): cheap for the processor, but on a folder that is
// not in the page cache each file is a wait for the disk, and more threads
// than cores keep more reads in flight. On this project's 2-core test machine,
// caches dropped before each run: the first look at 1,000,000 files took
// 26.7 and 29.9 s with 8 threads, 18.0 and 20.3 s with 64, 18.3 and 18.9 s
// with 128; a re-run over 100,000 unchanged files 2.8 and 3.3 s with 8, 2.1
// and 2.4 s with 64 (reading 100,000 files took 2.5-2.8 s with 8 threads
// against 5.6-6.1 s with 2).
constexpr unsigned kDiskThreads = 64;

// Changes in the spelling dictionary's word counts: word -> change.
using SpellingDelta = std::unordered_map<std::string, long>;

// One change for a shard's writer: a new document, or a new version of one.
// The change that closes a batch carries the spelling words of the whole
// batch, summed as the changes were queued.
struct Change {
  std::optional<Xapian::docid> old_docid;
  Xapian::Document document;
  std::vector<std::string> words;  // the document's spelling words (push takes them)
  bool to_tail = false;  // a new document for the tail, whatever its prior (Run::apply, route)
  bool closes_batch = false;
  SpellingDelta batch_words;  // closes_batch: the words of every change of the batch
};

// What a writer does once every change is in.
struct Finish {
  bool complete = true;                 // every file was taken (false: the run was stopped)
  std::vector<PruneScope> scopes;       // prune these ...
  std::vector<bool> kept;               // ... except these docids (and any added by the run)
  std::vector<std::string> unreadable;  // ... and ids the walk could not read (Walker::unreadable_)
  SpellingDelta words;                  // the spelling words of the last, unclosed batch
};

// Writes one database (the whole one, or one shard) on a thread of its own:
// applies the changes in the order they come, keeps the spelling dictionary
// in step, and commits every batch_size changes, each batch a transaction
// with a checkpoint. At the end it prunes and commits the rest.
// The thread that queues the changes sums the new documents' spelling words
// (the writer is the run's bottleneck); the writer subtracts the words of
// the versions it replaces or prunes.
class ShardWriter {
 public:
  ShardWriter(std::string path, const IndexOptions& options, IndexObserver& observer)
      : path_(std::move(path)),
        batch_size_(std::max<std::size_t>(1, options.batch_size)),
        db_(open_writable(path_, options, observer)) {}
  ~ShardWriter() { stop(); }
  ShardWriter(const ShardWriter&) = delete;
  ShardWriter& operator=(const ShardWriter&) = delete;

  Xapian::WritableDatabase& database() { return db_; }
  const std::string& path() const { return path_; }
  // Before start(), for a new database that is a part of one (PartPlan).
  void plan_part(const PartPlan& part) { part_ = part; }
  std::size_t removed() const { return removed_; }
  std::size_t commits() const { return commits_; }

  // Starts the thread. `rebuild`: the run re-indexes everything (the schema
  // version is stamped only by the final commit); `roots`: the JSON stored
  // with every commit.
  void start(bool rebuild, std::string roots) {
    rebuild_ = rebuild;
    roots_ = std::move(roots);
    // Every batch is a transaction: if the run fails (a full disk, a kill),
    // nothing of the batch in progress is committed, not even by the
    // database's destructor, so the database is exactly its last commit.
    db_.begin_transaction();
    init_order();
    try {
      thread_ = std::thread([this] { work(); });
    } catch (const std::system_error&) {
      throw Error(Error::Kind::kSystem, "cannot start a thread to write database " + path_);
    }
  }

  // Queues a change; false if the writer has failed (see error()). Called
  // from one thread, the one that calls finish().
  bool push(Change change) {
    for (auto& word : change.words) ++incoming_words_[std::move(word)];
    change.words.clear();
    if (++pushed_ % batch_size_ == 0) {
      change.closes_batch = true;
      change.batch_words = std::move(incoming_words_);
      incoming_words_.clear();
    }
    std::vector<Change> spent;
    {
      std::unique_lock lock(mutex_);
      space_.wait(lock, [&] { return failed_ || queue_.size() < kQueueLength; });
      if (failed_) return false;
      queue_.push_back(std::move(change));
      spent.swap(spent_);
      if (queue_.size() == 1) ready_.notify_one();  // the writer may be waiting for it
    }
    return true;  // `spent` is freed here, off the writer's thread
  }

  // After the last change: the writer prunes, commits and ends.
  void finish(Finish finish) {
    finish.words = std::move(incoming_words_);
    incoming_words_.clear();
    std::lock_guard lock(mutex_);
    finish_ = std::move(finish);
    finishing_ = true;
    ready_.notify_all();
  }

  // Waits for the thread; the writer's failure, if any.
  std::exception_ptr join() {
    if (thread_.joinable()) thread_.join();
    return error_;
  }

  // Stops the thread at once, without committing the batch in progress.
  void stop() noexcept {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    ready_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  // After a failure: stop at once, drop the batch in progress and close the
  // database, so that its destructor (which must not throw) has nothing left.
  void abandon() noexcept {
    stop();
    try {
      db_.cancel_transaction();
    } catch (...) {
    }
    try {
      db_.close();
    } catch (...) {
    }
  }

 private:
  static constexpr std::size_t kQueueLength = 256;

  // The writer takes every queued change at once, so that the thread that
  // pushes is woken once per take rather than once per change, and hands the
  // applied ones back to that thread to free.
  void work() {
    try {
      std::deque<Change> taken;
      std::vector<Change> applied;
      while (true) {
        {
          std::unique_lock lock(mutex_);
          ready_.wait(lock, [&] { return stop_ || finishing_ || !queue_.empty(); });
          if (stop_) return;
          if (queue_.empty()) break;  // finishing, and every change applied
          taken.swap(queue_);
          if (spent_.empty()) spent_.swap(applied);
        }
        space_.notify_all();
        applied.reserve(applied.size() + taken.size());
        for (; !taken.empty(); taken.pop_front()) {
          if (stop_) return;
          apply(taken.front());
          applied.push_back(std::move(taken.front()));
        }
      }
      add_words(finish_.words);
      for (const auto& scope : finish_.scopes) prune(scope);
      commit(/*final=*/true);
    } catch (const std::bad_alloc&) {
      fail(std::make_exception_ptr(Error(Error::Kind::kSystem, kOutOfMemory)));
    } catch (...) {
      fail(std::current_exception());
    }
  }

  void fail(std::exception_ptr error) {
    std::lock_guard lock(mutex_);
    error_ = std::move(error);
    failed_ = true;
    space_.notify_all();
  }

  // Prior order (schema.h): a new database is kept in it; one that is not
  // (built by an older version, or renumbered by another tool) stays as it is.
  void init_order() {
    tail_next_ = std::max<Xapian::docid>(part_.tail_start, db_.get_lastdocid() + 1);
    if (db_.get_doccount() == 0) {
      order_ = prior::PriorOrder{};
      order_->start = order_->end = order_->covered = part_.start;
      order_->floor = part_.top;
    } else if (!rebuild_) {
      order_ = prior::read_prior_order(db_);
    }
  }

  // A docid for a document with this prior: the next one in order if the
  // prior is no higher than the last placed there, else the next in the tail.
  Xapian::docid place(double prior) {
    Xapian::docid next = order_->end + 1;
    if (next < prior::kTailStart && prior <= order_->floor) {
      if (next >= placed_.size())
        placed_.resize(std::max<std::size_t>(next + 1, 2 * placed_.size()));
      placed_[next] = true;
      return order_->append(prior);
    }
    return tail_next_++;
  }

  void apply(Change& change) {
    std::optional<Xapian::Document> old;
    if (change.old_docid) {
      old = db_.get_document(*change.old_docid);
      remove_words(*old);
    }
    if (!order_) {
      if (change.old_docid) {
        db_.replace_document(*change.old_docid, change.document);
      } else {
        // The snapshot knows every id the database holds and ids are unique in
        // this run, so a new id cannot be in the database already.
        db_.add_document(change.document);
      }
    } else {
      double prior = prior_of(change.document);
      if (change.old_docid && (*change.old_docid >= prior::kTailStart || prior_of(*old) == prior)) {
        db_.replace_document(*change.old_docid, change.document);  // its place still fits
      } else {
        if (change.old_docid) db_.delete_document(*change.old_docid);
        db_.replace_document(change.to_tail ? tail_next_++ : place(prior), change.document);
      }
    }
    if (change.closes_batch) {
      add_words(change.batch_words);
      commit();
    }
  }

  // Documents this run placed are kept: those past the snapshot's docids,
  // and those placed in prior order among them.
  bool kept(Xapian::docid docid) const {
    return docid >= finish_.kept.size() || finish_.kept[docid] ||
           (docid < placed_.size() && placed_[docid]);
  }

  void prune(const PruneScope& scope) {
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
      remove_words(db_.get_document(docid));
      db_.delete_document(docid);
      ++removed_;
      if (++pruned_ % batch_size_ == 0) commit();
    }
  }

  // The spelling dictionary ("did you mean") holds the spelling words of
  // every document once per document. Changes are summed per word and reach
  // Xapian with the commit, one call per distinct word, rather than one per
  // word of every document.
  void remove_words(const Xapian::Document& doc) {
    for (auto& word : spelling_words(doc)) --spelling_[std::move(word)];
  }
  void add_words(SpellingDelta& words) {
    if (spelling_.empty()) {
      spelling_ = std::move(words);
    } else {
      for (const auto& [word, change] : words) spelling_[word] += change;
    }
    words.clear();
  }

  void flush_spelling() {
    for (const auto& [word, change] : spelling_) {
      if (change > 0) {
        db_.add_spelling(word, static_cast<Xapian::termcount>(change));
      } else if (change < 0) {
        db_.remove_spelling(word, static_cast<Xapian::termcount>(-change));
      }
    }
    spelling_.clear();
  }

  void commit(bool final = false) {
    flush_spelling();
    ++commits_;
    nlohmann::json checkpoint = {{"documents", db_.get_doccount()}, {"commits", commits_}};
    db_.set_metadata(kCheckpointKey, checkpoint.dump());
    db_.set_metadata(kRootsKey, roots_);
    prior::write_prior_order(db_, order_);
    // A rebuild stamps the new version only once every file has been redone,
    // so a rebuild that is killed half-way is resumed as a rebuild.
    if (!rebuild_ || (final && finish_.complete)) {
      db_.set_metadata(std::string(schema::kMetaSchemaVersion),
                       std::string(schema::kSchemaVersion));
    }
    db_.commit_transaction();
    if (!final) db_.begin_transaction();
  }

  const std::string path_;
  const std::size_t batch_size_;
  Xapian::WritableDatabase db_;
  bool rebuild_ = false;
  std::string roots_;
  PartPlan part_;
  SpellingDelta spelling_;  // this batch, as far as it is applied
  std::size_t removed_ = 0, pruned_ = 0, commits_ = 0;
  // Prior order (nullopt: the database is not in it): docids up to
  // order_->end are in order; tail_next_ is the next docid in the tail;
  // placed_ marks the docids this run placed in order (kept by the prune).
  std::optional<prior::PriorOrder> order_;
  Xapian::docid tail_next_ = prior::kTailStart;
  std::vector<bool> placed_;

  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable ready_, space_;
  std::deque<Change> queue_;
  std::vector<Change> spent_;  // applied changes, for the thread that pushes to free
  // The thread that pushes: changes queued, and their words since the last
  // batch closed.
  std::size_t pushed_ = 0;
  SpellingDelta incoming_words_;
  Finish finish_;
  bool finishing_ = false, failed_ = false;
  std::atomic<bool> stop_ = false;  // set under the lock; also read between changes without it
  std::exception_ptr error_;
};

// One run: walks the paths, has the workers turn files into documents, and
// routes each, in the order the files were found, to the writer of its shard.
class Run {
 public:
  Run(const IndexOptions& options, IndexObserver& observer)
      : options_(options), observer_(observer), layout_(decide_layout(options)) {
    // A new sharded database's folder is marked as being created until its
    // stub names every shard, so a creation cut short is cleared by the next
    // run instead of built beside (db_folder.h).
    const bool new_shards =
        layout_.shards > 1 && examine_db_folder(options.db_path) != DbFolderState::kDatabase;
    if (new_shards && begin_db_creation(options.db_path)) {
      observer_.warning(options.db_path,
                        "its creation was interrupted before a first commit: created anew");
    }
    for (const auto& path : layout_.paths) {
      writers_.push_back(std::make_unique<ShardWriter>(path, options, observer));
    }
    // Written once every shard exists, so the stub never names a missing one.
    if (new_shards) {
      write_stub(options.db_path, layout_.shards);
      end_db_creation(options.db_path);
    }
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

  IndexStats go(const std::vector<std::string>& paths) {
    std::vector<InputFile> files;
    Walker walker(options_, observer_, stats_);
    roots_ = load_roots();
    for (const auto& given : paths) {
      fs::path path(given);
      std::error_code ec;
      fs::path canonical = fs::canonical(path, ec);
      if (ec) {
        // A broken or looping symlink, or a path that cannot be resolved:
        // named, and nothing is taken from it (no root, nothing pruned).
        ++stats_.seen;
        ++stats_.rejected;
        observer_.rejected(given, "cannot be resolved: " + ec.message());
        continue;
      }
      bool folder = fs::is_directory(canonical, ec);
      std::vector<fs::path> roots_before = roots_;
      std::size_t scopes_before = prune_scopes_.size();
      fs::path base = base_for(folder ? canonical : canonical.parent_path(), folder);
      const std::string& term = root_terms_.emplace_back(schema::root_term(base.string()));
      if (folder) {
        // Prune the walked folder only: all of its root, or the ids under it.
        std::string sub = canonical.lexically_relative(base).generic_string();
        prune_scopes_.push_back({term, sub == "." ? "" : sub + "/", false, ""});
        walker.walk_root(path, base, term, files);
        if (walker.found() == 0 && !options_.prune_empty && would_prune_any(scopes_before)) {
          // An empty folder (an unmounted disk looks so) changes nothing:
          // neither the documents from it nor the roots.
          prune_scopes_.resize(scopes_before);
          roots_ = std::move(roots_before);
          observer_.warning(given,
                            "holds no files, but the database holds documents from it: they are "
                            "kept (is a disk unmounted? --prune-empty removes them)");
        }
      } else {
        files.push_back(
            {path.string(), canonical.lexically_relative(base).generic_string(), &term});
      }
    }
    // One document per id. A file named twice (under one root) is read
    // once; two files of different roots with one id are a collision: the
    // first keeps the id and the other is rejected, by name.
    {
      std::vector<bool> first(files.size());
      {
        // Views of the ids: gone before the files move.
        std::unordered_map<std::string_view, std::size_t> ids;
        ids.reserve(files.size());
        for (std::size_t i = 0; i < files.size(); ++i) {
          auto [it, inserted] = ids.emplace(files[i].id, i);
          first[i] = inserted;
          if (inserted || *files[it->second].root_term == *files[i].root_term) continue;
          // The file whose folder holds the id in the database keeps it.
          std::size_t loser = i;
          if (indexed_root_term(files[i].id) == *files[i].root_term) {
            loser = it->second;
            first[loser] = false;
            first[i] = true;
            it->second = i;
          }
          ++stats_.seen;
          ++stats_.rejected;
          observer_.rejected(files[loser].path,
                             id_collision(files[loser].id, files[it->second].path));
        }
      }
      std::size_t kept = 0;
      for (std::size_t i = 0; i < files.size(); ++i) {
        if (!first[i]) continue;
        if (kept != i) files[kept] = std::move(files[i]);
        ++kept;
      }
      files.erase(files.begin() + static_cast<std::ptrdiff_t>(kept), files.end());
    }
    for (auto& file : files) file.shard = shard_of(file.id, layout_.shards);
    const std::size_t total = stats_.seen + files.size();  // the walk counted the rest as seen

    Xapian::doccount committed = 0;
    for (auto& writer : writers_) committed += writer->database().get_doccount();
    unsigned threads =
        options_.threads ? options_.threads : std::max(1u, std::thread::hardware_concurrency());
    if (committed == 0) {
      std::uintmax_t input_bytes = order_by_prior(files, threads);
      if (layout_.shards == 1 && !rebuild_ && threads >= 2 && options_.split_from > 0 &&
          files.size() >= options_.split_from && files.size() < prior::kTailStart &&
          split_fits_on_disk(input_bytes)) {
        split(files);
      }
    }
    std::vector<Xapian::WritableDatabase*> dbs;
    for (auto& writer : writers_) {
      dbs.push_back(&writer->database());
      kept_.emplace_back(writer->database().get_lastdocid() + 1, false);
    }
    if (committed > 0) {
      for (const auto& path : layout_.paths) lookup_.add_database(open_local(path));
    }
    nlohmann::json roots = nlohmann::json::array();
    for (const auto& root : roots_) roots.push_back(root.string());
    {
      Snapshot snapshot(dbs, roots_.size() > 1 ? roots_ : std::vector<fs::path>{});
      for (auto& writer : writers_) writer->start(rebuild_, roots.dump());
      // A re-run reads every file and parses only the changed ones, so it
      // keeps more reads in flight (as the first look does).
      Pipeline pipeline(files, snapshot, rebuild_, threads, committed > 0 ? kDiskThreads : threads);
      for (std::size_t i = 0; i < files.size() && !stop_requested(); ++i) {
        apply(files[i], pipeline.take(i));
        if (stats_.seen % 64 == 0) observer_.progress(stats_, total);
      }
    }
    // A stopped run has not seen every file, so it cannot tell vanished
    // files from files not yet taken: it prunes nothing.
    const bool complete = !stop_requested();
    std::vector<PruneScope> scopes;
    for (const auto& scope : prune_scopes_) {
      if (complete && (options_.prune || scope.absorbed)) scopes.push_back(scope);
    }
    for (std::size_t s = 0; s < writers_.size(); ++s) {
      Finish finish;
      finish.complete = complete;
      finish.scopes = scopes;
      finish.kept = std::move(kept_[s]);
      finish.unreadable = walker.unreadable_;
      writers_[s]->finish(std::move(finish));
    }
    rethrow_failure();
    for (auto& writer : writers_) {
      stats_.removed += writer->removed();
      stats_.commits += writer->commits();
    }
    if (!complete) {
      stats_.interrupted = options_.stop->load();
      stats_.parts_kept = !parts_.empty();  // settle_parts merges them on the next run
      stats_.shards = layout_.shards;
      return stats_;
    }
    if (!parts_.empty()) {
      writers_.clear();                       // closes the parts
      merge_parts(options_.db_path, parts_);  // held_ keeps the lock meanwhile
      held_.close();
      remove_parts(parts_, observer_);
      ++stats_.commits;
    }
    stats_.shards = layout_.shards;
    observer_.progress(stats_, total);
    return stats_;
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

  void abandon() noexcept {
    for (auto& writer : writers_) writer->abandon();
  }

 private:
  void apply(const InputFile& file, Outcome out) {
    ++stats_.seen;
    const std::string& name = file.path;
    switch (out.kind) {
      case Outcome::Kind::kUnchanged:
        ++stats_.unchanged;
        keep(file.shard, *out.old_docid);
        return;
      case Outcome::Kind::kNotADocument:
        // A previously indexed version is pruned: the file is no longer news.
        ++stats_.skipped;
        observer_.skipped(name, out.reason);
        return;
      case Outcome::Kind::kVanished:
        // Deleted since the walk: its document is pruned with the vanished files'.
        ++stats_.vanished;
        observer_.skipped(name, "gone before it was read");
        return;
      case Outcome::Kind::kRejected:
        // A rejected file keeps its last good version, if any, until it is fixed.
        ++stats_.rejected;
        observer_.rejected(name, out.reason);
        if (out.old_docid) keep(file.shard, *out.old_docid);
        return;
      case Outcome::Kind::kIndexed:
        break;
    }
    for (const auto& warning : out.warnings) observer_.warning(name, warning);
    adopt_story_key(out.document, out.url_term, file.id);
    if (out.old_docid) keep(file.shard, *out.old_docid);
    Change change;
    change.old_docid = out.old_docid;
    change.document = std::move(out.document);
    change.words = std::move(out.words);
    // A document whose prior is below what the quick look at its file said
    // (the look misread it) is not placed in order: there it would lower the
    // floor below the next files' priors and send all of them to the tail.
    double prior = prior_of(change.document);
    if (file.look >= 0 && prior < file.look) change.to_tail = true;
    unsigned shard = parts_.empty() ? file.shard : route(file.shard, prior, change);
    if (!writers_[shard]->push(std::move(change))) {
      // That writer failed: stop the others, then report its error.
      for (auto& writer : writers_) writer->stop();
      rethrow_failure();
    }
    ++stats_.indexed;
  }

  // A new database is built in prior order (schema.h): the files are taken
  // highest prior first, as a quick look at each tells (peek_prior, kept in
  // InputFile::look), so that nearly every document lands in order.
  // Unreadable and unclear files last.
  // Returns the bytes the files hold.
  std::uintmax_t order_by_prior(std::vector<InputFile>& files, unsigned threads) const {
    std::atomic<std::size_t> next{0};
    std::atomic<std::uintmax_t> total{0};
    std::atomic<bool> out_of_memory{false};
    auto look = [&] {
      try {
        std::string bytes, error;
        for (std::size_t i; (i = next.fetch_add(1)) < files.size() && !stop_requested();) {
          std::optional<double> prior;
          if (read_file(files[i].path, bytes, error) == ReadResult::kRead) {
            prior = prior::peek_prior(bytes);
            total += bytes.size();
          }
          files[i].look = prior.value_or(-1.0);
        }
      } catch (const std::bad_alloc&) {
        out_of_memory = true;
        next = files.size();  // the others stop too
      }
    };
    // The databases open no files meanwhile.
    run_on_threads(readers_within_descriptors(std::max(threads, kDiskThreads), 0), kReaderStack,
                   look);
    if (out_of_memory) throw Error(Error::Kind::kSystem, kOutOfMemory);
    // Sorted by index, then moved once: cheaper than moving the files at every pass.
    std::vector<std::size_t> order(files.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return files[a].look > files[b].look; });
    std::vector<InputFile> sorted;
    sorted.reserve(files.size());
    for (std::size_t i : order) sorted.push_back(std::move(files[i]));
    files = std::move(sorted);
    return total;
  }

  // A large new database is built in two parts side by side, one writer each
  // (the writer is the bottleneck of a run, and two keep both cores busy),
  // then merged into one compacted database (merge_parts) that is the same as
  // one built in one go (but for which of two copies of a story published
  // under one url lends the story its key), in prior order: the high part
  // takes the first half of the files (highest priors) and docids from 1,
  // the low part the rest and docids after the high part's. Meanwhile the database at the path
  // stays empty and locked (held_); the parts are folders in parts_path().
  void split(std::vector<InputFile>& files) {
    std::size_t half = (files.size() + 1) / 2;
    double top = files[half - 1].look;  // the lowest prior the high part looked at
    if (top < 0) return;                // mostly unclear files: one database
    fs::path parts = parts_path(options_.db_path);
    std::error_code ec;
    if (fs::exists(fs::symlink_status(parts, ec))) {
      // Not ours (settle_parts removed any of ours): never touched.
      observer_.warning(parts.string(),
                        "exists and was not made by news-index: the database is built in one go");
      return;
    }
    create_parts_folder(parts, options_.db_path);
    held_ = writers_.front()->database();  // a handle: the database stays open and locked
    writers_.clear();
    for (const char* name : {"0", "1"}) {
      writers_.push_back(
          std::make_unique<ShardWriter>((parts / name).string(), options_, observer_));
    }
    writers_[1]->plan_part({static_cast<Xapian::docid>(half), prior::kTailStart, top});
    // The files are taken one from each half in turn, so that both writers
    // work all along; each still gets its own files in prior order.
    std::vector<InputFile> turns;
    turns.reserve(files.size());
    for (std::size_t i = 0; i < half; ++i) {
      turns.push_back(std::move(files[i]));
      turns.back().shard = 0;
      if (half + i < files.size()) {
        turns.push_back(std::move(files[half + i]));
        turns.back().shard = 1;
      }
    }
    files = std::move(turns);
    parts_ = parts;
    high_bottom_ = top;
  }

  // The part a new document of a split build goes to. The high part places
  // every document in order, so that its docids stay below the low part's: a
  // document of its half whose prior does not fit there, or is below its
  // look (apply), goes to the low part's tail instead. This follows the writer's own
  // rule (ShardWriter::place), over the same documents in the same order.
  unsigned route(unsigned part, double prior, Change& change) {
    if (part != 0) return part;
    if (!change.to_tail && prior <= high_floor_ && prior >= high_bottom_) {
      high_floor_ = prior;
      return 0;
    }
    change.to_tail = true;
    return 1;
  }

  // A split build holds its two parts and the merged database at once: about
  // a third more than a build in one go. It is chosen only when the disk has
  // room for that with a margin (docs/design.md, "Split first builds and free space").
  bool split_fits_on_disk(std::uintmax_t input_bytes) {
    std::uintmax_t needed = split_build_peak_bytes(input_bytes);
    std::error_code ec;
    fs::path folder = fs::absolute(options_.db_path, ec).parent_path();
    fs::space_info space = fs::space(folder, ec);
    if (ec || space.available == std::uintmax_t(-1)) return true;  // unknown: as before
    if (space.available >= needed) return true;
    observer_.warning(options_.db_path,
                      "a first build in two parts needs about " + mebibytes(needed) +
                          " of free space and " + folder.string() + " has " +
                          mebibytes(space.available) +
                          ": built in one go, which needs about two thirds of that");
    return false;
  }

  // The root term of the document the database holds under `id`, if any.
  std::string indexed_root_term(const std::string& id) {
    Xapian::WritableDatabase& db = writers_[shard_of(id, layout_.shards)]->database();
    std::string term = schema::id_term(id);
    Xapian::PostingIterator posting = db.postlist_begin(term);
    if (posting == db.postlist_end(term)) return {};
    Xapian::TermIterator root = db.termlist_begin(*posting);
    root.skip_to(std::string(schema::kRootPrefix));
    if (root == db.termlist_end(*posting) || !(*root).starts_with(schema::kRootPrefix)) return {};
    return *root;
  }

  bool stop_requested() const { return options_.stop && options_.stop->load() != 0; }

  // Whether the prune scopes from `first` on would remove any document.
  bool would_prune_any(std::size_t first) {
    for (std::size_t i = first; i < prune_scopes_.size(); ++i) {
      const PruneScope& scope = prune_scopes_[i];
      if (!options_.prune && !scope.absorbed) continue;
      for (auto& writer : writers_) {
        Xapian::Database& db = writer->database();
        const std::string& term = scope.root_term;
        if (scope.id_prefix.empty()) {
          if (db.get_termfreq(term) > 0) return true;
          continue;
        }
        for (auto it = db.postlist_begin(term); it != db.postlist_end(term); ++it) {
          if (db.get_document(*it).get_value(schema::kId).starts_with(scope.id_prefix)) return true;
        }
      }
    }
    return false;
  }

  void keep(unsigned shard, Xapian::docid docid) {
    auto& kept = kept_[shard];
    if (docid < kept.size()) kept[docid] = true;
  }

  // The indexed root for a folder: the outermost root already in the database
  // that holds it, so a file keeps one id whichever folder above it is named.
  // A new root that holds older ones absorbs them: their documents come back
  // under ids relative to the new root, and the old ones are pruned.
  // `walked`: the folder is walked; a file's folder (not walked) never
  // absorbs the roots inside it, whose files this run does not see: it is
  // then its file's base without becoming a root.
  fs::path base_for(const fs::path& folder, bool walked) {
    for (const auto& root : roots_) {
      if (is_within(folder, root)) return root;
    }
    if (!walked && std::any_of(roots_.begin(), roots_.end(),
                               [&](const fs::path& root) { return is_within(root, folder); })) {
      return folder;
    }
    std::vector<fs::path> kept;
    for (const auto& root : roots_) {
      if (is_within(root, folder)) {
        prune_scopes_.push_back({schema::root_term(root.string()), "", true,
                                 root.lexically_relative(folder).generic_string() + "/"});
      } else {
        kept.push_back(root);
      }
    }
    kept.push_back(folder);
    roots_ = std::move(kept);
    return folder;
  }

  // The roots, as the first shard stores them (every shard stores the same).
  std::vector<fs::path> load_roots() {
    std::vector<fs::path> roots;
    auto stored =
        nlohmann::json::parse(writers_.front()->database().get_metadata(kRootsKey), nullptr, false);
    if (stored.is_array()) {
      for (const auto& root : stored) {
        if (root.is_string()) roots.emplace_back(root.get<std::string>());
      }
    }
    return roots;
  }

  // A story published twice under one url, with different titles, is one
  // story: a copy takes the collapse key of the first copy this run indexed,
  // else of a copy already in the database (in any shard), else keeps its own.
  void adopt_story_key(Xapian::Document& doc, const std::string& url_term, const std::string& id) {
    if (url_term.empty()) return;
    std::uint64_t url = XXH3_64bits(url_term.data(), url_term.size());
    if (auto it = story_keys_.find(url); it != story_keys_.end()) {
      set_story_key(doc, it->second);
      return;
    }
    if (auto key = committed_story_key(url_term, id)) set_story_key(doc, *key);
    story_keys_.emplace(url, doc.get_value(schema::kDedupKey));
  }

  static void set_story_key(Xapian::Document& doc, const std::string& key) {
    std::string own = doc.get_value(schema::kDedupKey);
    if (own == key) return;
    doc.remove_term(schema::story_term(own));
    doc.add_boolean_term(schema::story_term(key));
    doc.add_value(schema::kDedupKey, key);
  }

  std::optional<std::string> committed_story_key(const std::string& url_term,
                                                 const std::string& id) {
    if (lookup_.size() == 0) return std::nullopt;
    // The shard writers commit meanwhile (read_retry.h).
    return read_newest(&lookup_, [&]() -> std::optional<std::string> {
      for (auto it = lookup_.postlist_begin(url_term); it != lookup_.postlist_end(url_term); ++it) {
        Xapian::Document copy = lookup_.get_document(*it);
        if (copy.get_value(schema::kId) == id) continue;
        return copy.get_value(schema::kDedupKey);
      }
      return std::nullopt;
    });
  }

  const IndexOptions& options_;
  IndexObserver& observer_;
  Layout layout_;
  std::vector<std::unique_ptr<ShardWriter>> writers_;
  Xapian::Database lookup_;  // the committed shards, read-only: other copies of a story
  IndexStats stats_;
  std::vector<std::vector<bool>> kept_;  // by shard and docid: documents the run keeps
  std::vector<fs::path> roots_;
  std::deque<std::string> root_terms_;  // the files' root terms (stable addresses)
  std::vector<PruneScope> prune_scopes_;
  std::unordered_map<std::uint64_t, std::string> story_keys_;  // url hash -> collapse key
  bool rebuild_ = false;  // the database has an older schema: ignore stored hashes
  // A split build (split()): the parts' folder, the database at the path
  // (empty, locked until the merge), and the high part's placing so far.
  fs::path parts_;
  Xapian::WritableDatabase held_;
  double high_floor_ = std::numeric_limits<double>::infinity();
  double high_bottom_ = 0;
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
  // Xapian's errors while the database is opened (settle_parts, Run's
  // constructor) are reported as those of a run.
  try {
    settle_parts(options, observer);
    Run run(options, observer);
    try {
      return run.go(paths);
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
