#include "base/sized_thread.h"

#include <limits.h>  // PTHREAD_STACK_MIN

#include <algorithm>
#include <exception>
#include <memory>
#include <system_error>

namespace news {
namespace {

void* run_body(void* arg) {
  std::unique_ptr<std::function<void()>> body(static_cast<std::function<void()>*>(arg));
  try {
    (*body)();
  } catch (...) {
    std::terminate();
  }
  return nullptr;
}

}  // namespace

SizedThread::SizedThread(std::size_t stack_bytes, std::function<void()> body) {
  auto owned = std::make_unique<std::function<void()>>(std::move(body));
  pthread_attr_t attr;
  int error = ::pthread_attr_init(&attr);
  if (error == 0) {
    error = ::pthread_attr_setstacksize(
        &attr, std::max<std::size_t>(stack_bytes, std::size_t(PTHREAD_STACK_MIN)));
    if (error == 0) error = ::pthread_create(&thread_, &attr, run_body, owned.get());
    ::pthread_attr_destroy(&attr);
  }
  if (error != 0) {
    throw std::system_error(error, std::generic_category(), "cannot start a thread");
  }
  owned.release();  // the thread owns it now
  joinable_ = true;
}

SizedThread::~SizedThread() { join(); }

SizedThread::SizedThread(SizedThread&& other) noexcept
    : thread_(other.thread_), joinable_(other.joinable_) {
  other.joinable_ = false;
}

void SizedThread::join() {
  if (!joinable_) return;
  ::pthread_join(thread_, nullptr);
  joinable_ = false;
}

}  // namespace news
