// Where the database lives unless --db says otherwise, shared by both programs.
#pragma once

#include <string>

namespace news {

// $NEWS_SEARCH_DB if set; else $XDG_DATA_HOME/news-search/db; else
// $HOME/.local/share/news-search/db; else ./news-search.db.
std::string default_database_path();

}  // namespace news
