// The pipeline: files in, documents out, in the order the files were found.
//
// Contract: process() turns one file into an Outcome: unchanged (its bytes
// hash as the snapshot says), indexed (a built document, its story's url term
// and its spelling words), not a news document, rejected (with the reason),
// or vanished (gone since the walk). It never throws for a file's fault; a
// problem that stops the run (no descriptors left, no memory) is set in
// Outcome::fatal. Pipeline runs process() on worker threads, at most a ring's
// length of files ahead of the one thread that takes the outcomes in order
// with take(). It writes nothing (docs/design.md, "Indexing: the pipeline and the writer").
#pragma once

#include <xapian.h>

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <semaphore>
#include <string>
#include <vector>

#include "base/file_read.h"
#include "base/sized_thread.h"
#include "document/document_builder.h"
#include "index/scanner.h"
#include "index/snapshot.h"

namespace news {

// Reads a news file whole, or explains why it cannot (file_read.h: regular
// files only, never waiting on one, at most 16 MiB: a news file is a few
// KiB). Throws std::bad_alloc when memory runs out.
ReadResult read_news_file(const std::string& path, std::string& bytes, std::string& error);

// What a worker made of one file.
struct Outcome {
  enum class Kind { kUnchanged, kIndexed, kNotADocument, kRejected, kVanished };
  Kind kind = Kind::kRejected;
  std::optional<Xapian::docid> old_docid;  // in the file's database
  Xapian::Document document;               // kIndexed
  std::string url_term;                    // kIndexed: finds other copies of the story
  std::vector<std::string> words;          // kIndexed: its spelling words
  std::string reason;                      // kNotADocument, kRejected
  std::vector<std::string> warnings;
  // Set when the run cannot go on (not the file's fault): what it says.
  std::optional<std::string> fatal;
};

// One file's outcome. `rebuild`: build it even if unchanged; `parsing`:
// permits to parse and build (null: no limit), which reading and hashing
// need none of.
Outcome process(const InputFile& file, const Snapshot& snapshot, bool rebuild,
                DocumentBuilder& builder, std::counting_semaphore<>* parsing);

// `readers` workers (at least `threads`) read and hash files, and at most
// `threads` of them parse at a time: a re-run mostly reads unchanged files,
// which waits on the disk. The ring holds parsed documents (a rebuild fills
// it), so it grows with the parsing threads; each reader adds a few slots,
// not a parser's.
class Pipeline {
 public:
  // Starts the workers; throws Error(kSystem) if not one can start.
  Pipeline(const std::vector<InputFile>& files, const Snapshot& snapshot, bool rebuild,
           unsigned threads, unsigned readers);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // The outcome of files[i]; call with i = 0, 1, 2, ... in turn. Throws
  // Error(kSystem) when the run cannot go on (Outcome::fatal), or a worker
  // ran out of memory.
  Outcome take(std::size_t i);

 private:
  void work();

  const std::vector<InputFile>& files_;
  const Snapshot& snapshot_;
  const bool rebuild_;
  std::counting_semaphore<> parsing_;
  std::counting_semaphore<>* const limit_;
  std::mutex mutex_;
  std::condition_variable ready_, space_;
  std::vector<std::optional<Outcome>> ring_;
  std::size_t next_ = 0, taken_ = 0;
  bool stop_ = false, out_of_memory_ = false;
  std::vector<SizedThread> workers_;
};

}  // namespace news
