#include "base/file_read.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <thread>

namespace news {
namespace {

// Reads that hold an open file, and how many have closed theirs: a read that
// finds no descriptor left waits for the count of closes to move.
std::atomic<int> reads_open{0};
std::atomic<unsigned> reads_closed{0};
std::atomic<int> reads_waiting{0};

// Tries when no read of ours holds a descriptor (the process's other
// descriptors may be freed soon: a database's writer opens and closes files
// as it commits), kPause apart.
constexpr int kTriesWithNoneOpen = 100;
constexpr std::chrono::milliseconds kPause{10};

class OpenFile {
 public:
  explicit OpenFile(int fd) : fd_(fd) { reads_open.fetch_add(1); }
  ~OpenFile() {
    ::close(fd_);
    reads_open.fetch_sub(1);
    reads_closed.fetch_add(1);
    if (reads_waiting.load() > 0) reads_closed.notify_all();
  }
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// Opens `path` for reading without waiting (O_NONBLOCK: a FIFO with no writer
// opens at once) and without taking a terminal; -1 with errno on failure.
int open_now(const std::string& path) {
  int tries_with_none_open = 0;
  while (true) {
    unsigned closed = reads_closed.load();
    int fd = open_path(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd >= 0) return fd;
    if (errno == EINTR) continue;
    if (errno != EMFILE && errno != ENFILE) return -1;
    int saved = errno;
    if (reads_open.load() > 0) {
      reads_waiting.fetch_add(1);
      reads_closed.wait(closed);  // returns at once if one closed since `closed` was read
      reads_waiting.fetch_sub(1);
    } else if (++tries_with_none_open < kTriesWithNoneOpen) {
      std::this_thread::sleep_for(kPause);
    } else {
      errno = saved;
      return -1;
    }
  }
}

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a file";
}

std::string size_text(std::size_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

// Plain open, fstat and read into the string, without stdio: a new
// database's run reads every file twice (its look, then its parse), and
// stdio's buffer and copying cost measurably at a million files
// (docs/design.md, "Reading files a user names"). The fstat that checks the
// type also sizes the string. `truncate`: a file larger than
// `max_bytes` gives its first `max_bytes` rather than a refusal.
ReadResult read_regular(const std::string& path, std::size_t max_bytes, bool truncate,
                        std::string& bytes, std::string& error) {
  auto fail = [&error](const char* what) {
    error = std::string(what) + std::strerror(errno);
    return ReadResult::kRefused;
  };
  auto too_large = [&] {
    bytes.clear();
    error = "file is larger than " + size_text(max_bytes);
    return ReadResult::kTooLarge;
  };
  bytes.clear();
  int fd = open_now(path);
  if (fd < 0) {
    bool no_descriptors = errno == EMFILE || errno == ENFILE;
    fail("cannot read: ");
    return no_descriptors ? ReadResult::kNoDescriptors : ReadResult::kRefused;
  }
  OpenFile file(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return fail("cannot read: ");
  if (!S_ISREG(st.st_mode)) {
    error = std::string("not a regular file (") + kind_of(st.st_mode) + ")";
    return ReadResult::kRefused;
  }
  if (st.st_size < 0 || (!truncate && std::uintmax_t(st.st_size) > max_bytes)) {
    return too_large();
  }
  // One byte more than the size, so that the read that finds the end is the
  // second, and a file that grew meanwhile is read on; files of /proc say 0.
  bytes.resize(std::min(std::size_t(st.st_size), max_bytes) + 1);
  std::size_t have = 0;
  while (true) {
    if (have == bytes.size()) {
      if (have > max_bytes) break;
      bytes.resize(std::min(max_bytes + 1, std::max<std::size_t>(2 * have, 65536)));
    }
    ssize_t n = ::read(fd, bytes.data() + have, bytes.size() - have);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      bytes.clear();
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        error = "cannot read: it would wait for more to be written (not a stored file)";
        return ReadResult::kRefused;
      }
      return fail("cannot read: ");
    }
    have += std::size_t(n);
  }
  if (have > max_bytes) {
    if (!truncate) return too_large();
    have = max_bytes;
  }
  bytes.resize(have);
  return ReadResult::kRead;
}

}  // namespace

int open_path(const std::string& path, int flags) {
  if (path.size() < PATH_MAX) return ::open(path.c_str(), flags);
  int at = AT_FDCWD;  // the folder reached so far
  auto close_at = [&at] {
    if (at != AT_FDCWD) ::close(at);
  };
  std::size_t from = 0;
  while (path.size() - from >= PATH_MAX) {
    std::size_t cut = path.rfind('/', from + PATH_MAX - 1);
    if (cut == std::string::npos || cut <= from) {
      close_at();
      errno = ENAMETOOLONG;
      return -1;
    }
    std::string piece = path.substr(from, cut - from);
    int next = ::openat(at, piece.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    int saved = errno;
    close_at();
    if (next < 0) {
      errno = saved;
      return -1;
    }
    at = next;
    from = cut + 1;
  }
  int fd = ::openat(at, path.c_str() + from, flags);
  int saved = errno;
  close_at();
  errno = saved;
  return fd;
}

ReadResult read_regular_file(const std::string& path, std::size_t max_bytes, std::string& bytes,
                             std::string& error) {
  return read_regular(path, max_bytes, false, bytes, error);
}

ReadResult read_regular_file_start(const std::string& path, std::size_t max_bytes,
                                   std::string& bytes, std::string& error) {
  return read_regular(path, max_bytes, true, bytes, error);
}

std::size_t spare_descriptors(std::size_t enough) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY ||
      limit.rlim_cur >= enough + 4096) {
    return enough;
  }
  std::size_t open = 0;
  for (rlim_t fd = 0; fd < limit.rlim_cur; ++fd) {
    if (::fcntl(int(fd), F_GETFD) != -1) ++open;
  }
  return std::min(enough,
                  std::size_t(limit.rlim_cur) - std::min<std::size_t>(open, limit.rlim_cur));
}

}  // namespace news
