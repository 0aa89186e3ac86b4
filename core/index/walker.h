// The walker: the files under one folder the user named.
//
// Walks the folders given, in name order, skipping hidden entries and the
// folders of Xapian databases: the run's own (its database and the parts of a
// split build, wherever they are) and any other (a folder with `iamglass`).
// The walk opens each folder relative to its parent's descriptor, so its cost
// is linear in the depth (no path is resolved again from the top) and paths
// past PATH_MAX are walked like any other. It keeps the one folder it reads
// open: a sub-folder is walked with its parent closed, and the parent is
// opened again through the sub-folder's `..` (and checked to be the same
// folder), so depth costs no descriptors. The walk is iterative, so depth
// costs no stack either.
// Everything the walk meets that is not a folder is counted as seen: regular
// files are returned, anything else (a FIFO, a socket, a device, a symlink
// that leads nowhere or out of the folder) is counted as skipped and named.
// An entry or folder the walk cannot read is named, counted as unreadable,
// and its id (prefix) goes to `unreadable` so that its documents are kept.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "index/indexer.h"
#include "index/input_file.h"

namespace news {

// Whether `child` is `root` or lies under it (both canonical); nothing lies
// under an empty root (a path that could not be resolved).
bool is_within(const std::filesystem::path& child, const std::filesystem::path& root);

class Walker {
 public:
  // `unreadable` receives the id prefixes ("sub/dir/", "" for a whole root)
  // of the folders that could not be read, and the ids of entries that could
  // not be read: their documents are not pruned.
  Walker(const IndexOptions& options, IndexObserver& observer, IndexStats& stats,
         std::vector<std::string>& unreadable);
  ~Walker();
  Walker(const Walker&) = delete;
  Walker& operator=(const Walker&) = delete;

  // Adds the files under `dir` (a folder the user named) to `out`, with ids
  // relative to `base` (the canonical indexed root: `dir` itself or a folder
  // holding it) and `root_term` (which must outlive `out`).
  void walk_root(const std::filesystem::path& dir, const std::filesystem::path& base,
                 const std::string& root_term, std::vector<InputFile>& out);

  // What the last walk_root found: files, other entries, and errors.
  std::size_t found() const;

 private:
  class Walk;  // the walk's state: the folders open, the entry visited
  std::unique_ptr<Walk> walk_;
};

}  // namespace news
