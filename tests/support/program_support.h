// Running news-index and news-search from end-to-end tests (the e2e_tests
// executable defines NEWS_INDEX_BIN and NEWS_SEARCH_BIN).
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "test_support.h"

namespace news::testing {

// An empty folder standing for the user's home and configuration folder, so
// that no one's own configuration, database or terminal settings change what
// the programs do under test.
inline const std::string& clean_home() {
  static TempDir home;
  static const std::string path = home.str();
  return path;
}

// The environment every command starts from, then `env` (VAR=value, quoted
// here) on top.
inline std::string environment(const std::vector<std::string>& env) {
  std::string line =
      "env -u NEWS_SEARCH_CONFIG -u NEWS_SEARCH_DB -u NO_COLOR -u COLUMNS XDG_CONFIG_HOME=" +
      shell_quote(clean_home()) + " HOME=" + shell_quote(clean_home());
  for (const auto& assignment : env) line += " " + shell_quote(assignment);
  return line;
}

// A command line: that environment, each argument shell-quoted, standard
// input closed (no program here may wait for the terminal).
inline std::string command_line(const std::string& program, const std::vector<std::string>& args,
                                const std::vector<std::string>& env = {}) {
  std::string line = environment(env) + " " + shell_quote(program);
  for (const auto& arg : args) line += " " + shell_quote(arg);
  return line + " </dev/null";
}

inline CommandResult news_index(const std::vector<std::string>& args,
                                const std::vector<std::string>& env = {}) {
  return run_command(command_line(NEWS_INDEX_BIN, args, env));
}

inline CommandResult news_search(const std::vector<std::string>& args,
                                 const std::vector<std::string>& env = {}) {
  return run_command(command_line(NEWS_SEARCH_BIN, args, env));
}

inline std::string describe(const CommandResult& r) {
  return "status " + std::to_string(r.status) + "\n--- stdout:\n" + r.out.substr(0, 4000) +
         "\n--- stderr:\n" + r.err.substr(0, 4000);
}

// Parses --json output; output that is not JSON is a test failure (and null).
inline nlohmann::json parse_json(const CommandResult& r) {
  nlohmann::json parsed = nlohmann::json::parse(r.out, nullptr, false);
  if (parsed.is_discarded()) {
    ADD_FAILURE() << "output is not JSON: " << describe(r);
    return nullptr;
  }
  return parsed;
}

}  // namespace news::testing
