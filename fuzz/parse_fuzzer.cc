// libFuzzer target: the front-matter parser and the document builder, and the
// text hygiene they rely on, on arbitrary bytes. Any crash, sanitizer report,
// leak or timeout is a bug; keep the input in tests/fixtures/fuzz-regressions/.
// It also aborts when the parser departs from the YAML standard:
// - whatever a whole read of the YAML accepts (document.h,
//   parse_news_file_whole), the parser must read the same;
// - whatever the parser accepts, the whole read must accept too, unless the
//   file has the two parts the parser never reads (`secured`, `images`);
// - whatever the whole read accepts, libyaml's document loader must load as
//   one YAML document whose tags are the core schema's and whose mappings
//   have no key twice and no merge key. This is independent of yaml-cpp,
//   which reads the fields, and of the event pass document.cc runs.
#include <yaml.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "base/text.h"
#include "document/document.h"
#include "document/document_builder.h"

namespace {

// Whether libyaml's loader reads `text` as exactly one document as above.
// NEL, LS and PS, line breaks to libyaml (YAML 1.1) but text in YAML 1.2,
// are given to it as U+00A0 and U+2027.
bool loads_as_one_plain_document(std::string text) {
  for (auto [from, to] : {std::pair<std::string_view, std::string_view>{"\xC2\x85", "\xC2\xA0"},
                          {"\xE2\x80\xA8", "\xE2\x80\xA7"},
                          {"\xE2\x80\xA9", "\xE2\x80\xA7"}}) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
      text.replace(at, from.size(), to);
    }
  }
  yaml_parser_t parser;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  yaml_document_t document;
  bool ok = yaml_parser_load(&parser, &document) != 0;
  if (!ok) {
    yaml_parser_delete(&parser);
    return false;
  }
  ok = document.version_directive == nullptr &&
       document.tag_directives.start == document.tag_directives.end;
  static const std::set<std::string> kCoreTags = {
      "tag:yaml.org,2002:str",  "tag:yaml.org,2002:int",  "tag:yaml.org,2002:float",
      "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:seq",
      "tag:yaml.org,2002:map"};
  auto scalar = [&](int index) -> const yaml_node_t* {
    const yaml_node_t* node = yaml_document_get_node(&document, index);
    return node && node->type == YAML_SCALAR_NODE ? node : nullptr;
  };
  for (yaml_node_t* node = document.nodes.start; ok && node < document.nodes.top; ++node) {
    ok = node->tag && kCoreTags.count(reinterpret_cast<const char*>(node->tag)) > 0;
    if (!ok || node->type != YAML_MAPPING_NODE) continue;
    std::set<std::string> keys;
    for (auto* pair = node->data.mapping.pairs.start; ok && pair < node->data.mapping.pairs.top;
         ++pair) {
      const yaml_node_t* key = scalar(pair->key);
      if (!key) continue;
      std::string name(reinterpret_cast<const char*>(key->data.scalar.value),
                       key->data.scalar.length);
      ok = keys.insert(name).second &&
           !(name == "<<" && key->data.scalar.style == YAML_PLAIN_SCALAR_STYLE);
    }
  }
  yaml_document_delete(&document);
  if (ok) {  // a second document?
    ok = yaml_parser_load(&parser, &document) != 0 &&
         yaml_document_get_root_node(&document) == nullptr;
    if (ok || parser.error == YAML_NO_ERROR) yaml_document_delete(&document);
  }
  yaml_parser_delete(&parser);
  return ok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  news::ParseResult parsed = news::parse_news_file(bytes);
  news::ParseResult whole = news::parse_news_file_whole(bytes);
  if (whole.status != news::ParseStatus::kRejected) {
    if (parsed.status != whole.status || parsed.reason != whole.reason ||
        parsed.warnings != whole.warnings || parsed.document != whole.document) {
      std::abort();
    }
  }
  if (parsed.status == news::ParseStatus::kOk && whole.status != news::ParseStatus::kOk &&
      bytes.find("images:") == std::string_view::npos &&
      bytes.find("secured:") == std::string_view::npos) {
    std::abort();
  }
  if (whole.status == news::ParseStatus::kOk) {
    auto yaml = news::front_matter_yaml(bytes);
    if (!yaml || !loads_as_one_plain_document(*yaml)) std::abort();
  }
  if (parsed.status == news::ParseStatus::kOk) {
    static news::DocumentBuilder builder;
    try {
      Xapian::Document doc = builder.build(parsed.document, "fuzz/input.md", "XRfuzz", "hash");
      (void)doc.termlist_count();
    } catch (const std::length_error&) {
      // Over kMaxDocumentTerms: the builder's contract, and the indexer's rejection.
    }
    (void)news::terminal_safe(parsed.document.title);
  }
  std::string text = news::terminal_safe(bytes);
  news::repair_mojibake(text);
  (void)news::shorten(text, 80);
  (void)news::parse_iso_datetime(bytes);
  return 0;
}
