// process-bench: whole-process query latency, as a user's shell sees it.
//
// For each query of a query set (gen-corpus --queries) it starts one process
// of the system under test, top 10, output to /dev/null, and times it from
// spawn to exit; each query runs --repeat times. Several systems (each
// `--system NAME --db DB`, paired in order) are interleaved: each query runs
// on each system in turn, so that a slower spell of a shared machine slows
// them all alike and their ratios hold. Systems:
//   news-blended    news-search QUERY (the product's defaults)
//   news-relevance  news-search --quality-weight 0 --heat-weight 0 QUERY
//   quest           quest -d DB -o and -m 10 QUERY (Xapian's own search tool)
//   sqlite-blended  sqlite3 DB "SELECT ... MATCH ... ORDER BY bm25() blended with
//                   quality and heat LIMIT 10" (SQLite FTS5)
// Prints one Markdown row per system and query class: median and p95 in ms.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "queries.h"

extern char** environ;

namespace {

using news::bench::percentile;
using news::bench::Query;
using news::bench::read_queries;

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// FTS5 query syntax: bare words quoted (so '-' or ':' in a word is not an
// operator), phrases kept as they are; implicit AND, like news-search.
std::string fts5_match(const std::string& query) {
  std::string out;
  std::size_t i = 0;
  while (i < query.size()) {
    if (query[i] == ' ') {
      ++i;
      continue;
    }
    std::size_t end;
    std::string token;
    if (query[i] == '"') {
      end = query.find('"', i + 1);
      end = end == std::string::npos ? query.size() : end + 1;
      token = query.substr(i, end - i);
    } else {
      end = query.find(' ', i);
      if (end == std::string::npos) end = query.size();
      token = "\"" + query.substr(i, end - i) + "\"";
    }
    if (!out.empty()) out += ' ';
    out += token;
    i = end;
  }
  return out;
}

std::string sql_string(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::vector<std::string> command(const std::string& system, const std::string& bin_dir,
                                 const std::string& db, const Query& q) {
  if (system == "news-blended" || system == "news-relevance") {
    std::vector<std::string> argv = {bin_dir + "/news-search", "--db", db, "-n", "10"};
    if (system == "news-relevance") {
      argv.insert(argv.end(), {"--quality-weight", "0", "--heat-weight", "0"});
    }
    if (!q.topic.empty()) argv.insert(argv.end(), {"--topic", q.topic});
    argv.insert(argv.end(), {"--", q.text});
    return argv;
  }
  if (system == "quest") {
    std::string text = q.text;
    if (!q.topic.empty()) text += " topic:\"" + lower(q.topic) + "\"";
    return {"quest", "-d", db, "-o", "and", "-m", "10", "-b", "topic:K", text};
  }
  if (system == "sqlite-blended") {
    std::string sql =
        "SELECT id FROM fts WHERE fts MATCH " + sql_string(fts5_match(q.text)) +
        (q.topic.empty() ? ""
                         : " AND rowid IN (SELECT doc FROM news_topic WHERE topic = " +
                               sql_string(lower(q.topic)) + ")") +
        " ORDER BY bm25(fts, 3.0, 1.0) - 0.5 * coalesce(quality, 70) / (coalesce(quality, 70) + "
        "70.0) - 0.25 * coalesce(heat, 70) / (coalesce(heat, 70) + 70.0) LIMIT 10;";
    return {"sqlite3", "-readonly", db, sql};
  }
  throw std::runtime_error("unknown system " + system);
}

// Runs one query; a process still running after `timeout_ms` (0: never) is
// killed and counts as taking `timeout_ms` (a lower bound; see `timeouts`).
int timeouts = 0;

double run_once(const std::vector<std::string>& args, double timeout_ms = 0) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  auto start = std::chrono::steady_clock::now();
  pid_t pid;
  if (posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
    throw std::runtime_error("cannot start " + args[0]);
  }
  int status = 0;
  auto elapsed = [&] {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
  };
  while (waitpid(pid, &status, timeout_ms > 0 ? WNOHANG : 0) == 0) {
    if (elapsed() > timeout_ms) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      posix_spawn_file_actions_destroy(&actions);
      ++timeouts;
      return timeout_ms;
    }
    usleep(200);
  }
  double ms = elapsed();
  posix_spawn_file_actions_destroy(&actions);
  if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) {
    throw std::runtime_error(args[0] + " failed (status " + std::to_string(status) +
                             ") on: " + args.back());
  }
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"process-bench: whole-process query latency of news-search and its peers"};
  std::vector<std::string> systems, dbs;
  std::string queries_path, bin_dir = ".";
  int repeat = 3;
  app.add_option("--system", systems,
                 "news-blended, news-relevance, quest or sqlite-blended (repeatable)")
      ->required()
      ->allow_extra_args(false);
  app.add_option("--db", dbs, "the database of each --system, in the same order")
      ->required()
      ->allow_extra_args(false);
  app.add_option("--queries", queries_path, "queries file (gen-corpus --queries)")->required();
  app.add_option("--bin", bin_dir, "folder holding news-search");
  app.add_option("--repeat", repeat, "runs of each query")->capture_default_str();
  std::size_t sample = 0;
  double timeout_ms = 0;
  app.add_option("--sample", sample, "run only this many of the queries, evenly spread (0: all)");
  app.add_option("--timeout-ms", timeout_ms, "stop a query after this long and count it so");
  CLI11_PARSE(app, argc, argv);
  if (systems.size() != dbs.size()) {
    std::fprintf(stderr, "process-bench: %zu --system but %zu --db\n", systems.size(), dbs.size());
    return 2;
  }

  std::vector<Query> queries = read_queries(queries_path);
  if (sample > 0 && sample < queries.size()) {
    std::vector<Query> spread;
    for (std::size_t i = 0; i < sample; ++i) spread.push_back(queries[i * queries.size() / sample]);
    queries = std::move(spread);
  }
  // by_class[system][query class]: the times of its runs
  std::vector<std::map<std::string, std::vector<double>>> by_class(systems.size());
  for (const auto& query : queries) {
    std::vector<std::vector<std::string>> args;
    for (std::size_t s = 0; s < systems.size(); ++s) {
      args.push_back(command(systems[s], bin_dir, dbs[s], query));
      run_once(args[s], timeout_ms);  // warm-up
    }
    for (int r = 0; r < repeat; ++r) {
      for (std::size_t s = 0; s < systems.size(); ++s) {
        double ms = run_once(args[s], timeout_ms);
        by_class[s]["all"].push_back(ms);
        if (!query.frequency.empty()) by_class[s][query.frequency].push_back(ms);
        if (!query.kind.empty()) by_class[s][query.kind].push_back(ms);
      }
    }
  }
  for (std::size_t s = 0; s < systems.size(); ++s) {
    for (const auto& [name, times] : by_class[s]) {
      std::printf("| %s | %s | %zu | %.2f | %.2f |\n", systems[s].c_str(), name.c_str(),
                  times.size() / std::size_t(repeat), percentile(times, 50), percentile(times, 95));
    }
  }
  if (timeouts > 0) {
    std::string names;
    for (const auto& system : systems) names += (names.empty() ? "" : ", ") + system;
    std::fprintf(stderr, "process-bench: %s: %d runs stopped at %.0f ms\n", names.c_str(), timeouts,
                 timeout_ms);
  }
  return 0;
}
