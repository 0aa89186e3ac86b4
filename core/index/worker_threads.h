// Worker threads for the indexer: how many, with what stacks, and starting
// them where the system allows fewer than asked.
#pragma once

#include <cstddef>
#include <new>
#include <system_error>
#include <vector>

#include "base/sized_thread.h"

namespace news {

// Thread stacks (sized_thread.h). Readers read a file and peek at its
// prior; parsers also parse YAML, which recurses once per level of nesting
// (yaml-cpp stops at 500), and build the document. The deepest YAML needs
// about 200 KiB of stack; parsers get four times that and more.
inline constexpr std::size_t kReaderStack = 256 << 10;
inline constexpr std::size_t kParserStack = 1 << 20;

// Threads that read files where reading is most of the work (a new build's
// peek at its files' priors, a re-run): cheap for the processor, and on a cold
// page cache more reads in flight than cores finish sooner (docs/design.md,
// "Threads, stacks and limits"; figures in bench/HISTORY.md).
inline constexpr unsigned kDiskThreads = 64;

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

// How many of `wanted` threads may read at once beside `databases` open
// databases, under the limit on open files (at least one). Each reading
// thread holds a file open while it reads it; the databases open table files
// as they first use them and a new version file to commit, so some
// descriptors are left to them, but at most half of those spare, so that
// many shards under the usual limit of 1,024 still read on many threads. A
// read that still finds none waits for another to close its file
// (file_read.h).
std::size_t readers_within_descriptors(std::size_t wanted, std::size_t databases);

}  // namespace news
