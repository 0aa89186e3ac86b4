#include "base/paths.h"

#include <cstdlib>

namespace news {

std::string default_database_path() {
  auto env = [](const char* name) -> std::string {
    const char* value = std::getenv(name);
    return value ? value : "";
  };
  if (auto db = env("NEWS_SEARCH_DB"); !db.empty()) return db;
  if (auto data = env("XDG_DATA_HOME"); !data.empty()) return data + "/news-search/db";
  if (auto home = env("HOME"); !home.empty()) return home + "/.local/share/news-search/db";
  return "news-search.db";
}

}  // namespace news
