#include "index/walker.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <system_error>
#include <utility>

#include "base/file_read.h"
#include "store/db_folder.h"
#include "store/shards.h"

namespace fs = std::filesystem;

namespace news {

bool is_within(const fs::path& child, const fs::path& root) {
  if (root.empty()) return false;  // a path that could not be resolved holds nothing
  auto [root_end, child_it] = std::mismatch(root.begin(), root.end(), child.begin(), child.end());
  return root_end == root.end();
}

namespace {

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

using FileKey = std::pair<dev_t, ino_t>;  // a folder's identity, whatever its path

}  // namespace

class Walker::Walk {
 public:
  Walk(const IndexOptions& options, IndexObserver& observer, IndexStats& stats,
       std::vector<std::string>& unreadable)
      : options_(options), observer_(observer), stats_(stats), unreadable_(unreadable) {
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
  // Id prefixes ("sub/dir/", "" for a whole root) of the folders that could
  // not be read, and ids of entries that could not be read: not pruned.
  std::vector<std::string>& unreadable_;
  std::set<FileKey> own_;  // the run's database folders
  fs::path root_;          // canonical: where symlinks may lead without --follow-symlinks
  const std::string* root_term_ = nullptr;
  std::vector<InputFile>* out_ = nullptr;
  std::size_t found_ = 0;
  std::set<FileKey> visited_;
  std::string path_, id_;  // the entry being visited: its path as given, and its id
};

Walker::Walker(const IndexOptions& options, IndexObserver& observer, IndexStats& stats,
               std::vector<std::string>& unreadable)
    : walk_(std::make_unique<Walk>(options, observer, stats, unreadable)) {}

Walker::~Walker() = default;

void Walker::walk_root(const fs::path& dir, const fs::path& base, const std::string& root_term,
                       std::vector<InputFile>& out) {
  walk_->walk_root(dir, base, root_term, out);
}

std::size_t Walker::found() const { return walk_->found(); }

}  // namespace news
