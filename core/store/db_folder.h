// What news-index may create, clear and remove on disk: only folders it can
// prove it made itself. A user's folder given as --db by mistake, or one that
// happens to be named DB.parts, is never cleared or removed (docs/design.md,
// "Folders the indexer owns").
//
// Proof is a marker file the indexer writes before anything else:
// - a database folder it is creating holds kCreationMarker until Xapian has
//   created the database (a plain one: `iamglass`; a sharded one: its stub),
//   so a creation cut short is recognised and cleared on the next run;
// - the folder of a split build's parts (parts_path) holds kPartsMarker,
//   naming the database it belongs to, for as long as it exists.
// Clearing and removing touch only the files Xapian's glass backend writes
// (`*.glass`, `iamglass`, `flintlock`, `*.tmp`), the markers and sub-folders
// made of the same; anything else stops the removal and is reported.
#pragma once

#include <filesystem>
#include <string>

namespace news {

inline constexpr const char* kCreationMarker = "news-index-creating";
inline constexpr const char* kPartsMarker = "news-index-parts";

// What is at a path given as --db, before the indexer opens it.
enum class DbFolderState {
  kAbsent,       // nothing there (or an empty folder): a database can be created
  kDatabase,     // a Xapian database (`iamglass`) or a stub file (XAPIANDB)
  kUnfinished,   // a creation by news-index that was cut short (the marker, no database)
  kNotDatabase,  // a file, or a folder holding other things: never touched
};

// Examines `db` without changing it. `found` names an entry that makes it
// kNotDatabase (for the message).
DbFolderState examine_db_folder(const std::filesystem::path& db, std::string* found = nullptr);

// Makes `db` ready for Xapian to create a database in: creates the folder
// (and its parents) if needed and writes the creation marker. For a
// kUnfinished folder, first removes what the cut-short creation left.
// Returns true if it cleared such leftovers. Throws Error(kDatabase) for a
// kNotDatabase path, naming what is there, and when it cannot write.
bool begin_db_creation(const std::filesystem::path& db);

// The creation is complete (the database or its stub exists): removes the marker.
void end_db_creation(const std::filesystem::path& db);

// Whether `parts` is the parts folder news-index made for the database `db`.
bool is_own_parts_folder(const std::filesystem::path& parts, const std::filesystem::path& db);

// Creates the parts folder for `db` with its marker. Throws Error(kDatabase).
void create_parts_folder(const std::filesystem::path& parts, const std::filesystem::path& db);

// Removes a folder the indexer owns (a parts folder, or a database or shard
// folder it made): its Xapian files, markers and sub-folders of the same.
// Returns an empty string when it is gone, else what was left and why.
std::string remove_own_folder(const std::filesystem::path& folder);

}  // namespace news
