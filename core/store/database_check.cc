#include "store/database_check.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <system_error>
#include <vector>

#include "base/error.h"
#include "base/file_read.h"
#include "store/shards.h"

namespace fs = std::filesystem;

namespace news {
namespace {

constexpr std::size_t kMaxStubBytes = 64 << 10;
constexpr std::size_t kMaxStubDepth = 8;
constexpr std::size_t kMaxStubDatabases = 1000;

// Xapian 1.4 reads at most this much of a version file.
constexpr std::size_t kMaxVersionFileBytes = 256;

// The version file opens with this magic, then the format's version (two
// bytes, big-endian: 2016-03-14 packed as (year - 2014) << 9 | month << 5 |
// day), then the database's UUID (16 bytes).
constexpr std::string_view kGlassMagic = "\x0f\x0dXapian Glass";
constexpr unsigned kGlassFormat = (2016 - 2014) << 9 | 3 << 5 | 14;

// The tables, in the order the version file describes them.
constexpr std::array<const char*, 6> kGlassTables = {"postlist", "docdata",  "termlist",
                                                     "position", "spelling", "synonym"};

// Xapian keeps a cursor of this many levels per table; a deeper B-tree
// writes past it.
constexpr unsigned kMaxTableLevels = 10;

// The fields of a version file, read in turn: numbers packed 7 bits a byte,
// least significant first (the high bit: more follow), and strings as their
// length and bytes.
class Fields {
 public:
  explicit Fields(std::string_view bytes) : rest_(bytes) {}

  bool number(std::uint64_t& value, unsigned bits = 32) {
    value = 0;
    for (unsigned shift = 0; !rest_.empty() && shift < bits + 7; shift += 7) {
      auto byte = static_cast<unsigned char>(rest_.front());
      rest_.remove_prefix(1);
      value |= std::uint64_t(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return bits == 64 || value >> bits == 0;
    }
    return false;
  }
  bool text(std::string_view& value) {
    std::uint64_t size;
    if (!number(size) || size > rest_.size()) return false;
    value = rest_.substr(0, size);
    rest_.remove_prefix(size);
    return true;
  }
  bool skip(std::size_t size) {
    if (size > rest_.size()) return false;
    rest_.remove_prefix(size);
    return true;
  }
  bool empty() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

std::string damage_advice(const std::string& database) {
  return "run `xapian-check " + database +
         "` for details, then rebuild the database or restore it from a backup";
}

[[noreturn]] void damaged(const fs::path& dir, const std::string& file, const std::string& why) {
  throw Error(Error::Kind::kDatabase,
              (dir / file).string() + " is damaged (" + why + "): " + damage_advice(dir.string()));
}

// The table's root and free list, as far as they can be checked against the
// size of its file.
void check_table(const fs::path& dir, const char* name, Fields& fields, unsigned& block_size) {
  std::string table = name;
  std::uint64_t root, flags, entries, size_code, compress_min;
  std::string_view free_list;
  if (!fields.number(root) || !fields.number(flags) || !fields.number(entries, 64) ||
      !fields.number(size_code) || !fields.number(compress_min) || !fields.text(free_list)) {
    damaged(dir, "iamglass", "the " + table + " table's entry does not read");
  }
  std::uint64_t level = flags >> 2;
  bool root_is_fake = flags & 1;
  std::uint64_t size = size_code << 11;
  if (size < 2048 || size > 65536 || (size & (size - 1)) != 0) {
    damaged(dir, "iamglass", "the " + table + " table's block size is " + std::to_string(size));
  }
  if (block_size == 0) block_size = unsigned(size);
  if (size != block_size) {
    damaged(dir, "iamglass", "the " + table + " table's block size differs from the others'");
  }
  if (level >= kMaxTableLevels) {
    damaged(dir, "iamglass", "the " + table + " table claims " + std::to_string(level) + " levels");
  }

  fs::path file = dir / (table + ".glass");
  std::error_code ec;
  fs::file_status status = fs::status(file, ec);
  if (fs::exists(status) && !fs::is_regular_file(status)) {
    throw Error(Error::Kind::kDatabase,
                file.string() + " is not a regular file: the database cannot be read");
  }
  std::uint64_t blocks = fs::exists(status) ? fs::file_size(file, ec) / size : 0;
  if (ec) return;  // Xapian says what is wrong with it

  // The free list: its revision, the first block never used, and where
  // reading and writing it stand (block, offset / 4).
  if (!free_list.empty()) {
    Fields list(free_list);
    std::uint64_t revision, first_unused, read_block, read_offset, write_block, write_offset;
    if (!list.number(revision) || !list.number(first_unused) || !list.number(read_block) ||
        !list.number(read_offset) || !list.number(write_block) || !list.number(write_offset) ||
        !list.empty()) {
      damaged(dir, "iamglass", "the " + table + " table's free list does not read");
    }
    if (fs::exists(status) && first_unused > blocks) {
      damaged(dir, "iamglass",
              "the " + table + " table claims blocks past the end of " + file.filename().string());
    }
    if (read_block >= std::max<std::uint64_t>(first_unused, 1) ||
        write_block >= std::max<std::uint64_t>(first_unused, 1) || read_offset * 4 >= size ||
        write_offset * 4 >= size) {
      damaged(dir, "iamglass", "the " + table + " table's free list points outside the table");
    }
  }
  if (!root_is_fake && fs::exists(status) && root >= blocks) {
    damaged(dir, "iamglass",
            "the " + table + " table's root is past the end of " + file.filename().string());
  }
}

void check_glass(const fs::path& dir) {
  std::string bytes, error;
  if (read_regular_file((dir / "iamglass").string(), kMaxVersionFileBytes, bytes, error) !=
      ReadResult::kRead) {
    if (error.starts_with("cannot read: ")) return;  // Xapian reports it (a permission, say)
    damaged(dir, "iamglass", error);
  }
  if (bytes.size() < kGlassMagic.size() + 2 || !bytes.starts_with(kGlassMagic)) {
    damaged(dir, "iamglass", "it does not open as a glass version file");
  }
  unsigned format = unsigned(static_cast<unsigned char>(bytes[kGlassMagic.size()])) << 8 |
                    static_cast<unsigned char>(bytes[kGlassMagic.size() + 1]);
  if (format != kGlassFormat) return;  // another version of the format: Xapian says so
  Fields fields(std::string_view(bytes).substr(kGlassMagic.size() + 2));
  std::uint64_t revision;
  if (!fields.skip(16) || !fields.number(revision)) {
    damaged(dir, "iamglass", "it ends before its tables are described");
  }
  unsigned block_size = 0;
  for (const char* table : kGlassTables) check_table(dir, table, fields, block_size);
  // The statistics (none in a database never committed to): document count,
  // last docid, document length bounds, wdf bound, oldest changeset, total
  // length, spelling frequency bound.
  if (!fields.empty()) {
    std::uint64_t value;
    for (unsigned bits : {32, 32, 32, 32, 32, 32, 64, 32}) {
      if (!fields.number(value, bits)) damaged(dir, "iamglass", "its statistics do not read");
    }
    if (!fields.empty()) damaged(dir, "iamglass", "it has bytes past its statistics");
  }
}

struct StubWalk {
  std::vector<fs::path> chain;      // the stubs being followed, as named
  std::vector<fs::path> canonical;  // the same, canonical
  std::size_t databases = 0;
};

std::string chain_text(const std::vector<fs::path>& chain, const fs::path& last) {
  std::string text;
  for (const auto& stub : chain) text += stub.string() + " -> ";
  return text + last.string();
}

void check_path(const fs::path& path, StubWalk& walk);

void check_stub(const fs::path& stub, StubWalk& walk) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(stub, ec);
  if (ec) canonical = stub;
  if (std::find(walk.canonical.begin(), walk.canonical.end(), canonical) != walk.canonical.end()) {
    throw Error(Error::Kind::kDatabase, "stub file " + walk.chain.front().string() +
                                            " leads back to itself (" +
                                            chain_text(walk.chain, stub) + "): fix or remove it");
  }
  if (walk.chain.size() >= kMaxStubDepth) {
    throw Error(Error::Kind::kDatabase, "stub files nested more than " +
                                            std::to_string(kMaxStubDepth) + " deep (" +
                                            chain_text(walk.chain, stub) + ")");
  }
  std::string bytes, error;
  if (read_regular_file(stub.string(), kMaxStubBytes, bytes, error) != ReadResult::kRead) {
    throw Error(Error::Kind::kDatabase, "stub file " + stub.string() + ": " + error);
  }
  walk.chain.push_back(stub);
  walk.canonical.push_back(canonical);
  // As Xapian reads a stub: a line is a type, a space, and the rest (a path
  // relative to the stub's folder unless absolute); '#' starts a comment.
  std::string_view text = bytes;
  while (!text.empty()) {
    std::size_t end = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    std::size_t space = std::min(line.find(' '), line.size());
    std::string_view type = line.substr(0, space);
    if (type != "auto" && type != "glass") continue;  // remote and others: Xapian's to judge
    if (++walk.databases > kMaxStubDatabases) {
      throw Error(Error::Kind::kDatabase,
                  "stub file " + walk.chain.front().string() + " names more than " +
                      std::to_string(kMaxStubDatabases) + " databases, through the stubs it names");
    }
    fs::path target(line.substr(std::min(space + 1, line.size())));
    if (target.is_relative()) target = (stub.parent_path() / target).lexically_normal();
    if (type == "glass") {
      if (fs::is_directory(target, ec)) check_glass(target);
    } else {
      check_path(target, walk);
    }
  }
  walk.chain.pop_back();
  walk.canonical.pop_back();
}

// As Xapian tells what a path holds: a folder with `iamchert`, `iamglass`
// (each a regular file) or a stub; a file that is a single-file database or
// a stub.
void check_path(const fs::path& path, StubWalk& walk) {
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (fs::is_directory(status)) {
    if (fs::is_regular_file(path / "iamchert", ec)) return;
    fs::file_status version = fs::status(path / "iamglass", ec);
    if (fs::is_regular_file(version)) return check_glass(path);
    if (fs::exists(version)) damaged(path, "iamglass", "it is not a regular file");
    fs::path stub = (path / kStubFileName).lexically_normal();
    if (fs::exists(fs::status(stub, ec))) check_stub(stub, walk);
    return;
  }
  if (fs::is_regular_file(status)) {
    std::string bytes, error;
    if (read_regular_file_start(path.string(), kGlassMagic.size(), bytes, error) ==
            ReadResult::kRead &&
        bytes.starts_with(kGlassMagic)) {
      return;  // a single-file database
    }
    check_stub(path, walk);
  }
}

}  // namespace

void check_local_database(const std::string& path) {
  StubWalk walk;
  check_path(fs::path(path), walk);
}

std::string describe_database_error(const Xapian::Error& error, const std::string& database) {
  std::string text = error.get_description();
  if (std::string_view(error.get_type()) == "DatabaseCorruptError") {
    text += ": the database is damaged; " + damage_advice(database);
  }
  return text;
}

}  // namespace news
