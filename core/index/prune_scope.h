// What a run may prune: the documents of a walked folder whose files are
// gone. The scanner (scanner.h) makes the scopes, the writer (writer.h)
// removes what they hold once every file has been taken.
#pragma once

#include <string>

namespace news {

struct PruneScope {
  std::string root_term;  // the documents of this root ...
  std::string id_prefix;  // ... whose ids start so; empty: the whole root
  // The scope of a root that a newly given folder encloses: its documents
  // come back under the enclosing root's ids, so the old ones are pruned
  // even with --no-prune.
  bool enclosed_root = false;
  // For an enclosed root: its path relative to the enclosing root, with a
  // '/', which turns its ids into the enclosing root's (the ids the walk
  // could not read are in those).
  std::string relocated;
};

// Whether document `id` lies under `entry`, an entry the walk could not
// read: a folder's prefix ("sub/dir/", "" for a whole root) or an entry's
// own id (a file, or a folder: it could not tell). Such documents are kept.
inline bool is_under(const std::string& id, const std::string& entry) {
  if (entry.empty() || entry.ends_with('/')) return id.starts_with(entry);
  return id.starts_with(entry) && (id.size() == entry.size() || id[entry.size()] == '/');
}

}  // namespace news
