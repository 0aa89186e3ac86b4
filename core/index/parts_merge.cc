#include "index/parts_merge.h"

#include <fcntl.h>  // AT_FDCWD
#include <unistd.h>
#include <xapian.h>

#include <atomic>
#include <cerrno>
#include <cstdio>  // renameat2
#include <nlohmann/json.hpp>
#include <optional>
#include <system_error>
#include <vector>

#include "base/error.h"
#include "index/build_plan.h"
#include "index/worker_threads.h"
#include "index/writer.h"
#include "prior/placement.h"
#include "store/database_check.h"
#include "store/db_folder.h"
#include "store/shards.h"

namespace fs = std::filesystem;

namespace news {

namespace {

// Swaps two folders in one step, so that the database path always holds a
// database; on a file system that cannot, in two renames.
void swap_into_place(const fs::path& merged, const fs::path& db) {
  if (::renameat2(AT_FDCWD, merged.c_str(), AT_FDCWD, db.c_str(), RENAME_EXCHANGE) == 0) return;
  std::error_code ec;
  if (errno == EINVAL || errno == ENOSYS) {
    fs::path aside = merged;
    aside += ".old";
    fs::rename(db, aside, ec);
    if (!ec) fs::rename(merged, db, ec);
    if (!ec) return;
  } else {
    ec.assign(errno, std::generic_category());
  }
  throw Error(Error::Kind::kDatabase, "cannot move the merged database " + merged.string() +
                                          " to " + db.string() + ": " + ec.message());
}

// Reads the parts' table files once, whole, before they are merged (a
// thread per file). The merge reads each table's blocks in key order, one at
// a time, and a part that Xapian grew batch by batch has its blocks
// scattered, so on a cold cache the merge waits on the disk for block after
// block; read whole, the files come in at the disk's streaming speed
// (docs/design.md, "Split first builds"; figures in bench/HISTORY.md). Only a hint: skipped when
// the files would take more than half the memory, and read errors are left to the merge.
void read_ahead(const std::vector<fs::path>& folders) {
  std::vector<fs::path> tables;
  std::uintmax_t bytes = 0;
  std::error_code ec;
  for (const auto& folder : folders) {
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
      if (entry.path().extension() != ".glass") continue;
      tables.push_back(entry.path());
      bytes += entry.file_size(ec);
    }
  }
  long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0 || bytes > std::uintmax_t(pages) * page_size / 2) return;
  std::atomic<std::size_t> next{0};
  auto read = [&] {
    std::vector<char> buffer(1 << 20);
    for (std::size_t i; (i = next.fetch_add(1)) < tables.size();) {
      // Never waits on what is not a file (a FIFO put among the tables).
      int fd = ::open(tables[i].c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
      if (fd < 0) continue;
      while (::read(fd, buffer.data(), buffer.size()) > 0) {
      }
      ::close(fd);
    }
  };
  run_on_threads(tables.size(), kReaderStack, read);
}

// The commits of both parts, and the merge's own.
std::size_t merged_commits(const Xapian::Database& high, const Xapian::Database& low) {
  std::size_t commits = 1;
  for (const auto* part : {&high, &low}) {
    auto checkpoint = nlohmann::json::parse(part->get_metadata(kCheckpointKey), nullptr, false);
    if (checkpoint.is_object() && checkpoint.value("commits", nlohmann::json()).is_number()) {
      commits += checkpoint["commits"].get<std::size_t>();
    }
  }
  return commits;
}

// Compacts the parts into `merged`, with its checkpoint and prior order.
void compact_parts(const fs::path& parts, const fs::path& merged) {
  read_ahead({parts / "0", parts / "1"});
  check_local_database((parts / "0").string());
  check_local_database((parts / "1").string());
  Xapian::Database high((parts / "0").string()), low((parts / "1").string());
  std::optional<prior::PriorOrder> order = prior::merged_order(high, low);
  std::size_t commits = merged_commits(high, low);
  Xapian::Database both;
  both.add_database(high);
  both.add_database(low);
  try {
    // The parts' docids do not overlap (the high part never uses its tail).
    both.compact(merged.string(), Xapian::DBCOMPACT_NO_RENUMBER);
  } catch (const Xapian::InvalidOperationError&) {
    // Were they to overlap, the merge is renumbered and searched the plain way.
    remove_own_folder(merged);
    both.compact(merged.string());
    order.reset();
  }
  Xapian::WritableDatabase out(merged.string(), Xapian::DB_OPEN);
  nlohmann::json checkpoint = {{"documents", out.get_doccount()}, {"commits", commits}};
  out.set_metadata(kCheckpointKey, checkpoint.dump());
  prior::write_prior_order(out, order);
  out.commit();
  out.close();
}

// The error of a merge that failed: the state the user is left in, and the
// way out (a full disk is the usual cause).
Error merge_failure(const std::string& db_path, const fs::path& parts, const Xapian::Error& e) {
  std::error_code ec;
  std::uintmax_t parts_bytes = 0;
  for (const auto& entry : fs::recursive_directory_iterator(parts, ec)) {
    if (entry.is_regular_file(ec)) parts_bytes += entry.file_size(ec);
  }
  fs::space_info space = fs::space(parts, ec);
  return Error(Error::Kind::kDatabase,
               "cannot merge the parts of database " + db_path + " in " + parts.string() + ": " +
                   e.get_description() + ". The parts (" + mebibytes(parts_bytes) +
                   ") are kept and the database stays empty until a run merges them, which "
                   "needs about " +
                   mebibytes(parts_bytes) + " free beside them (" +
                   (ec ? std::string("free space unknown") : mebibytes(space.available) + " free") +
                   "): free space and run news-index again, or remove " + db_path + " and " +
                   parts.string() + " and build again");
}

}  // namespace

void merge_parts(const std::string& db_path, const fs::path& parts) {
  fs::path merged = parts / "merged";
  remove_own_folder(merged);  // a merge cut short; if it cannot go, the compaction says why
  try {
    compact_parts(parts, merged);
  } catch (const Xapian::Error& e) {
    remove_own_folder(merged);
    throw merge_failure(db_path, parts, e);
  }
  swap_into_place(merged, fs::path(db_path));
}

void remove_parts(const fs::path& parts, IndexObserver& observer) {
  std::string left = remove_own_folder(parts);
  if (!left.empty()) observer.warning(parts.string(), "left in place: " + left);
}

void settle_parts(const IndexOptions& options, IndexObserver& observer) {
  if (is_remote_spec(options.db_path)) return;
  fs::path parts = parts_path(options.db_path);
  std::error_code ec;
  // Only a parts folder this indexer made for this database (db_folder.h).
  if (!is_own_parts_folder(parts, options.db_path) || read_layout(options.db_path).shards > 1) {
    return;
  }
  Xapian::WritableDatabase db = open_writable(options.db_path, options, observer);  // the lock
  if (db.get_doccount() == 0 && fs::exists(parts / "0" / "iamglass", ec) &&
      fs::exists(parts / "1" / "iamglass", ec)) {
    merge_parts(options.db_path, parts);
    observer.warning(options.db_path,
                     "its first build, in two parts, was cut short: the documents it had "
                     "committed are merged, and this run goes on from there");
  }
  db.close();
  remove_parts(parts, observer);
}

}  // namespace news
