// An LD_PRELOAD shim that simulates a full disk (or a failing one) under one
// folder, so the tests can check what news-index does when a write fails on
// any machine, without root or a small file system.
//
// Environment:
//   NEWS_FAULT_DIR     absolute folder; only files under it are affected
//   NEWS_FAULT_BUDGET  bytes that may still be written to those files
//                      (default 0); the write that goes past it is cut
//                      short and the next ones fail with ENOSPC
//   NEWS_FAULT_MODE    "full" (default): once the budget is spent, every
//                      write, fsync and fdatasync of those files fails;
//                      "sync": writes always succeed, but once the budget
//                      is spent every fsync and fdatasync fails (as on
//                      file systems that report ENOSPC at sync time);
//                      "once": only the first write past the budget fails,
//                      later ones succeed again (space freed meanwhile)
//   NEWS_FAULT_FILE    optional: only files whose name (under the folder)
//                      contains this text are affected, e.g. "postlist"
//   NEWS_FAULT_REPORT  optional file: appended one line per injected fault
//
// Intercepts write, pwrite, pwrite64, writev, pwritev, fsync and fdatasync;
// everything else, and every other file, goes straight to the C library.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

enum class Mode { kFull, kSync, kOnce };

struct Config {
  char dir[PATH_MAX] = {};
  std::size_t dir_len = 0;
  Mode mode = Mode::kFull;
  const char* file = nullptr;
  const char* report = nullptr;
  bool active = false;
};

Config& config() {
  static Config config = [] {
    Config c;
    const char* dir = std::getenv("NEWS_FAULT_DIR");
    if (dir == nullptr || dir[0] != '/') return c;
    std::size_t len = std::strlen(dir);
    while (len > 1 && dir[len - 1] == '/') --len;
    if (len >= sizeof c.dir) return c;
    std::memcpy(c.dir, dir, len);
    c.dir_len = len;
    if (const char* mode = std::getenv("NEWS_FAULT_MODE")) {
      if (std::strcmp(mode, "sync") == 0) c.mode = Mode::kSync;
      if (std::strcmp(mode, "once") == 0) c.mode = Mode::kOnce;
    }
    c.file = std::getenv("NEWS_FAULT_FILE");
    if (c.file != nullptr && c.file[0] == '\0') c.file = nullptr;
    c.report = std::getenv("NEWS_FAULT_REPORT");
    c.active = true;
    return c;
  }();
  return config;
}

std::atomic<long long>& budget() {
  static std::atomic<long long> budget = [] {
    const char* text = std::getenv("NEWS_FAULT_BUDGET");
    return text ? std::atoll(text) : 0LL;
  }();
  return budget;
}

std::atomic<bool> exhausted{false};  // a write has been refused
std::atomic<int> injected{0};        // faults injected so far

template <typename F>
F next(const char* name) {
  return reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
}

bool fd_path(int fd, char (&target)[PATH_MAX]) {
  char link[64];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = ::readlink(link, target, sizeof target - 1);
  if (n <= 0) return false;
  target[n] = '\0';
  return true;
}

// Whether `fd` is a file under NEWS_FAULT_DIR.
bool affected(int fd) {
  const Config& c = config();
  char target[PATH_MAX];
  if (!c.active || fd < 0 || !fd_path(fd, target)) return false;
  if (std::strlen(target) <= c.dir_len || std::memcmp(target, c.dir, c.dir_len) != 0 ||
      target[c.dir_len] != '/') {
    return false;
  }
  return c.file == nullptr || std::strstr(target + c.dir_len, c.file) != nullptr;
}

// Fails the call with ENOSPC, noting it in NEWS_FAULT_REPORT.
int inject(const char* call, int fd) {
  ++injected;
  const Config& c = config();
  if (c.report != nullptr) {
    int out = ::open(c.report, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (out >= 0) {
      char target[PATH_MAX] = "?";
      fd_path(fd, target);
      char line[PATH_MAX + 64];
      int len = std::snprintf(line, sizeof line, "%s %s\n", call, target);
      static auto real_write = next<ssize_t (*)(int, const void*, size_t)>("write");
      if (len > 0) (void)!real_write(out, line, static_cast<std::size_t>(len));
      ::close(out);
    }
  }
  errno = ENOSPC;
  return -1;
}

// How many of `count` bytes a write to `fd` may write: all of them for files
// not affected, fewer when the budget runs out (a short write, as a real file
// system does), -1 with errno ENOSPC when it is spent. `partial`: whether a
// short write is possible (not for the vector calls).
ssize_t allowance(int fd, std::size_t count, const char* call, bool partial = true) {
  if (!affected(fd)) return static_cast<ssize_t>(count);
  const Mode mode = config().mode;
  const long long want = static_cast<long long>(count);
  if (mode == Mode::kSync) {
    budget() -= want;
    return static_cast<ssize_t>(count);
  }
  if (mode == Mode::kOnce && injected.load() > 0) return static_cast<ssize_t>(count);
  if (!exhausted.load()) {
    long long left = budget().load();
    if (left >= want) {
      budget() -= want;
      return static_cast<ssize_t>(count);
    }
    if (left > 0 && partial) {
      budget() = 0;
      return static_cast<ssize_t>(left);
    }
  }
  exhausted = true;
  return inject(call, fd);
}

// Whether fsync or fdatasync of `fd` succeeds: 0, or -1 with errno ENOSPC.
int sync_allowance(int fd, const char* call) {
  if (!affected(fd)) return 0;
  switch (config().mode) {
    case Mode::kFull:
      return exhausted.load() ? inject(call, fd) : 0;
    case Mode::kSync:
      return budget().load() <= 0 ? inject(call, fd) : 0;
    case Mode::kOnce:
      return 0;
  }
  return 0;
}

}  // namespace

extern "C" {

ssize_t write(int fd, const void* buf, size_t count) {
  static auto real = next<ssize_t (*)(int, const void*, size_t)>("write");
  ssize_t n = allowance(fd, count, "write");
  if (n < 0) return -1;
  return real(fd, buf, static_cast<size_t>(n));
}

ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
  static auto real = next<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite");
  ssize_t n = allowance(fd, count, "pwrite");
  if (n < 0) return -1;
  return real(fd, buf, static_cast<size_t>(n), offset);
}

ssize_t pwrite64(int fd, const void* buf, size_t count, off64_t offset) {
  static auto real = next<ssize_t (*)(int, const void*, size_t, off64_t)>("pwrite64");
  ssize_t n = allowance(fd, count, "pwrite64");
  if (n < 0) return -1;
  return real(fd, buf, static_cast<size_t>(n), offset);
}

ssize_t writev(int fd, const struct iovec* iov, int iovcnt) {
  static auto real = next<ssize_t (*)(int, const struct iovec*, int)>("writev");
  std::size_t total = 0;
  for (int i = 0; i < iovcnt; ++i) total += iov[i].iov_len;
  if (allowance(fd, total, "writev", false) < 0) return -1;
  return real(fd, iov, iovcnt);
}

ssize_t pwritev(int fd, const struct iovec* iov, int iovcnt, off_t offset) {
  static auto real = next<ssize_t (*)(int, const struct iovec*, int, off_t)>("pwritev");
  std::size_t total = 0;
  for (int i = 0; i < iovcnt; ++i) total += iov[i].iov_len;
  if (allowance(fd, total, "pwritev", false) < 0) return -1;
  return real(fd, iov, iovcnt, offset);
}

int fsync(int fd) {
  static auto real = next<int (*)(int)>("fsync");
  if (sync_allowance(fd, "fsync") < 0) return -1;
  return real(fd);
}

int fdatasync(int fd) {
  static auto real = next<int (*)(int)>("fdatasync");
  if (sync_allowance(fd, "fdatasync") < 0) return -1;
  return real(fd);
}

}  // extern "C"
