#include "store/shards.h"

#include <xxhash.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/error.h"
#include "base/file_read.h"
#include "base/read_retry.h"
#include "prior/blend_source.h"
#include "store/database_check.h"

namespace fs = std::filesystem;

namespace news {

unsigned shard_of(std::string_view id, unsigned n) {
  if (n <= 1) return 0;
  return static_cast<unsigned>(XXH3_64bits(id.data(), id.size()) % n);
}

std::string shard_name(unsigned i) {
  char name[24];
  std::snprintf(name, sizeof name, "shard-%02u", i);
  return name;
}

std::string parts_path(const std::string& db_path) {
  fs::path path = fs::path(db_path).lexically_normal();
  if (!path.has_filename()) path = path.parent_path();
  path += ".parts";
  return path.string();
}

namespace {

// A stub file's lines, but comments and empty lines. Throws Error(kDatabase)
// for a stub that cannot be read, is not a regular file or is larger than
// 64 KiB (a stub lists a few databases).
std::vector<std::string> stub_lines(const fs::path& stub) {
  std::string bytes, error;
  if (read_regular_file(stub.string(), 64 << 10, bytes, error) != ReadResult::kRead) {
    throw Error(Error::Kind::kDatabase, "stub file " + stub.string() + ": " + error);
  }
  std::istringstream in(bytes);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    lines.push_back(line);
  }
  return lines;
}

// Whether a stub file (or a folder holding one) reaches a remote database,
// following stubs that name other stubs a few levels deep.
bool reaches_remote(const fs::path& path, int depth = 0) {
  std::error_code ec;
  fs::path stub = fs::is_directory(path, ec) ? path / kStubFileName : path;
  if (depth > 4 || !fs::is_regular_file(stub, ec)) return false;
  std::vector<std::string> lines;
  try {
    lines = stub_lines(stub);
  } catch (const Error&) {
    return false;
  }
  for (const auto& line : lines) {
    std::istringstream words(line);
    std::string type, target;
    words >> type >> target;
    if (type == "remote") return true;
    if (type == "auto" && reaches_remote(stub.parent_path() / target, depth + 1)) return true;
  }
  return false;
}

}  // namespace

Layout plan_layout(const std::string& db_path, unsigned shards) {
  Layout layout;
  layout.shards = shards;
  if (shards <= 1) {
    layout.paths.push_back(db_path);
  } else {
    for (unsigned i = 0; i < shards; ++i)
      layout.paths.push_back((fs::path(db_path) / shard_name(i)).string());
  }
  return layout;
}

Layout read_layout(const std::string& db_path) {
  std::error_code ec;
  fs::path stub = fs::path(db_path) / kStubFileName;
  if (!fs::exists(stub, ec)) {
    Layout layout;
    if (fs::exists(fs::path(db_path) / "iamglass", ec)) layout = plan_layout(db_path, 1);
    return layout;
  }
  std::vector<std::string> lines = stub_lines(stub);
  unsigned n = static_cast<unsigned>(lines.size());
  bool ours = n >= 2 && n <= kMaxShards;
  for (unsigned i = 0; ours && i < n; ++i) ours = lines[i] == "auto " + shard_name(i);
  if (!ours) {
    throw Error(Error::Kind::kDatabase,
                "database " + db_path + " is a stub file that news-index did not write (" +
                    stub.string() + "): index its shards one by one, each with --db SHARD");
  }
  return plan_layout(db_path, n);
}

void write_stub(const std::string& db_path, unsigned shards) {
  fs::path stub = fs::path(db_path) / kStubFileName;
  fs::path temporary = stub;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    for (unsigned i = 0; i < shards; ++i) out << "auto " << shard_name(i) << "\n";
    out.flush();
    if (!out) {
      throw Error(Error::Kind::kDatabase, "cannot write " + temporary.string());
    }
  }
  std::error_code ec;
  fs::rename(temporary, stub, ec);
  if (ec)
    throw Error(Error::Kind::kDatabase, "cannot write " + stub.string() + ": " + ec.message());
}

bool is_remote_spec(std::string_view spec) { return spec.starts_with("tcp://"); }

namespace {

Xapian::Database open_remote(const std::string& spec) {
  std::string_view address = std::string_view(spec).substr(6);
  std::size_t colon = address.rfind(':');
  std::string host(address.substr(0, colon == std::string_view::npos ? 0 : colon));
  if (!host.empty() && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  bool port_ok = colon != std::string_view::npos && colon + 1 < address.size();
  for (std::size_t i = colon + 1; port_ok && i < address.size(); ++i) {
    port_ok = address[i] >= '0' && address[i] <= '9' && port < 65536;
    port = port * 10 + unsigned(address[i] - '0');
  }
  if (host.empty() || !port_ok || port == 0 || port > 65535) {
    throw Error(Error::Kind::kBadQuery,
                "'" + spec + "' is not a remote database: write tcp://HOST:PORT");
  }
  try {
    return Xapian::Remote::open(host, port);
  } catch (const Xapian::Error& e) {
    throw Error(Error::Kind::kDatabase, "cannot reach shard server " + spec + ": " +
                                            e.get_description() +
                                            " (is xapian-tcpsrv running there?)");
  }
}

}  // namespace

Xapian::Database open_local(const std::string& path) {
  check_local_database(path);
  return read_newest(nullptr, [&] { return Xapian::Database(path); });
}

SearchDatabases open_search_databases(const std::vector<std::string>& specs) {
  SearchDatabases out;
  std::vector<Xapian::Database> parts;
  for (const auto& spec : specs) {
    if (is_remote_spec(spec)) {
      parts.push_back(open_remote(spec));
      out.remote = true;
      continue;
    }
    std::error_code ec;
    if (!fs::exists(spec, ec)) {
      throw Error(
          Error::Kind::kNoDatabase,
          "no database at " + spec + "; create one with: news-index --db " + spec + " FOLDER");
    }
    Layout layout;
    try {
      layout = read_layout(spec);
    } catch (const Error&) {
      // A stub file news-index did not write: opened by Xapian below.
    }
    try {
      if (layout.shards > 1) {
        // A sharded folder: each shard opened on its own, so that its prior
        // order can be read from its own metadata (a union reads only its
        // first part's).
        for (const auto& path : layout.paths) parts.push_back(open_local(path));
      } else {
        parts.push_back(open_local(spec));
      }
    } catch (const Xapian::NetworkError& e) {
      throw Error(Error::Kind::kDatabase, "cannot reach a shard server listed in " + spec + ": " +
                                              e.get_description() +
                                              " (is xapian-tcpsrv running there?)");
    } catch (const Xapian::Error& e) {
      throw Error(Error::Kind::kDatabase,
                  "cannot open database " + spec + ": " + describe_database_error(e, spec));
    }
    if (reaches_remote(spec)) out.remote = true;
  }
  for (const auto& part : parts) out.db.add_database(part);
  // Only Xapian's built-in source needs it, for remote shards (prior/blend_source.h).
  if (out.remote) out.prior_range_end = prior::remote_range_end(parts);
  return out;
}

}  // namespace news
