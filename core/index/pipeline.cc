#include "index/pipeline.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <filesystem>
#include <new>
#include <string_view>
#include <utility>

#include "base/error.h"
#include "base/text.h"
#include "document/document.h"
#include "index/spelling.h"
#include "index/worker_threads.h"
#include "schema/schema.h"

namespace fs = std::filesystem;

namespace news {

namespace {

// Files larger than this are not read: a news file is a few KiB.
constexpr std::uintmax_t kMaxFileBytes = 16u << 20;

// What a run says when it has no file descriptor left to read with (the
// limit on open files leaves too few beside its databases).
std::string no_descriptors_message(const std::string& path, const std::string& error) {
  return path + ": " + error +
         ": the limit on open files (ulimit -n) leaves too few for reading; the database is at "
         "its last commit";
}

// Holds one of `permits` (if any) while it lives.
class Permit {
 public:
  explicit Permit(std::counting_semaphore<>* permits) : permits_(permits) {
    if (permits_) permits_->acquire();
  }
  ~Permit() {
    if (permits_) permits_->release();
  }
  Permit(const Permit&) = delete;
  Permit& operator=(const Permit&) = delete;

 private:
  std::counting_semaphore<>* permits_;
};

// Whether a file that could not be read is gone: deleted (or moved) since
// the walk found it.
bool vanished(const std::string& path) {
  int fd = open_path(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) {
    ::close(fd);
    return false;
  }
  return errno == ENOENT || errno == ENOTDIR;
}

// Whether a file's first bytes open a front matter: a `---` line, after an
// optional UTF-8 byte-order mark (as parse_news_file reads it).
bool opens_front_matter(std::string_view bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  std::string_view line = bytes.substr(0, bytes.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
    line.remove_suffix(1);
  }
  return line == "---";
}

// Whether another root's file holds the file's id in the database and is
// still there (else the file moved, and its document follows it): then the
// file is rejected and that document is not this file's to keep or replace.
bool id_taken(const InputFile& file, const Snapshot& snapshot, Outcome& out) {
  const std::string* holder = snapshot.owner_term(file.shard, *out.old_docid);
  if (!holder || *holder == *file.root_term) return false;
  fs::path other = *snapshot.owner(file.shard, *out.old_docid) / file.id;
  struct stat st;
  // Present, or not known to be gone: not this file's id to take.
  if (::lstat(other.c_str(), &st) != 0 && (errno == ENOENT || errno == ENOTDIR)) return false;
  out.reason = id_collision(file.id, other.string());
  out.old_docid.reset();
  return true;
}

// Reads the file into `bytes`; false, with `out` saying why, if it cannot.
bool read_into(const InputFile& file, std::string& bytes, Outcome& out) {
  switch (read_news_file(file.path, bytes, out.reason)) {
    case ReadResult::kRead:
      return true;
    case ReadResult::kTooLarge: {
      // A video or an archive beside the news, not a news file too large.
      std::string head, error;
      ReadResult start = read_regular_file_start(file.path, 64, head, error);
      if (start == ReadResult::kNoDescriptors) {
        out.fatal = no_descriptors_message(file.path, error);
      } else if (start == ReadResult::kRead && !opens_front_matter(head)) {
        out.kind = Outcome::Kind::kNotADocument;
        out.reason = out.reason + ", and not a news document (no '---' line at the top)";
      }
      return false;
    }
    case ReadResult::kRefused:
      if (vanished(file.path)) out.kind = Outcome::Kind::kVanished;
      return false;
    case ReadResult::kNoDescriptors:
      out.fatal = no_descriptors_message(file.path, out.reason);
      return false;
  }
  return false;
}

// Parses the bytes and builds the document into `out`.
void parse_and_build(const InputFile& file, const std::string& bytes, const Hash& hash,
                     DocumentBuilder& builder, Outcome& out) {
  ParseResult parsed = parse_news_file(bytes);
  if (parsed.status == ParseStatus::kOk && !is_valid_utf8(file.id)) {
    // The path is the document's id, which is shown and written as JSON.
    out.reason = "its path is not valid UTF-8 (rename the file)";
    return;
  }
  out.reason = std::move(parsed.reason);
  if (parsed.status == ParseStatus::kNotADocument) {
    out.kind = Outcome::Kind::kNotADocument;
    return;
  }
  if (parsed.status == ParseStatus::kRejected) return;
  out.document = builder.build(parsed.document, file.id, *file.root_term, as_bytes(hash));
  if (!parsed.document.url.empty()) {
    out.url_term =
        schema::boolean_term(schema::kUrlPrefix, schema::normalise_url(parsed.document.url));
  }
  out.words = spelling_words(out.document);
  out.warnings = std::move(parsed.warnings);
  out.kind = Outcome::Kind::kIndexed;
}

}  // namespace

ReadResult read_news_file(const std::string& path, std::string& bytes, std::string& error) {
  return read_regular_file(path, kMaxFileBytes, bytes, error);
}

Outcome process(const InputFile& file, const Snapshot& snapshot, bool rebuild,
                DocumentBuilder& builder, std::counting_semaphore<>* parsing) {
  Outcome out;
  try {
    out.old_docid = snapshot.docid(file.shard, schema::id_term(file.id));
    if (out.old_docid && id_taken(file, snapshot, out)) return out;
    std::string bytes;
    if (!read_into(file, bytes, out)) return out;
    Hash hash = content_hash(bytes);
    if (out.old_docid && !rebuild &&
        snapshot.hash(file.shard, *out.old_docid) == std::optional<Hash>(hash)) {
      out.kind = Outcome::Kind::kUnchanged;
      return out;
    }
    Permit permit(parsing);
    parse_and_build(file, bytes, hash, builder, out);
  } catch (const std::bad_alloc&) {
    out.kind = Outcome::Kind::kRejected;
    out.fatal = kOutOfMemory;
  } catch (const std::exception& e) {
    out.kind = Outcome::Kind::kRejected;
    out.reason = std::string("cannot be indexed: ") + e.what();
  } catch (const Xapian::Error& e) {
    out.kind = Outcome::Kind::kRejected;
    out.reason = "cannot be indexed: " + e.get_description();
  }
  return out;
}

Pipeline::Pipeline(const std::vector<InputFile>& files, const Snapshot& snapshot, bool rebuild,
                   unsigned threads, unsigned readers)
    : files_(files),
      snapshot_(snapshot),
      rebuild_(rebuild),
      parsing_(threads),
      limit_(readers > threads ? &parsing_ : nullptr),
      ring_(256 * threads + 16 * std::max(threads, readers)) {
  std::size_t workers =
      readers_within_descriptors(std::max(threads, readers), snapshot.databases());
  if (start_threads(workers_, workers, kParserStack, [this] { work(); }) == 0) {
    throw Error(Error::Kind::kSystem, "cannot start a thread to read files");
  }
}

Pipeline::~Pipeline() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  space_.notify_all();
  for (auto& worker : workers_) worker.join();
}

Outcome Pipeline::take(std::size_t i) {
  std::unique_lock lock(mutex_);
  auto& slot = ring_[i % ring_.size()];
  ready_.wait(lock, [&] { return slot.has_value() || out_of_memory_; });
  if (!slot) throw Error(Error::Kind::kSystem, kOutOfMemory);
  if (slot->fatal) throw Error(Error::Kind::kSystem, *slot->fatal);
  Outcome out = std::move(*slot);
  slot.reset();
  taken_ = i + 1;
  space_.notify_all();
  return out;
}

// A worker that runs out of memory outside process() (its builder, an
// outcome) says so to take() and ends.
void Pipeline::work() {
  try {
    DocumentBuilder builder;
    while (true) {
      std::size_t i;
      {
        std::unique_lock lock(mutex_);
        space_.wait(
            lock, [&] { return stop_ || next_ >= files_.size() || next_ < taken_ + ring_.size(); });
        if (stop_ || next_ >= files_.size()) return;
        i = next_++;
      }
      Outcome out = process(files_[i], snapshot_, rebuild_, builder, limit_);
      {
        std::lock_guard lock(mutex_);
        ring_[i % ring_.size()] = std::move(out);
      }
      ready_.notify_all();
    }
  } catch (const std::bad_alloc&) {
    {
      std::lock_guard lock(mutex_);
      out_of_memory_ = true;
    }
    ready_.notify_all();
  }
}

}  // namespace news
