// The configuration file: defaults for both programs, in YAML.
//
// Found at --config PATH, else $NEWS_SEARCH_CONFIG, else
// $XDG_CONFIG_HOME/news-search/config.yaml (~/.config/... without XDG). A file
// named by --config or the variable must exist; the XDG one is optional.
// Options on the command line override the file. Keys:
//   db: PATH              quality_weight: NUMBER    heat_weight: NUMBER
//   half_life: 30d        freshness_weight: NUMBER  format: terminal|json|jsonl|csv
//   limit: NUMBER
// An unknown key or a bad value throws Error(kConfig) naming the file, the key
// and the reason.
#pragma once

#include <optional>
#include <string>

namespace news {

struct Config {
  std::string path;  // the file the values came from; empty: no file
  std::optional<std::string> db;
  std::optional<double> quality_weight, heat_weight, freshness_weight;
  std::optional<std::string> half_life;
  std::optional<std::string> format;
  std::optional<unsigned> limit;
};

// `explicit_path` is --config's value (empty when not given). Only a
// regular file of at most 1 MiB is read (file_read.h); anything else is an
// Error(kConfig) naming the file, never waited on.
Config load_config(const std::string& explicit_path);

// Parses a config file's text; `path` is only used in messages.
Config parse_config(const std::string& text, const std::string& path);

// "30d", "12h", "2w", "1y", "90" (days) -> days. Throws Error(kBadQuery).
double parse_half_life_days(const std::string& text);

}  // namespace news
