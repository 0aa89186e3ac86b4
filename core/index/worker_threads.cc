#include "index/worker_threads.h"

#include <algorithm>

#include "base/file_read.h"

namespace news {

// A writer's six tables, its lock and version file, a reader's tables.
constexpr std::size_t kDescriptorsPerDatabase = 14;

std::size_t readers_within_descriptors(std::size_t wanted, std::size_t databases) {
  std::size_t spare = spare_descriptors(wanted + kDescriptorsPerDatabase * databases);
  std::size_t reserve = std::min(kDescriptorsPerDatabase * databases, spare / 2);
  return std::clamp<std::size_t>(spare - reserve, 1, wanted);
}

}  // namespace news
