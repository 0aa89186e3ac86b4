#include "index/scanner.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "index/walker.h"
#include "schema/schema.h"
#include "store/shards.h"

namespace fs = std::filesystem;

namespace news {

std::string id_collision(const std::string& id, const std::string& holder) {
  return "its id '" + id + "' is already that of " + holder +
         ", indexed from another folder; index a folder that holds both, so that each gets an "
         "id of its own";
}

std::vector<fs::path> stored_roots(const std::string& metadata) {
  std::vector<fs::path> roots;
  auto stored = nlohmann::json::parse(metadata, nullptr, false);
  if (stored.is_array()) {
    for (const auto& root : stored) {
      if (root.is_string()) roots.emplace_back(root.get<std::string>());
    }
  }
  return roots;
}

bool IndexedInDatabases::any_in(const PruneScope& scope) const {
  const std::string& term = scope.root_term;
  for (const Xapian::Database* db : databases_) {
    if (scope.id_prefix.empty()) {
      if (db->get_termfreq(term) > 0) return true;
      continue;
    }
    for (auto it = db->postlist_begin(term); it != db->postlist_end(term); ++it) {
      if (db->get_document(*it).get_value(schema::kId).starts_with(scope.id_prefix)) return true;
    }
  }
  return false;
}

std::string IndexedInDatabases::root_term_of(const std::string& id) const {
  const Xapian::Database& db = *databases_[shard_of(id, unsigned(databases_.size()))];
  std::string term = schema::id_term(id);
  Xapian::PostingIterator posting = db.postlist_begin(term);
  if (posting == db.postlist_end(term)) return {};
  Xapian::TermIterator root = db.termlist_begin(*posting);
  root.skip_to(std::string(schema::kRootPrefix));
  if (root == db.termlist_end(*posting) || !(*root).starts_with(schema::kRootPrefix)) return {};
  return *root;
}

Scanner::Scanner(const IndexOptions& options, std::vector<fs::path> indexed_roots,
                 const IndexedDocuments& indexed, IndexObserver& observer, IndexStats& stats)
    : options_(options),
      indexed_(indexed),
      observer_(observer),
      stats_(stats),
      roots_(std::move(indexed_roots)) {}

std::vector<InputFile> Scanner::scan(const std::vector<std::string>& paths) {
  std::vector<InputFile> files;
  Walker walker(options_, observer_, stats_, unreadable_);
  for (const auto& given : paths) {
    fs::path path(given);
    std::error_code ec;
    fs::path canonical = fs::canonical(path, ec);
    if (ec) {
      // A broken or looping symlink, or a path that cannot be resolved:
      // named, and nothing is taken from it (no root, nothing pruned).
      ++stats_.seen;
      ++stats_.rejected;
      observer_.rejected(given, "cannot be resolved: " + ec.message());
      continue;
    }
    bool folder = fs::is_directory(canonical, ec);
    std::vector<fs::path> roots_before = roots_;
    std::size_t scopes_before = prune_scopes_.size();
    fs::path base = base_for(folder ? canonical : canonical.parent_path(), folder);
    const std::string& term = root_terms_.emplace_back(schema::root_term(base.string()));
    if (!folder) {
      files.push_back({path.string(), canonical.lexically_relative(base).generic_string(), &term});
      continue;
    }
    // Prune the walked folder only: all of its root, or the ids under it.
    std::string sub = canonical.lexically_relative(base).generic_string();
    prune_scopes_.push_back({term, sub == "." ? "" : sub + "/", false, ""});
    walker.walk_root(path, base, term, files);
    if (walker.found() == 0 && !options_.prune_empty && would_prune_any(scopes_before)) {
      // An empty folder (an unmounted disk looks so) changes nothing:
      // neither the documents from it nor the roots.
      prune_scopes_.resize(scopes_before);
      roots_ = std::move(roots_before);
      observer_.warning(given,
                        "holds no files, but the database holds documents from it: they are "
                        "kept (is a disk unmounted? --prune-empty removes them)");
    }
  }
  keep_one_file_per_id(files);
  return files;
}

std::vector<PruneScope> Scanner::prunable() const {
  std::vector<PruneScope> scopes;
  for (const auto& scope : prune_scopes_) {
    if (options_.prune || scope.enclosed_root) scopes.push_back(scope);
  }
  return scopes;
}

// One document per id. A file named twice (under one root) is read once;
// two files of different roots with one id are a collision: the first keeps
// the id and the other is rejected, by name.
void Scanner::keep_one_file_per_id(std::vector<InputFile>& files) {
  std::vector<bool> first(files.size());
  {
    // Views of the ids: gone before the files move.
    std::unordered_map<std::string_view, std::size_t> ids;
    ids.reserve(files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
      auto [it, inserted] = ids.emplace(files[i].id, i);
      first[i] = inserted;
      if (inserted || *files[it->second].root_term == *files[i].root_term) continue;
      // The file whose folder holds the id in the database keeps it.
      std::size_t loser = i;
      if (indexed_.root_term_of(files[i].id) == *files[i].root_term) {
        loser = it->second;
        first[loser] = false;
        first[i] = true;
        it->second = i;
      }
      ++stats_.seen;
      ++stats_.rejected;
      observer_.rejected(files[loser].path, id_collision(files[loser].id, files[it->second].path));
    }
  }
  std::size_t kept = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (!first[i]) continue;
    if (kept != i) files[kept] = std::move(files[i]);
    ++kept;
  }
  files.erase(files.begin() + static_cast<std::ptrdiff_t>(kept), files.end());
}

// Whether the prune scopes from `first_scope` on would remove any document.
bool Scanner::would_prune_any(std::size_t first_scope) const {
  for (std::size_t i = first_scope; i < prune_scopes_.size(); ++i) {
    const PruneScope& scope = prune_scopes_[i];
    if (!options_.prune && !scope.enclosed_root) continue;
    if (indexed_.any_in(scope)) return true;
  }
  return false;
}

// The indexed root for a folder: the outermost root already in the database
// that holds it, so a file keeps one id whichever folder above it is named.
// A new root that holds older ones encloses them: their documents come back
// under ids relative to the new root, and the old ones are pruned.
// `walked`: the folder is walked; a file's folder (not walked) never
// encloses the roots inside it, whose files this run does not see: it is
// then its file's base without becoming a root.
fs::path Scanner::base_for(const fs::path& folder, bool walked) {
  for (const auto& root : roots_) {
    if (is_within(folder, root)) return root;
  }
  if (!walked && std::any_of(roots_.begin(), roots_.end(),
                             [&](const fs::path& root) { return is_within(root, folder); })) {
    return folder;
  }
  std::vector<fs::path> kept;
  for (const auto& root : roots_) {
    if (is_within(root, folder)) {
      prune_scopes_.push_back({schema::root_term(root.string()), "", true,
                               root.lexically_relative(folder).generic_string() + "/"});
    } else {
      kept.push_back(root);
    }
  }
  kept.push_back(folder);
  roots_ = std::move(kept);
  return folder;
}

}  // namespace news
