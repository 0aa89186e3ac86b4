#include "base/config.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <regex>

#include "base/error.h"
#include "base/file_read.h"

namespace news {
namespace {

// A configuration file is a few lines; a larger one is not read.
constexpr std::size_t kMaxConfigBytes = 1 << 20;

[[noreturn]] void bad(const std::string& path, const std::string& key, const std::string& why) {
  throw Error(Error::Kind::kConfig, path + ": " + (key.empty() ? "" : key + ": ") + why);
}

template <typename T>
T scalar_as(const YAML::Node& node, const std::string& path, const std::string& key,
            const char* expected) {
  if (!node.IsScalar()) bad(path, key, std::string("expected ") + expected);
  try {
    return node.as<T>();
  } catch (const YAML::Exception&) {
    bad(path, key, std::string("expected ") + expected + ", got '" + node.Scalar() + "'");
  }
}

double weight(const YAML::Node& node, const std::string& path, const std::string& key) {
  double value = scalar_as<double>(node, path, key, "a number");
  if (!(value >= 0 && value <= 1000)) bad(path, key, "must be between 0 and 1000");
  return value;
}

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

}  // namespace

double parse_half_life_days(const std::string& text) {
  static const std::regex kPattern(R"(\s*(\d+(?:\.\d+)?)\s*([hdwmy]?)\s*)");
  std::smatch m;
  if (!std::regex_match(text, m, kPattern)) {
    throw Error(Error::Kind::kBadQuery,
                "half-life '" + text + "' is not a duration like 12h, 30d, 2w, 6m or 1y");
  }
  // strtod, not stod: a number too large or too small for a double is
  // reported below, not thrown as std::out_of_range.
  double amount = std::strtod(m[1].str().c_str(), nullptr);
  const std::string unit = m[2];
  double days = unit == "h"   ? amount / 24
                : unit == "w" ? amount * 7
                : unit == "m" ? amount * 30.436875
                : unit == "y" ? amount * 365.2425
                              : amount;
  if (!(days > 0) || !std::isfinite(days)) {
    throw Error(Error::Kind::kBadQuery,
                "half-life '" + text + "' must be positive and finite (e.g. 30d)");
  }
  return days;
}

Config parse_config(const std::string& text, const std::string& path) {
  Config config;
  config.path = path;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    bad(path, "", "YAML does not parse at line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (root.IsNull()) return config;  // an empty file sets nothing
  if (!root.IsMap()) bad(path, "", "expected a mapping of keys to values");
  for (const auto& entry : root) {
    const std::string key = entry.first.as<std::string>();
    const YAML::Node& value = entry.second;
    if (key == "db") {
      config.db = scalar_as<std::string>(value, path, key, "a path");
    } else if (key == "quality_weight") {
      config.quality_weight = weight(value, path, key);
    } else if (key == "heat_weight") {
      config.heat_weight = weight(value, path, key);
    } else if (key == "freshness_weight") {
      config.freshness_weight = weight(value, path, key);
    } else if (key == "half_life") {
      std::string half_life = scalar_as<std::string>(value, path, key, "a duration like 30d");
      try {
        parse_half_life_days(half_life);
      } catch (const Error& e) {
        bad(path, key, e.what());
      }
      config.half_life = half_life;
    } else if (key == "format") {
      std::string format = scalar_as<std::string>(value, path, key, "a format name");
      if (format != "terminal" && format != "json" && format != "jsonl" && format != "csv") {
        bad(path, key, "'" + format + "' is not one of terminal, json, jsonl, csv");
      }
      config.format = format;
    } else if (key == "limit") {
      long long limit = scalar_as<long long>(value, path, key, "a whole number");
      if (limit < 0 || limit > 10000) bad(path, key, "must be between 0 and 10000");
      config.limit = static_cast<unsigned>(limit);
    } else {
      bad(path, key,
          "unknown key (known: db, quality_weight, heat_weight, freshness_weight, half_life, "
          "format, limit)");
    }
  }
  return config;
}

Config load_config(const std::string& explicit_path) {
  std::string path = explicit_path;
  bool required = true;
  if (path.empty()) path = env("NEWS_SEARCH_CONFIG");
  if (path.empty()) {
    required = false;
    std::string base = env("XDG_CONFIG_HOME");
    if (base.empty() && !env("HOME").empty()) base = env("HOME") + "/.config";
    if (base.empty()) return {};
    path = base + "/news-search/config.yaml";
  }
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (required) bad(path, "", "no such configuration file");
    return {};
  }
  std::string text, error;
  if (read_regular_file(path, kMaxConfigBytes, text, error) != ReadResult::kRead) {
    bad(path, "", error);
  }
  return parse_config(text, path);
}

}  // namespace news
