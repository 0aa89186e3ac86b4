// The one exception type the core library lets out. Xapian and file-system
// errors are caught at the library's edge and turned into an Error whose
// kind the front-ends map to their documented exit statuses.
#pragma once

#include <stdexcept>
#include <string>

namespace news {

class Error : public std::runtime_error {
 public:
  enum class Kind {
    kNoSuchPath,   // an input path does not exist
    kNoDatabase,   // the database to search does not exist
    kDatabase,     // the database cannot be opened, read or written
    kLocked,       // another writer holds the database's lock
    kBadQuery,     // the query (or a filter) cannot be parsed
    kConfig,       // the configuration file is missing or has a bad value
    kSystem,       // the system refused a resource the run needs (a thread)
    kInterrupted,  // stopped by a signal before it changed anything (IndexOptions::stop)
  };
  Error(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// What an Error(kSystem) says when memory runs out (std::bad_alloc).
inline constexpr const char* kOutOfMemory =
    "out of memory (is a limit on address space, ulimit -v, set too low?)";

}  // namespace news
