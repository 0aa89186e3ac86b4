// End-to-end tests of sharding and remote search: news-index --shards N,
// and news-search over one database, over its shards (a stub folder, several
// --db, a stub file) and over shards served by Xapian's xapian-tcpsrv on
// 127.0.0.1. The same queries must give the same results (ids, order,
// scores, snippets, totals, facets) whichever way the documents are split.
#include "store/shards.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "program_support.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using news::testing::CommandResult;
using news::testing::describe;
using news::testing::news_index;
using news::testing::news_search;
using news::testing::parse_json;
using news::testing::read_file;
using news::testing::TempDir;
using news::testing::write_file;
using nlohmann::json;

const fs::path kFeatures = fs::path(NEWS_FIXTURES_DIR) / "features";

// The corpus of these tests: the seeds and two feature fixtures (copies of
// one story; words for "did you mean"), each its own root.
std::vector<std::string> corpus_paths() {
  return {NEWS_SEEDS_DIR, (kFeatures / "dupes").string(), (kFeatures / "spelling").string()};
}

CommandResult index_into(const std::string& db, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--db", db};
  args.insert(args.end(), extra.begin(), extra.end());
  for (const auto& path : corpus_paths()) args.push_back(path);
  return news_index(args);
}

sockaddr_in loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  return address;
}

// A port nothing listens on (the kernel's choice, released at once).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address = loopback(0);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ADD_FAILURE() << "cannot find a free port";
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

bool accepts_connections(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address = loopback(port);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

// xapian-tcpsrv serving one database on 127.0.0.1, for the test's lifetime.
class ShardServer {
 public:
  explicit ShardServer(const std::string& db) : port_(free_port()) {
    pid_ = ::fork();
    if (pid_ == 0) {
      std::string port = std::to_string(port_);
      std::freopen("/dev/null", "w", stdout);
      std::freopen("/dev/null", "w", stderr);  // connections the tests drop on purpose
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);      // never outlive the test
      ::setpgid(0, 0);  // xapian-tcpsrv ends by signalling its whole process group
      for (int fd = 3; fd < 1024; ++fd) ::close(fd);
      ::execl(XAPIAN_TCPSRV_BIN, XAPIAN_TCPSRV_BIN, "--port", port.c_str(), "--interface",
              "127.0.0.1", "--quiet", db.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!accepts_connections(port_) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_TRUE(accepts_connections(port_)) << "xapian-tcpsrv did not start for " << db;
  }
  ~ShardServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  ShardServer(const ShardServer&) = delete;
  ShardServer& operator=(const ShardServer&) = delete;

  std::string spec() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

 private:
  int port_;
  pid_t pid_ = -1;
};

// One plain database and one of two shards, built once from the same files,
// and two servers serving the shards.
struct Fixture {
  TempDir dir;
  std::string plain = (dir / "plain").string();
  std::string sharded = (dir / "sharded").string();
  std::unique_ptr<ShardServer> server0, server1;

  Fixture() {
    CommandResult a = index_into(plain);
    EXPECT_EQ(a.status, 1) << describe(a);  // one corrupt seed, named
    CommandResult b = index_into(sharded, {"--shards", "2"});
    EXPECT_EQ(b.status, 1) << describe(b);
    EXPECT_CONTAINS(b.out, "(2 shards)");
    server0 = std::make_unique<ShardServer>((fs::path(sharded) / "shard-00").string());
    server1 = std::make_unique<ShardServer>((fs::path(sharded) / "shard-01").string());
  }
  std::vector<std::string> shard_paths() const {
    return {(fs::path(sharded) / "shard-00").string(), (fs::path(sharded) / "shard-01").string()};
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

// news-search --json over the given databases; the response without what
// may rightly differ between setups: notices (said for remote shards) and the
// spelling suggestion (checked on its own).
json search_over(const std::vector<std::string>& dbs, const std::vector<std::string>& query,
                 bool keep_suggestion = false) {
  std::vector<std::string> args;
  for (const auto& db : dbs) args.insert(args.end(), {"--db", db});
  args.push_back("--json");
  args.insert(args.end(), query.begin(), query.end());
  CommandResult r = news_search(args);
  EXPECT_TRUE(r.status == 0 || r.status == 1) << describe(r);
  json response = parse_json(r);
  if (!response.is_object()) return response;
  response.erase("notices");
  if (!keep_suggestion) response.erase("suggestion");
  return response;
}

bool exact_total(const json& response) {
  return response["total_lower"] == response["total_upper"];
}

// Where two responses differ, briefly: the first result that differs, or
// the keys outside the results. Estimated totals and facet counts over a
// sample depend on the order the matcher meets the documents in, and so on
// the split: they are compared only where both are exact.
std::string difference(json got, json want) {
  if (!got.is_object() || !want.is_object()) return "not JSON objects";
  if (!exact_total(got) || !exact_total(want)) {
    for (const char* key : {"total", "total_lower", "total_upper"}) {
      got.erase(key);
      want.erase(key);
    }
  }
  if (got.contains("facets") &&
      (got["facets"]["exact"] != true || want["facets"]["exact"] != true)) {
    got.erase("facets");
    want.erase("facets");
  }
  if (got == want) return "";
  const json& a = got["results"];
  const json& b = want["results"];
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    if (i >= a.size() || i >= b.size()) {
      return "result counts " + std::to_string(a.size()) + " and " + std::to_string(b.size());
    }
    // Scores agree to the last few bits only: Xapian adds up a document's
    // term weights in an order that depends on each shard's posting-list sizes.
    json x = a[i], y = b[i];
    double sx = x.value("score", 0.0), sy = y.value("score", 0.0);
    if (std::abs(sx - sy) <= 1e-12 * std::max(std::abs(sx), std::abs(sy))) {
      x["score"] = y["score"];
      if (x.contains("explain") && y.contains("explain")) {
        double rx = x["explain"].value("relevance", 0.0), ry = y["explain"].value("relevance", 0.0);
        if (std::abs(rx - ry) <= 1e-12 * std::max(1.0, std::abs(ry))) {
          x["explain"]["relevance"] = y["explain"]["relevance"];
        }
      }
    }
    if (x != y) {
      if (x["id"] == y["id"] && x["score"] == y["score"]) {
        return "result " + std::to_string(i + 1) + ":\n  got  " + x.dump() + "\n  want " + y.dump();
      }
      return "result " + std::to_string(i + 1) + ":\n  got  " + a[i]["id"].dump() + " " +
             a[i]["score"].dump() + "\n  want " + b[i]["id"].dump() + " " + b[i]["score"].dump();
    }
  }
  json rest_a = got, rest_b = want;
  rest_a.erase("results");
  rest_b.erase("results");
  if (rest_a == rest_b) return "";
  return "outside the results:\n  got  " + rest_a.dump() + "\n  want " + rest_b.dump();
}

// The queries compared: words, phrases, filters, sorting, paging, facets,
// freshness, collapsing off, the weights, no text at all, and --like.
std::vector<std::vector<std::string>> queries() {
  return {
      {"ai"},
      {"facial", "recognition"},
      {"\"power apps\""},
      {"--any", "azure", "aws", "google"},
      {"--topic", "AI", "learning"},
      {"--provider", "thenextweb.com", "ai"},
      {"--since", "2021-01", "--until", "2021-12", "data"},
      {"--min-quality", "50", "microsoft"},
      {"--sort", "date", "--limit", "20", "robot"},
      {"--sort", "quality", "--limit", "20", "ai"},
      {"--limit", "5", "--offset", "5", "ai"},
      {"--limit", "50", "the"},
      {"--facets", "--limit", "3", "ai"},
      {"--facets", "--limit", "0"},
      {"--half-life", "30d", "--now", "2021-03-01", "robots"},
      {"--quality-weight", "0", "--heat-weight", "0", "learning"},
      {"--quality-weight", "2", "--heat-weight", "1", "learning"},
      {"--all", "zoox"},
      {"zoox"},
      {"--all", "glacier", "OR", "tunnel"},
      {"glacier", "OR", "tunnel"},
      {"--limit", "30"},
      {"--explain", "title:apps"},
      {"--like", "ai-news/2020-04-15-walking-robot-uses-neural-net-to-change-gaits.md"},
  };
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

// ---------------------------------------------------------------- indexing

TEST(Shards, IndexerWritesShardsAndAStubThatXapianOpensAsOne) {
  Fixture& f = fixture();
  EXPECT_EQ(read_file(fs::path(f.sharded) / "XAPIANDB"), "auto shard-00\nauto shard-01\n");
  Xapian::Database plain(f.plain);
  Xapian::Database shard0(f.shard_paths()[0]), shard1(f.shard_paths()[1]);
  EXPECT_GT(shard0.get_doccount(), 0u);
  EXPECT_GT(shard1.get_doccount(), 0u);
  EXPECT_EQ(shard0.get_doccount() + shard1.get_doccount(), plain.get_doccount());
  // The folder opens as one database, for Xapian's own tools too.
  EXPECT_EQ(Xapian::Database(f.sharded).get_doccount(), plain.get_doccount());
  CommandResult quest =
      news::testing::run_command(news::testing::shell_quote(QUEST_BIN) + " -d " +
                                 news::testing::shell_quote(f.sharded) + " -b topic:K 'topic:ai'");
  EXPECT_EQ(quest.status, 0) << describe(quest);
  EXPECT_CONTAINS(quest.out, "MSet:");
}

TEST(Shards, EveryDocumentIsInTheShardItsIdHashesTo) {
  Fixture& f = fixture();
  std::size_t checked = 0;
  for (unsigned s = 0; s < 2; ++s) {
    Xapian::Database shard(f.shard_paths()[s]);
    for (auto v = shard.valuestream_begin(12); v != shard.valuestream_end(12); ++v) {
      EXPECT_EQ(news::shard_of(*v, 2), s) << *v;
      ++checked;
    }
  }
  EXPECT_EQ(checked, Xapian::Database(f.plain).get_doccount());
}

TEST(Shards, ShardOfSpreadsIdsEvenlyAndNeverChangesItsMind) {
  std::map<unsigned, int> counts;
  for (int i = 0; i < 4000; ++i) {
    std::string id = "2021/04/story-" + std::to_string(i) + ".md";
    unsigned s = news::shard_of(id, 4);
    ASSERT_LT(s, 4u);
    EXPECT_EQ(news::shard_of(id, 4), s);
    ++counts[s];
  }
  for (unsigned s = 0; s < 4; ++s) {
    EXPECT_GT(counts[s], 800) << "shard " << s;
    EXPECT_LT(counts[s], 1200) << "shard " << s;
  }
  EXPECT_EQ(news::shard_of("anything", 1), 0u);
}

TEST(Shards, ReRunsKeepEachDocumentInItsShard) {
  TempDir dir;
  fs::path news = dir / "news";
  fs::copy(kFeatures / "dupes", news, fs::copy_options::recursive);
  std::string db = (dir / "db").string();
  CommandResult first = news_index({"--db", db, "--shards", "3", news.string()});
  ASSERT_EQ(first.status, 0) << describe(first);
  Xapian::doccount total = Xapian::Database(db).get_doccount();
  ASSERT_GT(total, 2u);

  // Unchanged: nothing re-indexed; no --shards needed to find the shards.
  CommandResult again = news_index({"--db", db, news.string()});
  ASSERT_EQ(again.status, 0) << describe(again);
  EXPECT_CONTAINS(again.out, " 0 indexed, " + std::to_string(total) + " unchanged");

  // One file changed, one removed: replaced in place and pruned.
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(news)) {
    if (entry.is_regular_file() && entry.path().extension() == ".md") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 2u);
  std::string text = read_file(files[0]);
  std::size_t title = text.find("title:");
  ASSERT_NE(title, std::string::npos);
  text.insert(title + 6, " Xylophonic");
  write_file(files[0], text);
  fs::remove(files[1]);
  CommandResult third = news_index({"--db", db, "--shards", "3", news.string()});
  ASSERT_EQ(third.status, 0) << describe(third);
  EXPECT_CONTAINS(third.out, " 1 indexed, ");
  EXPECT_CONTAINS(third.out, "; 1 removed; ");
  EXPECT_EQ(Xapian::Database(db).get_doccount(), total - 1);
  std::string id = files[0].lexically_relative(news).generic_string();
  unsigned home = news::shard_of(id, 3);
  for (unsigned s = 0; s < 3; ++s) {
    Xapian::Database shard((fs::path(db) / news::shard_name(s)).string());
    bool here = shard.postlist_begin("Q" + id) != shard.postlist_end("Q" + id);
    EXPECT_EQ(here, s == home) << "shard " << s;
  }
  json found = parse_json(news_search({"--db", db, "--json", "xylophonic"}));
  ASSERT_EQ(found["results"].size(), 1u) << found.dump();
  EXPECT_EQ(found["results"][0]["id"], id);
}

TEST(Shards, AnotherNumberOfShardsForAnExistingDatabaseExitsTwo) {
  Fixture& f = fixture();
  CommandResult more = news_index({"--db", f.sharded, "--shards", "3", NEWS_SEEDS_DIR});
  EXPECT_EQ(more.status, 2) << describe(more);
  EXPECT_CONTAINS(more.err, f.sharded);
  EXPECT_CONTAINS(more.err, "2 shards");
  CommandResult split = news_index({"--db", f.plain, "--shards", "2", NEWS_SEEDS_DIR});
  EXPECT_EQ(split.status, 2) << describe(split);
  EXPECT_CONTAINS(split.err, "1 shard");
  // Nothing was written: both still search as before.
  EXPECT_EQ(Xapian::Database(f.sharded).get_doccount(), Xapian::Database(f.plain).get_doccount());
}

TEST(Shards, IndexingARemoteDatabaseExitsTwo) {
  CommandResult r = news_index({"--db", "tcp://127.0.0.1:1", NEWS_SEEDS_DIR});
  EXPECT_EQ(r.status, 2) << describe(r);
  EXPECT_CONTAINS(r.err, "tcp://127.0.0.1:1");
}

// ---------------------------------------------------------------- searching

TEST(Shards, LocalShardsGiveTheResultsOfOneDatabase) {
  Fixture& f = fixture();
  for (const auto& query : queries()) {
    json one = search_over({f.plain}, query);
    ASSERT_TRUE(one.is_object());
    EXPECT_GT(one.value("total", 0), 0) << joined(query);
    EXPECT_EQ(difference(search_over({f.sharded}, query), one), "")
        << "stub folder: " << joined(query);
    EXPECT_EQ(difference(search_over(f.shard_paths(), query), one), "")
        << "two --db: " << joined(query);
  }
}

TEST(Shards, RemoteShardsGiveTheResultsOfOneDatabase) {
  Fixture& f = fixture();
  TempDir dir;
  std::string stub = (dir / "remote.stub").string();
  write_file(stub, "remote 127.0.0.1:" + std::to_string(f.server0->port()) +
                       "\nremote 127.0.0.1:" + std::to_string(f.server1->port()) + "\n");
  for (const auto& query : queries()) {
    json one = search_over({f.plain}, query);
    EXPECT_EQ(difference(search_over({f.server0->spec(), f.server1->spec()}, query), one), "")
        << "tcp://: " << joined(query);
    EXPECT_EQ(difference(search_over({stub}, query), one), "") << "stub file: " << joined(query);
    EXPECT_EQ(difference(search_over({f.server0->spec(), f.shard_paths()[1]}, query), one), "")
        << "one remote, one local: " << joined(query);
  }
}

TEST(Shards, SpellingSuggestionsWorkOverLocalShards) {
  Fixture& f = fixture();
  json one = search_over({f.plain}, {"facal", "recogniton"}, true);
  ASSERT_TRUE(one["suggestion"].is_object()) << one.dump();
  EXPECT_EQ(search_over({f.sharded}, {"facal", "recogniton"}, true)["suggestion"],
            one["suggestion"]);
}

TEST(Shards, RemoteShardsSayPlainlyThatThereAreNoSpellingSuggestions) {
  Fixture& f = fixture();
  CommandResult r = news_search(
      {"--db", f.server0->spec(), "--db", f.server1->spec(), "--json", "facal", "recogniton"});
  EXPECT_TRUE(r.status == 0 || r.status == 1) << describe(r);
  EXPECT_CONTAINS(r.err, "spelling");
  EXPECT_CONTAINS(r.err, "remote");
  json response = parse_json(r);
  EXPECT_TRUE(response["suggestion"].is_null());
  ASSERT_TRUE(response["notices"].is_array()) << response.dump();
  EXPECT_CONTAINS(response["notices"][0].get<std::string>(), "spelling");
  // --no-spelling asks for none: nothing to say.
  CommandResult quiet = news_search(
      {"--db", f.server0->spec(), "--db", f.server1->spec(), "--no-spelling", "recognition"});
  EXPECT_EQ(quiet.status, 0) << describe(quiet);
  EXPECT_EQ(quiet.err, "");
}

TEST(Shards, ADownShardServerExitsThreeNamingIt) {
  Fixture& f = fixture();
  int port = free_port();
  std::string down = "tcp://127.0.0.1:" + std::to_string(port);
  CommandResult r = news_search({"--db", f.server0->spec(), "--db", down, "ai"});
  EXPECT_EQ(r.status, 3) << describe(r);
  EXPECT_CONTAINS(r.err, down);
  EXPECT_EQ(r.out, "");

  TempDir dir;
  std::string stub = (dir / "remote.stub").string();
  write_file(stub, "remote 127.0.0.1:" + std::to_string(f.server0->port()) +
                       "\nremote 127.0.0.1:" + std::to_string(port) + "\n");
  CommandResult s = news_search({"--db", stub, "ai"});
  EXPECT_EQ(s.status, 3) << describe(s);
  EXPECT_CONTAINS(s.err, stub);
  EXPECT_CONTAINS(s.err, "127.0.0.1:" + std::to_string(port));
}

TEST(Shards, BadRemoteSpecExitsTwo) {
  for (const char* spec : {"tcp://", "tcp://host", "tcp://host:", "tcp://host:port", "tcp://:80",
                           "tcp://host:99999"}) {
    CommandResult r = news_search({"--db", spec, "ai"});
    EXPECT_EQ(r.status, 2) << spec << ": " << describe(r);
    EXPECT_CONTAINS(r.err, spec);
  }
}

}  // namespace
