// News files with a given quality and heat, for the tests of prior order
// (the quick look at a file and the order a database is built in).
#pragma once

#include <string>

namespace news::testing {

// A news file with the given title words, quality and heat ("" = absent).
inline std::string news_file_with_signals(const std::string& title, const std::string& quality,
                                          const std::string& heat,
                                          const std::string& excerpt = "") {
  std::string text = "---\ntitle: \"" + title + "\"\nexcerpt: \"" +
                     (excerpt.empty() ? title + " in detail" : excerpt) +
                     "\"\npublishedDateTime: 2021-05-01T10:00:00Z\ntype: article\n";
  if (!quality.empty()) text += "quality: " + quality + "\n";
  if (!heat.empty()) text += "heat: " + heat + "\n";
  return text + "provider:\n  name: Wire\n  domain: wire.example\n---\n";
}

}  // namespace news::testing
