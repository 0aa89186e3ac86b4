#include "prior/peek.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "base/text.h"
#include "document/document.h"
#include "schema/schema.h"

namespace news::prior {
namespace {

// The integer a top-level `quality:` or `heat:` line gives after its key,
// bare or quoted, from `lowest` to kMaxRankSignal; nullopt when written
// otherwise.
std::optional<std::int64_t> read_signal(std::string_view value, std::int64_t lowest) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (value.size() >= 2 && (value.front() == '\'' || value.front() == '"') &&
      value.back() == value.front()) {
    value = value.substr(1, value.size() - 2);
  }
  std::int64_t number = 0;
  auto [rest, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (ec != std::errc() || rest != value.data() + value.size()) return std::nullopt;
  if (number < lowest || number > kMaxRankSignal) return std::nullopt;
  return number;
}

}  // namespace

std::optional<double> peek_prior(std::string_view bytes) {
  std::optional<std::string_view> text = front_matter_text(bytes);
  if (!text) return std::nullopt;
  std::optional<std::int64_t> signal[2];  // quality, heat
  constexpr std::string_view kKeys[2] = {"quality:", "heat:"};
  constexpr std::int64_t kLowest[2] = {0, -1};  // heat -1: unknown
  for (std::size_t start = 0; start < text->size();) {
    std::size_t end = std::min(text->find('\n', start), text->size());
    std::string_view line = trim_line_end(text->substr(start, end - start));
    start = end + 1;
    for (int k = 0; k < 2; ++k) {
      if (!line.starts_with(kKeys[k])) continue;
      std::optional<std::int64_t> number = read_signal(line.substr(kKeys[k].size()), kLowest[k]);
      if (!number) return std::nullopt;
      if (*number >= 0) signal[k] = *number;
    }
  }
  return schema::prior(signal[0], signal[1]);
}

}  // namespace news::prior
