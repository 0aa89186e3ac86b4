#include "index/build_plan.h"

#include <algorithm>
#include <filesystem>
#include <new>
#include <system_error>
#include <utility>

#include "base/error.h"
#include "index/pipeline.h"
#include "index/worker_threads.h"
#include "prior/peek.h"
#include "schema/schema.h"

namespace fs = std::filesystem;

namespace news {

Layout decide_layout(const IndexOptions& options) {
  if (is_remote_spec(options.db_path)) {
    throw Error(Error::Kind::kConfig,
                "--db " + options.db_path +
                    ": news-index writes local databases; run it on the shard's own host");
  }
  Layout existing = read_layout(options.db_path);
  if (existing.shards == 0) return plan_layout(options.db_path, std::max(1u, options.shards));
  if (options.shards != 0 && options.shards != existing.shards) {
    throw Error(Error::Kind::kConfig,
                "database " + options.db_path + " has " + std::to_string(existing.shards) +
                    (existing.shards == 1 ? " shard" : " shards") + "; it cannot be split into " +
                    std::to_string(options.shards) +
                    ": build a new database with --db NEW --shards " +
                    std::to_string(options.shards) + " and remove this one");
  }
  return existing;
}

bool wants_split_build(std::size_t files, unsigned shards, bool rebuild, unsigned threads,
                       std::size_t split_from) {
  return shards == 1 && !rebuild && threads >= 2 && split_from > 0 && files >= split_from &&
         files < prior::kTailStart;
}

// Both parts and the merged database at their peak, measured at 4.4 times
// the files' bytes (bench/DISK-SPACE.md).
std::uintmax_t split_build_peak_bytes(std::uintmax_t input_bytes) {
  return input_bytes * 5 + (16u << 20);
}

std::string mebibytes(std::uintmax_t bytes) {
  return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB";
}

// A split build holds its two parts and the merged database at once: about
// a third more than a build in one go. It is chosen only when the disk has
// room for that with a margin (docs/design.md, "Split first builds").
bool split_fits_on_disk(const std::string& db_path, std::uintmax_t input_bytes,
                        IndexObserver& observer) {
  std::uintmax_t needed = split_build_peak_bytes(input_bytes);
  std::error_code ec;
  fs::path folder = fs::absolute(db_path, ec).parent_path();
  fs::space_info space = fs::space(folder, ec);
  if (ec || space.available == std::uintmax_t(-1)) return true;  // unknown: as before
  if (space.available >= needed) return true;
  observer.warning(db_path, "a first build in two parts needs about " + mebibytes(needed) +
                                " of free space and " + folder.string() + " has " +
                                mebibytes(space.available) +
                                ": built in one go, which needs about two thirds of that");
  return false;
}

std::optional<prior::PartPlan> plan_low_part(const std::vector<InputFile>& files) {
  if (files.empty()) return std::nullopt;
  std::size_t half = (files.size() + 1) / 2;
  double lowest_high_prior = files[half - 1].peeked_prior;
  if (lowest_high_prior < 0) return std::nullopt;
  return prior::PartPlan{static_cast<Xapian::docid>(half), prior::kTailStart, lowest_high_prior};
}

void interleave_parts(std::vector<InputFile>& files, const prior::PartPlan& low_part) {
  std::size_t half = low_part.start;
  std::vector<InputFile> turns;
  turns.reserve(files.size());
  for (std::size_t i = 0; i < half; ++i) {
    turns.push_back(std::move(files[i]));
    turns.back().shard = 0;
    if (half + i < files.size()) {
      turns.push_back(std::move(files[half + i]));
      turns.back().shard = 1;
    }
  }
  files = std::move(turns);
}

std::uintmax_t order_by_peeked_prior(std::vector<InputFile>& files, unsigned threads,
                                     const std::atomic<int>* stop) {
  std::atomic<std::size_t> next{0};
  std::atomic<std::uintmax_t> total{0};
  std::atomic<bool> out_of_memory{false};
  auto peek = [&] {
    try {
      std::string bytes, error;
      for (std::size_t i; (i = next.fetch_add(1)) < files.size() && !(stop && stop->load());) {
        std::optional<double> prior;
        if (read_news_file(files[i].path, bytes, error) == ReadResult::kRead) {
          prior = prior::peek_prior(bytes);
          total += bytes.size();
        }
        files[i].peeked_prior = prior.value_or(-1.0);
      }
    } catch (const std::bad_alloc&) {
      out_of_memory = true;
      next = files.size();  // the others stop too
    }
  };
  // The databases open no files meanwhile.
  run_on_threads(readers_within_descriptors(std::max(threads, kDiskThreads), 0), kReaderStack,
                 peek);
  if (out_of_memory) throw Error(Error::Kind::kSystem, kOutOfMemory);
  std::vector<double> peeked(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) peeked[i] = files[i].peeked_prior;
  // Sorted by index, then moved once: cheaper than moving the files at every pass.
  std::vector<InputFile> sorted;
  sorted.reserve(files.size());
  for (std::size_t i : prior::highest_prior_first(peeked)) sorted.push_back(std::move(files[i]));
  files = std::move(sorted);
  return total;
}

ChangeRouter::ChangeRouter(std::optional<prior::PartPlan> low_part) : split_(low_part.has_value()) {
  if (low_part) high_part_lowest_prior_ = low_part->highest_prior;
}

ChangeRouter::Route ChangeRouter::route(const InputFile& file, double prior) {
  Route route{file.shard, file.peeked_prior >= 0 && prior < file.peeked_prior};
  if (!split_ || file.shard != 0) return route;
  if (!route.to_tail && prior <= high_part_last_prior_ && prior >= high_part_lowest_prior_) {
    high_part_last_prior_ = prior;
    return route;
  }
  return {1, true};
}

}  // namespace news
