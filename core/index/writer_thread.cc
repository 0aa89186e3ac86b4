#include "index/writer_thread.h"

#include <algorithm>
#include <new>
#include <system_error>
#include <utility>

#include "base/error.h"

namespace news {

WriterThread::WriterThread(std::string path, const IndexOptions& options, IndexObserver& observer)
    : writer_(std::move(path), options, observer),
      batch_size_(std::max<std::size_t>(1, options.batch_size)) {}

void WriterThread::start(bool rebuild, std::string roots) {
  writer_.begin(rebuild, std::move(roots));
  try {
    thread_ = std::thread([this] { work(); });
  } catch (const std::system_error&) {
    throw Error(Error::Kind::kSystem, "cannot start a thread to write database " + path());
  }
}

bool WriterThread::push(Change change) {
  count_words(incoming_words_, change.words);
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

void WriterThread::finish(Finish finish) {
  finish.words = std::move(incoming_words_);
  incoming_words_.clear();
  std::lock_guard lock(mutex_);
  finish_ = std::move(finish);
  finishing_ = true;
  ready_.notify_all();
}

std::exception_ptr WriterThread::join() {
  if (thread_.joinable()) thread_.join();
  return error_;
}

void WriterThread::stop() noexcept {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  ready_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WriterThread::abandon() noexcept {
  stop();
  writer_.close();
}

void WriterThread::work() {
  try {
    if (!apply_queued()) return;
    writer_.finish(std::move(finish_));
  } catch (const std::bad_alloc&) {
    fail(std::make_exception_ptr(Error(Error::Kind::kSystem, kOutOfMemory)));
  } catch (...) {
    fail(std::current_exception());
  }
}

// Applies the changes as they come until the run finishes (true) or stops
// (false). The writer takes every queued change at once, so that the thread
// that pushes is woken once per take rather than once per change, and hands
// the applied ones back to that thread to free.
bool WriterThread::apply_queued() {
  std::deque<Change> taken;
  std::vector<Change> applied;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return stop_ || finishing_ || !queue_.empty(); });
      if (stop_) return false;
      if (queue_.empty()) return true;  // finishing, and every change applied
      taken.swap(queue_);
      if (spent_.empty()) spent_.swap(applied);
    }
    space_.notify_all();
    applied.reserve(applied.size() + taken.size());
    for (; !taken.empty(); taken.pop_front()) {
      if (stop_) return false;
      writer_.apply(taken.front());
      applied.push_back(std::move(taken.front()));
    }
  }
}

void WriterThread::fail(std::exception_ptr error) {
  std::lock_guard lock(mutex_);
  error_ = std::move(error);
  failed_ = true;
  space_.notify_all();
}

}  // namespace news
