#include "store/db_folder.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "base/error.h"

namespace fs = std::filesystem;

namespace news {

namespace {

// The files Xapian's glass backend writes in a database folder, and ours.
bool is_known_file(const fs::path& name) {
  std::string n = name.filename().string();
  return name.extension() == ".glass" || name.extension() == ".tmp" || n == "iamglass" ||
         n == "flintlock" || n == kCreationMarker || n == kPartsMarker;
}

// Every entry under `folder` is a known file or a folder of the same;
// otherwise `found` names the first one that is not.
bool only_known(const fs::path& folder, std::string& found, int depth = 0) {
  std::error_code ec;
  if (depth > 4) {
    found = folder.string() + " (nested too deep)";
    return false;
  }
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    fs::file_status status = it->symlink_status(ec);
    if (fs::is_directory(status)) {
      if (!only_known(it->path(), found, depth + 1)) return false;
    } else if (!fs::is_regular_file(status) || !is_known_file(it->path())) {
      found = it->path().string();
      return false;
    }
  }
  if (ec) {
    found = folder.string() + " (" + ec.message() + ")";
    return false;
  }
  return true;
}

void write_small_file(const fs::path& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  bool ok = fd >= 0 && ::write(fd, text.data(), text.size()) == ssize_t(text.size());
  int error = errno;
  if (fd >= 0 && ::close(fd) != 0 && ok) {
    ok = false;
    error = errno;
  }
  if (!ok) {
    throw Error(Error::Kind::kDatabase,
                "cannot write " + path.string() + ": " + std::strerror(error));
  }
}

// The text of a marker file: small, regular, never blocking (a FIFO put in
// its place is not read).
std::string read_marker(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return {};
  std::string text;
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < 8192) {
    text.resize(std::size_t(st.st_size));
    ssize_t n = ::read(fd, text.data(), text.size());
    text.resize(n > 0 ? std::size_t(n) : 0);
  }
  ::close(fd);
  return text;
}

std::string canonical_text(const fs::path& path) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  return (ec ? fs::absolute(path, ec) : canonical).lexically_normal().string();
}

}  // namespace

DbFolderState examine_db_folder(const fs::path& db, std::string* found) {
  std::error_code ec;
  fs::file_status status = fs::status(db, ec);
  if (!fs::exists(status)) return DbFolderState::kAbsent;
  if (!fs::is_directory(status)) {
    if (found) *found = "it is not a folder (a stub file is searched, not indexed)";
    return DbFolderState::kNotDatabase;
  }
  if (fs::exists(db / "iamglass", ec) || fs::exists(db / "XAPIANDB", ec)) {
    return DbFolderState::kDatabase;
  }
  if (fs::exists(fs::symlink_status(db / kCreationMarker, ec))) return DbFolderState::kUnfinished;
  fs::directory_iterator it(db, ec);
  if (ec) {
    if (found) *found = "it cannot be read: " + ec.message();
    return DbFolderState::kNotDatabase;
  }
  if (it == fs::directory_iterator()) return DbFolderState::kAbsent;
  if (found) *found = "it holds " + it->path().filename().string() + " and no database";
  return DbFolderState::kNotDatabase;
}

bool begin_db_creation(const fs::path& db) {
  std::string found;
  bool cleared = false;
  switch (examine_db_folder(db, &found)) {
    case DbFolderState::kDatabase:
      return false;
    case DbFolderState::kNotDatabase:
      throw Error(Error::Kind::kDatabase,
                  "cannot create a database at " + db.string() + ": " + found +
                      " (news-index creates databases only in new or empty folders)");
    case DbFolderState::kUnfinished: {
      std::string left;
      for (const auto& entry : fs::directory_iterator(db)) {
        if (entry.path().filename() == kCreationMarker) continue;
        if (entry.is_directory()) {
          left = remove_own_folder(entry.path());
        } else if (is_known_file(entry.path())) {
          std::error_code ec;
          if (!fs::remove(entry.path(), ec) && ec)
            left = entry.path().string() + ": " + ec.message();
        } else {
          left = entry.path().string() + " was not written by news-index";
        }
        if (!left.empty()) {
          throw Error(Error::Kind::kDatabase,
                      "database " + db.string() +
                          " was being created when a run stopped, and cannot be cleared: " + left +
                          " (remove the folder, or give another --db)");
        }
      }
      cleared = true;
      break;
    }
    case DbFolderState::kAbsent: {
      std::error_code ec;
      fs::create_directories(db, ec);
      if (ec) {
        throw Error(Error::Kind::kDatabase,
                    "cannot create database " + db.string() + ": " + ec.message());
      }
      break;
    }
  }
  write_small_file(db / kCreationMarker,
                   "news-index is creating a database in this folder; if this file stays, the "
                   "next news-index run clears the folder and creates it anew.\n");
  return cleared;
}

void end_db_creation(const fs::path& db) {
  std::error_code ec;
  fs::remove(db / kCreationMarker, ec);  // a marker left beside iamglass is never read
}

bool is_own_parts_folder(const fs::path& parts, const fs::path& db) {
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(parts, ec))) return false;
  return read_marker(parts / kPartsMarker) == canonical_text(db) + "\n";
}

void create_parts_folder(const fs::path& parts, const fs::path& db) {
  std::error_code ec;
  if (!fs::create_directory(parts, ec)) {
    throw Error(Error::Kind::kDatabase,
                "cannot create " + parts.string() + ": " + (ec ? ec.message() : "it exists"));
  }
  write_small_file(parts / kPartsMarker, canonical_text(db) + "\n");
}

std::string remove_own_folder(const fs::path& folder) {
  std::string found;
  if (!only_known(folder, found)) return found + " was not written by news-index";
  std::error_code ec;
  fs::remove_all(folder, ec);
  return ec ? folder.string() + ": " + ec.message() : std::string();
}

}  // namespace news
