// Reading a whole file that a user or another program named: the indexer's
// news files, the configuration file, a database's stub file. Any of them may
// turn out to be a FIFO, a device or a file that never ends, and reading one
// must neither wait forever nor take all the memory.
#pragma once

#include <cstddef>
#include <string>

namespace news {

enum class ReadResult {
  kRead,           // `bytes` holds the whole file
  kRefused,        // the file cannot be read, or is not one to read: `error` says why
  kTooLarge,       // a regular file larger than asked for: `error` says so
  kNoDescriptors,  // the process has no file descriptor left to open it with (`error` says so)
};

// Reads the whole regular file at `path` into `bytes` (replacing what it
// held); on failure `bytes` is empty and `error` says why, in words meant to
// follow the file's name: "cannot read: Permission denied", "not a regular
// file (a FIFO)", "file is larger than 16 MiB", ...
//
// - Only regular files are read. The file is opened without waiting (a FIFO
//   with no writer, a device) and its type is checked on the open
//   descriptor, so a file swapped for something else after it was found is
//   refused too, and nothing is read from anything else.
// - A read that would wait (a regular file that streams, as /proc/kmsg does)
//   fails instead of waiting.
// - At most `max_bytes` are read; a larger file is refused with kTooLarge,
//   unread if its size says so.
// - A path longer than PATH_MAX is opened as open_path() does.
// - When the process is out of file descriptors (EMFILE, ENFILE), the call
//   waits for another call in flight to close its file and tries again; with
//   none in flight, it tries a few more times over about a second (the
//   descriptors may be someone else's, held briefly), then gives up with
//   kNoDescriptors.
//
// Safe to call from many threads at once. Throws std::bad_alloc when memory
// runs out.
ReadResult read_regular_file(const std::string& path, std::size_t max_bytes, std::string& bytes,
                             std::string& error);

// As read_regular_file, but a file larger than `max_bytes` is not refused:
// its first `max_bytes` are read.
ReadResult read_regular_file_start(const std::string& path, std::size_t max_bytes,
                                   std::string& bytes, std::string& error);

// Opens `path` as open(2) would, also when it is longer than PATH_MAX: such a
// path (folders nested some thousands deep) is opened a piece at a time, each
// piece relative to the folder the one before it reached. -1 with errno on
// failure (ENAMETOOLONG for one name longer than PATH_MAX).
int open_path(const std::string& path, int flags);

// How many more files the process could open now, at most `enough`: the
// limit on open files (ulimit -n) less the descriptors open. Counted exactly
// only when the limit is below `enough` plus a few thousand; otherwise
// `enough`.
std::size_t spare_descriptors(std::size_t enough);

}  // namespace news
