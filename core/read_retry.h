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

namespace news {

// Retries after the first failure of a read that raced a writer.
inline constexpr int kReadRetries = 10;

// Returns read(), retried up to kReadRetries times when it fails with
// DatabaseModifiedError or DatabaseCorruptError; before each retry, `db` (if
// given) is reopened at its newest revision. After the last retry the error
// propagates unchanged. Other errors propagate at once.
template <class Read>
auto read_newest(Xapian::Database* db, Read&& read) {
  for (int attempt = 0;; ++attempt) {
    try {
      if (attempt > 0 && db != nullptr) db->reopen();
      return read();
    } catch (const Xapian::DatabaseModifiedError&) {
      if (attempt >= kReadRetries) throw;
    } catch (const Xapian::DatabaseCorruptError&) {
      if (attempt >= kReadRetries) throw;
    }
  }
}

}  // namespace news
