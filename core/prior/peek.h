// A quick look at a news file's prior before it is parsed.
//
// A new database is built in prior order (prior_order.h): the indexer sorts
// its files by the prior their documents will most likely have before it
// parses them, and this look gives that prior from the file's top-level
// `quality:` and `heat:` lines alone, without parsing the YAML. A guess that
// turns out wrong costs speed, never correctness: the indexer sends such a
// document to the tail (docs/design.md, "Prior order").
#pragma once

#include <optional>
#include <string_view>

namespace news::prior {

// The prior (schema::prior) of the document the file's bytes will most likely
// give, or nullopt when the file has no front matter or a value is written in
// a way the look does not follow. Reads integers, bare or quoted, on lines
// that start with the key (indented keys belong to nested maps), within the
// front matter; a missing value or heat -1 counts as unknown, as the parser
// has it.
std::optional<double> peek_prior(std::string_view bytes);

}  // namespace news::prior
