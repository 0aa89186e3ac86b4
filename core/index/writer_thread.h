// A DatabaseWriter on a thread of its own, for the batch run.
//
// Contract: the run's one thread queues changes with push(), in the order
// the files were found, and the writer thread applies them in that order,
// committing a batch every `batch_size` changes; finish() hands over what
// the end of the run asks (prune scopes) and join() waits for the final
// commit. The thread that queues sums the new documents' spelling words (the
// writer is the run's bottleneck); the writer subtracts those of the versions
// it replaces or prunes. A writer that fails stops taking changes: push()
// says so and join() returns the failure. docs/design.md, "Indexing: the pipeline and the writer".
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "index/writer.h"

namespace news {

class WriterThread {
 public:
  // Opens the database (DatabaseWriter); the thread starts with start().
  WriterThread(std::string path, const IndexOptions& options, IndexObserver& observer);
  ~WriterThread() { stop(); }
  WriterThread(const WriterThread&) = delete;
  WriterThread& operator=(const WriterThread&) = delete;

  DatabaseWriter& writer() { return writer_; }
  Xapian::WritableDatabase& database() { return writer_.database(); }
  const std::string& path() const { return writer_.path(); }

  // Begins the writer (DatabaseWriter::begin) and starts the thread.
  void start(bool rebuild, std::string roots);
  // Queues a change; false if the writer has failed (see join()). Called
  // from one thread, the one that calls finish().
  bool push(Change change);
  // After the last change: the writer prunes, commits and ends.
  void finish(Finish finish);
  // Waits for the thread; the writer's failure, if any.
  std::exception_ptr join();
  // Stops the thread at once, without committing the batch in progress.
  void stop() noexcept;
  // After a failure: stop at once, drop the batch in progress and close the
  // database, so that its destructor (which must not throw) has nothing left.
  void abandon() noexcept;

 private:
  static constexpr std::size_t kQueueLength = 256;

  void work();
  bool apply_queued();
  void fail(std::exception_ptr error);

  DatabaseWriter writer_;
  std::size_t batch_size_;
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

}  // namespace news
