// A thread with a stack of a chosen size.
//
// std::thread gives every thread a stack as large as the stack limit (8 MiB
// by default), reserved as address space whether used or not: the indexer's
// 64 readers would reserve 512 MiB, which under a limit on address space
// (ulimit -v) leaves too little for the heap. Its readers and parsers need a
// small fraction of that.
#pragma once

#include <pthread.h>

#include <cstddef>
#include <functional>

namespace news {

class SizedThread {
 public:
  // Runs `body` on a new thread whose stack is `stack_bytes` (raised to the
  // system's minimum). Throws std::system_error, as std::thread does, when
  // the system refuses the thread. An exception that leaves `body` ends the
  // program (std::terminate), as with std::thread.
  SizedThread(std::size_t stack_bytes, std::function<void()> body);
  // Joins the thread if it has not been joined.
  ~SizedThread();
  SizedThread(SizedThread&& other) noexcept;
  SizedThread& operator=(SizedThread&&) = delete;
  SizedThread(const SizedThread&) = delete;
  SizedThread& operator=(const SizedThread&) = delete;

  void join();

 private:
  pthread_t thread_{};
  bool joinable_ = false;
};

}  // namespace news
