// Sharded databases and the database specs the search side accepts.
//
// A sharded database is a folder holding the shards, `shard-00` ...
// `shard-NN` (each a plain Xapian database), and a Xapian stub file named
// `XAPIANDB` listing them, so that Xapian itself (and its tools: xapian-delve,
// quest) opens the folder as the union of its shards. A document lives in
// shard shard_of(id, N), always the same one, so re-runs find it there.
#pragma once

#include <xapian.h>

#include <string>
#include <string_view>
#include <vector>

namespace news {

// The stub file inside a sharded database folder, as Xapian names it.
inline constexpr const char* kStubFileName = "XAPIANDB";

// The most shards a database can be split into.
inline constexpr unsigned kMaxShards = 64;

// The shard (0 .. n-1) of the document with this id: XXH3-64 of the id's
// bytes modulo n. XXH3 is a fixed specification, so this is stable across
// runs, machines and versions.
unsigned shard_of(std::string_view id, unsigned n);

// "shard-00", "shard-01", ...: the folder of shard i inside a sharded database.
std::string shard_name(unsigned i);

// What is at a database path.
struct Layout {
  unsigned shards = 0;             // 0: nothing yet; 1: a plain database; N: N shards
  std::vector<std::string> paths;  // the databases to write: the path itself, or its shards
};

// Reads the layout of the database at `db_path`. Throws Error(kDatabase) for
// a stub file news-index did not write (other names, remote shards): such a
// set is searched, not indexed.
Layout read_layout(const std::string& db_path);

// The layout a database at `db_path` gets with `shards` shards (1: plain).
Layout plan_layout(const std::string& db_path, unsigned shards);

// The folder beside the database at `db_path` where a large first build
// keeps its two parts until it merges them into the database (indexer.h):
// "DB.parts". Meanwhile the database itself is empty.
std::string parts_path(const std::string& db_path);

// Writes the stub file of a sharded database (atomically: a new file renamed
// over the old), listing its shards by relative path.
void write_stub(const std::string& db_path, unsigned shards);

// A database spec: "tcp://HOST:PORT" for a database served by xapian-tcpsrv,
// else a path (a database folder, a sharded folder or a stub file).
bool is_remote_spec(std::string_view spec);

// Opens a local database (a folder or a stub file) for reading, once
// check_local_database (database_check.h) has passed it. Opening reads the
// newest revision's table roots, which a writer committing meanwhile may
// reuse: retried as read_retry.h says.
Xapian::Database open_local(const std::string& path);

struct SearchDatabases {
  Xapian::Database db;  // the union
  bool remote = false;  // some part is served remotely (directly or through a stub file)
  // When some part is remote: prior::remote_range_end of the parts, for the
  // default blend's posting source (prior/blend_source.h); 0 otherwise.
  Xapian::docid prior_range_end = 0;
};

// Opens the union of the given specs for searching. Throws Error(kNoDatabase)
// for a path with nothing there, Error(kDatabase) for one that cannot be
// opened or a shard server that cannot be reached, naming it.
SearchDatabases open_search_databases(const std::vector<std::string>& specs);

}  // namespace news
