// Finishing a split first build (build_plan.h): merging its two parts into
// the database, and settling the parts of a build that was cut short.
//
// Contract: merge_parts() merges the committed parts ("0": the high part,
// "1": the low one) into one compacted database, in prior order with the
// parts' orders joined (placement.h), with a checkpoint counting every
// commit, and swaps it in one step into the place of the empty database at
// the path, whose lock the caller holds. On failure the parts are kept and
// the error says how much room the merge needs. settle_parts() runs before
// a run: parts of an interrupted build are merged (if the database is still
// empty) or only removed. docs/design.md, "Split first builds".
#pragma once

#include <filesystem>
#include <string>

#include "index/indexer.h"

namespace news {

// Throws Error(kDatabase) if the merge or the swap fails; the parts stay.
void merge_parts(const std::string& db_path, const std::filesystem::path& parts);

// Removes a parts folder once it is merged; what news-index did not write
// there is left, and the observer told.
void remove_parts(const std::filesystem::path& parts, IndexObserver& observer);

// A split build that was cut short leaves its parts beside the database:
// their committed documents are merged into it (the database at the path is
// still empty), as the build would have done, and the run goes on from
// there. If the merged database had already taken its place, the parts are
// only removed. Only a parts folder this indexer made for this database
// (db_folder.h) is touched.
void settle_parts(const IndexOptions& options, IndexObserver& observer);

}  // namespace news
