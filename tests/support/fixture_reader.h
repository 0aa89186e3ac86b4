// Reads the test fixtures' news files with yaml-cpp directly, independently of
// the product's parser, for tests that compute their expectations from the
// fixtures (facet counts, texts).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace news::testing {

struct FixtureDoc {
  std::string title, type, provider, month;  // month "YYYY-MM" in UTC, "" if undated
  std::vector<std::string> topics;           // lower case
  std::string text;                          // title and excerpt, lower case
};

// Lower case (ASCII), whitespace runs folded to one space, trimmed.
inline std::string lower_folded(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// "2021-01-31T23:30:00-02:00" -> "2021-02" (the month in UTC).
inline std::string utc_month(const std::string& when) {
  using namespace std::chrono;
  int y = std::stoi(when.substr(0, 4));
  unsigned mo = unsigned(std::stoi(when.substr(5, 2))), d = unsigned(std::stoi(when.substr(8, 2)));
  int h = std::stoi(when.substr(11, 2)), mi = std::stoi(when.substr(14, 2));
  sys_seconds t = sys_days(year(y) / month(mo) / day(d)) + hours(h) + minutes(mi);
  std::string zone = when.substr(19);
  if (!zone.empty() && zone != "Z") {
    int sign = zone[0] == '-' ? -1 : 1;
    t -= sign * (hours(std::stoi(zone.substr(1, 2))) + minutes(std::stoi(zone.substr(4, 2))));
  }
  year_month_day ymd(floor<days>(t));
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u", int(ymd.year()), unsigned(ymd.month()));
  return buffer;
}

inline FixtureDoc read_fixture(const std::filesystem::path& path) {
  // The file is a YAML stream: the front matter, then the empty document
  // after the closing `---`.
  YAML::Node front = YAML::LoadAllFromFile(path.string()).at(0);
  auto text = [&](const char* key) {
    return front[key] && front[key].IsScalar() ? front[key].Scalar() : std::string();
  };
  FixtureDoc doc;
  doc.title = text("title");
  doc.type = lower_folded(text("type"));
  doc.text = lower_folded(text("title")) + " " + lower_folded(text("excerpt")) + " ";
  if (front["provider"] && front["provider"]["name"]) {
    doc.provider = front["provider"]["name"].Scalar();
  }
  for (const auto& topic : front["topics"]) doc.topics.push_back(lower_folded(topic.Scalar()));
  if (std::string when = text("publishedDateTime"); !when.empty()) doc.month = utc_month(when);
  return doc;
}

}  // namespace news::testing
