// A file a run indexes, as the scanner found it (scanner.h).
#pragma once

#include <string>

namespace news {

// One file to index. Kept for every file of the run (a million at a time),
// so kept small: a plain string rather than fs::path (which also stores its
// components), and the root's term shared through a pointer into the
// scanner's list of terms.
struct InputFile {
  std::string path;                        // as the user will recognise it (under the given path)
  std::string id;                          // path relative to its root, with '/' separators
  const std::string* root_term = nullptr;  // owned by the Scanner, outlives the files
  unsigned shard = 0;                      // its database: the shard or part it is written to
  // A new database's quick read of its prior (peek_prior, build_plan.h); -1: none.
  double peeked_prior = -1;
};

}  // namespace news
