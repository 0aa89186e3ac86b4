// Reading a database that a writer is committing to.
//
// A Xapian 1.4 reader sees one revision. A writer that commits twice while
// the reader still uses it may reuse that revision's blocks; the reader then
// fails with DatabaseModifiedError, or, when it meets a reused block while
// opening or descending a table, with DatabaseCorruptError ("Expected block N
// to be level 1, not 0", "Db block overwritten"). Both go away on the newest
// revision; real damage does not, so it still fails after the last retry.
#pragma once

#include <xapian.h>

#include <chrono>

namespace news {

// A read that raced a writer is retried at least kReadRetries times, and for
// as long as kReadRetryTime has not passed: a reader that a loaded machine
// slows down meets more commits per attempt and needs more attempts, while a
// damaged database still fails within that time.
inline constexpr int kReadRetries = 10;
inline constexpr std::chrono::milliseconds kReadRetryTime{2000};

// Returns read(), retried when it fails with DatabaseModifiedError or
// DatabaseCorruptError, as long as fewer than kReadRetries retries were made
// or kReadRetryTime has not passed since the first failure; before each
// retry, `db` (if given) is reopened at its newest revision. After the last
// retry the error propagates unchanged. Other errors propagate at once.
template <class Read>
auto read_newest(Xapian::Database* db, Read&& read) {
  std::chrono::steady_clock::time_point first_failure;
  auto retry = [&](int attempt) {
    const auto now = std::chrono::steady_clock::now();
    if (attempt == 0) first_failure = now;
    return attempt < kReadRetries || now - first_failure < kReadRetryTime;
  };
  for (int attempt = 0;; ++attempt) {
    try {
      if (attempt > 0 && db != nullptr) db->reopen();
      return read();
    } catch (const Xapian::DatabaseModifiedError&) {
      if (!retry(attempt)) throw;
    } catch (const Xapian::DatabaseCorruptError&) {
      if (!retry(attempt)) throw;
    }
  }
}

}  // namespace news
