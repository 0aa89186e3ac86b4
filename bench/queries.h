// The benchmark's query set (written by gen-corpus --queries) and the
// percentile arithmetic both query benchmarks report with.
#pragma once

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace news::bench {

// One line of queries.txt: kind TAB query TAB topic-filter [TAB frequency class].
struct Query {
  std::string kind, text, topic, frequency;
};

inline std::vector<Query> read_queries(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<Query> queries;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    std::stringstream fields_in(line);
    for (std::string field; std::getline(fields_in, field, '\t');) fields.push_back(field);
    fields.resize(4);
    queries.push_back({fields[0], fields[1], fields[2], fields[3]});
  }
  return queries;
}

// The p-th percentile (nearest rank) of `values`; 0 for none.
inline double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  std::size_t index = static_cast<std::size_t>(p / 100.0 * double(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

}  // namespace news::bench
