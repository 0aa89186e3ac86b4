#include "document/document.h"

// date.h's parser trips a false -Wmaybe-uninitialized in GCC 12 when inlined.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <date/date.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#include <utf8.h>
#include <xapian.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>
#include <yaml.h>  // libyaml

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <regex>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>

#include "base/text.h"
#include "schema/schema.h"

namespace news {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// A field of the right name but the wrong shape: rejects the file.
struct FieldError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Splits off the front matter: the text after an opening `---` line up to a
// closing `---` or `...` line, or to the end of the file when there is none.
// Returns nullopt when the file does not open with `---`.
struct FrontMatter {
  std::string_view text;
  bool closed = false;
};
std::optional<FrontMatter> split_front_matter(std::string_view bytes) {
  std::size_t eol = bytes.find('\n');
  std::string_view first = bytes.substr(0, eol);
  if (trim_line_end(first) != "---") return std::nullopt;
  if (eol == std::string_view::npos) return FrontMatter{{}, false};
  std::string_view rest = bytes.substr(eol + 1);
  std::size_t pos = 0;
  while (pos < rest.size()) {
    std::size_t end = rest.find('\n', pos);
    std::string_view line = rest.substr(pos, end == std::string_view::npos ? end : end - pos);
    std::string_view bare = trim_line_end(line);
    if (bare == "---" || bare == "...") return FrontMatter{rest.substr(0, pos), true};
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return FrontMatter{rest, false};
}

const char* kind_name(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return "a string";
    default:
      return "nothing";
  }
}

bool present(const YAML::Node& node) { return node.IsDefined() && !node.IsNull(); }

// A scalar's text, as UTF-8. yaml-cpp writes two escapes of double-quoted
// scalars as single Latin-1 bytes rather than UTF-8: "\N" (U+0085, next line)
// as 0x85 and "\_" (U+00A0, no-break space) as 0xA0. Its input is UTF-8 by
// then, so such bytes can only come from those escapes: the line break
// becomes a space, the no-break space itself, and anything else U+FFFD.
std::string scalar(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (is_valid_utf8(text)) return text;
  return decode_invalid_bytes(text, [](unsigned char byte) {
    return byte == 0x85 ? U' ' : byte == 0xA0 ? U'\u00A0' : U'\uFFFD';
  });
}

// The most text the fields of one file may add up to: more than a file without
// aliases can hold (its front matter is at most kMaxFrontMatterBytes, and
// reading it as Windows-1252 at most triples that).
constexpr std::size_t kMaxTextBytes = 3 * kMaxFrontMatterBytes;

// Reads the fields of one file's YAML. An alias names a node again without
// writing it out, so a short file can name one long text many thousands of
// times; every text the reader takes counts towards kMaxTextBytes, and a file
// that goes over it is rejected.
class FieldReader {
 public:
  // A scalar field as text, or nullopt when absent or null.
  std::optional<std::string> text(const YAML::Node& map, const std::string& key) {
    YAML::Node node = map[key];
    if (!present(node)) return std::nullopt;
    if (!node.IsScalar()) {
      throw FieldError(key + ": expected a string, got " + kind_name(node));
    }
    return take(key, node);
  }

  std::optional<std::int64_t> integer(const YAML::Node& map, const std::string& key,
                                      std::int64_t min, std::int64_t max) {
    auto text = this->text(map, key);
    if (!text) return std::nullopt;
    std::string_view digits = *text;
    while (!digits.empty() && digits.front() == ' ') digits.remove_prefix(1);
    while (!digits.empty() && digits.back() == ' ') digits.remove_suffix(1);
    if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    // Accept "26.0" (a whole number written as a decimal) but nothing else.
    std::string_view tail(end, digits.data() + digits.size() - end);
    bool whole_decimal = !tail.empty() && tail.front() == '.' &&
                         tail.find_first_not_of('0', 1) == std::string_view::npos;
    if (digits.empty() || ec == std::errc::invalid_argument || (!tail.empty() && !whole_decimal)) {
      throw FieldError(key + ": expected a whole number, got '" + shorten(*text, 40) + "'");
    }
    if (ec == std::errc::result_out_of_range || value < min || value > max) {
      throw FieldError(key + ": " + std::string(digits) + " is out of range " +
                       std::to_string(min) + ".." + std::to_string(max));
    }
    return value;
  }

  // A list of strings; a single string is taken as a list of one.
  std::vector<std::string> string_list(const YAML::Node& map, const std::string& key) {
    YAML::Node node = map[key];
    std::vector<std::string> out;
    if (!present(node)) return out;
    if (node.IsScalar()) {
      out.push_back(take(key, node));
      return out;
    }
    if (!node.IsSequence()) {
      throw FieldError(key + ": expected a list of strings, got " + kind_name(node));
    }
    for (const auto& item : node) {
      if (!present(item)) continue;
      if (!item.IsScalar()) {
        throw FieldError(key + ": expected a list of strings, but an entry is " + kind_name(item));
      }
      out.push_back(take(key, item));
    }
    return out;
  }

  // A scalar's text, counted towards the limit.
  std::string take(const std::string& key, const YAML::Node& node) {
    std::size_t size = node.Scalar().size();
    if (size > left_) {
      throw FieldError(key + ": YAML aliases repeat more than " +
                       std::to_string(kMaxTextBytes >> 20) +
                       " MiB of text, more than any file can hold");
    }
    left_ -= size;
    return scalar(node);
  }

 private:
  std::size_t left_ = kMaxTextBytes;
};

// Whether `text` (UTF-8) has a character a reader can see: one that is not
// whitespace, a control or format character (zero-width spaces and joiners,
// direction marks, the byte-order mark), a variation selector, nor one of
// the fillers that are drawn blank.
bool has_visible_character(std::string_view text) {
  for (Xapian::Utf8Iterator it(text.data(), text.size()); it != Xapian::Utf8Iterator(); ++it) {
    unsigned ch = *it;
    switch (Xapian::Unicode::get_category(ch)) {
      case Xapian::Unicode::CONTROL:
      case Xapian::Unicode::FORMAT:
      case Xapian::Unicode::SPACE_SEPARATOR:
      case Xapian::Unicode::LINE_SEPARATOR:
      case Xapian::Unicode::PARAGRAPH_SEPARATOR:
      case Xapian::Unicode::SURROGATE:
        continue;
      default:
        break;
    }
    bool blank = ch == 0x034F || (ch >= 0x180B && ch <= 0x180F) || ch == 0x115F || ch == 0x1160 ||
                 ch == 0x2800 || ch == 0x3164 || ch == 0xFFA0 || (ch >= 0xFE00 && ch <= 0xFE0F) ||
                 (ch >= 0xE0100 && ch <= 0xE01EF);
    if (!blank) return true;
  }
  return false;
}

class Cleaner {
 public:
  // Collapses whitespace and repairs mis-decoded text.
  std::string operator()(std::string text) {
    bool fixed = repair_mojibake(text);
    fixed = decode_html_entities(text) || fixed;
    if (fixed) ++repaired;
    return collapse_whitespace(text);
  }
  int repaired = 0;
};

NewsDocument extract(const YAML::Node& root, FieldReader& fields, Cleaner& clean) {
  NewsDocument doc;
  auto title = fields.text(root, "title");
  if (title) doc.title = clean(*title);
  if (!has_visible_character(doc.title)) {
    throw FieldError(doc.title.empty() ? "title: missing or empty"
                                       : "title: missing or empty (no visible character)");
  }
  doc.excerpt = clean(fields.text(root, "excerpt").value_or(""));

  doc.url = fields.text(root, "originalUrl").value_or("");
  if (doc.url.empty()) doc.url = fields.text(root, "webUrl").value_or("");
  doc.url = collapse_whitespace(doc.url);
  doc.category = clean(fields.text(root, "category").value_or(""));
  doc.type = clean(fields.text(root, "type").value_or(""));

  YAML::Node provider = root["provider"];
  if (present(provider)) {
    if (provider.IsScalar()) {
      doc.provider_name = clean(fields.take("provider", provider));
    } else if (provider.IsMap()) {
      doc.provider_name = clean(fields.text(provider, "name").value_or(""));
      doc.provider_domain = clean(fields.text(provider, "domain").value_or(""));
    } else {
      throw FieldError(std::string("provider: expected a mapping, got ") + kind_name(provider));
    }
  }

  for (auto& topic : fields.string_list(root, "topics")) {
    std::string cleaned = clean(std::move(topic));
    if (!cleaned.empty()) doc.topics.push_back(std::move(cleaned));
  }

  YAML::Node related = root["related"];
  if (present(related)) {
    if (!related.IsSequence()) {
      throw FieldError(std::string("related: expected a list, got ") + kind_name(related));
    }
    // An item named again by an alias is the same item: it is read once.
    std::unordered_set<int> seen;
    for (const auto& item : related) {
      if (!item.Mark().is_null() && !seen.insert(item.Mark().pos).second) continue;
      if (!item.IsMap()) {
        throw FieldError(std::string("related: expected a list of mappings, but an entry is ") +
                         kind_name(item));
      }
      std::optional<std::string> related_title;
      try {
        related_title = fields.text(item, "title");
      } catch (const FieldError& e) {
        throw FieldError(std::string("related: ") + e.what());
      }
      std::string cleaned = clean(related_title.value_or(""));
      if (!cleaned.empty()) doc.related_titles.push_back(std::move(cleaned));
    }
  }

  if (auto when = fields.text(root, "publishedDateTime")) {
    doc.published = parse_iso_datetime(*when);
    if (!doc.published) {
      throw FieldError("publishedDateTime: '" + shorten(*when, 40) + "' is not an ISO 8601 date");
    }
  }
  doc.quality = fields.integer(root, "quality", 0, kMaxRankSignal);
  doc.heat = fields.integer(root, "heat", -1, kMaxRankSignal);
  if (doc.heat == -1) doc.heat.reset();
  return doc;
}

// Where the value of a top-level line `secured: "..."` lies in `yaml`, when
// there is exactly one such line and its value has no escapes; nullopt
// otherwise.
std::optional<std::pair<std::size_t, std::size_t>> secured_value(std::string_view yaml) {
  static constexpr std::string_view kLine = "secured: \"";
  std::size_t start = std::string_view::npos;
  for (std::size_t at = 0; (at = yaml.find(kLine, at)) != std::string_view::npos; ++at) {
    if (at != 0 && yaml[at - 1] != '\n') continue;
    if (start != std::string_view::npos) return std::nullopt;
    start = at + kLine.size();
  }
  if (start == std::string_view::npos) return std::nullopt;
  std::size_t end = yaml.find_first_of("\"\\\n", start);  // no escapes, one line
  if (end == std::string_view::npos || yaml[end] != '"') return std::nullopt;
  std::size_t next = yaml.find_first_not_of(" \t\r", end + 1);
  if (next != std::string_view::npos && yaml[next] != '\n') return std::nullopt;
  return std::make_pair(start, end);
}

// Whether a line of a list of images (without its indentation and line end)
// holds whole tokens only, in printable ASCII: `- ` item marks, then perhaps a
// plain `key:`, then a plain scalar or a quoted one that closes on the line.
// Leaving such lines out cannot change how yaml-cpp reads the lines after
// them (a quote or bracket left open could, and so could a lone carriage
// return, which yaml-cpp takes for a line break).
bool self_contained(std::string_view text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  while (text == "-" || text.starts_with("- ")) {
    text.remove_prefix(1);
    while (text.starts_with(' ')) text.remove_prefix(1);
  }
  std::size_t colon = text.find(": ");
  if (colon == std::string_view::npos && text.ends_with(':')) colon = text.size() - 1;
  if (colon != std::string_view::npos) {
    std::string_view key = text.substr(0, colon);
    auto plain = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    if (key.empty() || !std::all_of(key.begin(), key.end(), plain)) return false;
    text.remove_prefix(colon + 1);
    while (text.starts_with(' ')) text.remove_prefix(1);
  }
  if (text.empty()) return true;
  char first = text.front();
  if (first == '"' || first == '\'') {
    std::string_view inside = text.substr(1, text.size() >= 2 ? text.size() - 2 : 0);
    return text.size() >= 2 && text.back() == first &&
           inside.find_first_of(first == '"' ? "\"\\" : "'") == std::string_view::npos;
  }
  return std::string_view("[]{}&*!|>%@`#,?:").find(first) == std::string_view::npos;
}

// The `images:` blocks of a front matter: lines that are exactly `images:`
// at some indentation (a key whose value starts on the next line), each with
// the lines below it that YAML's indentation gives its value: blank lines,
// lines indented deeper than the key, and `- ` items at the key's own
// indentation. A block with a line that is not self-contained is left out
// (it stays to be parsed). Lines and columns count from 0, as yaml-cpp's
// marks do.
struct ImagesBlock {
  int line = 0;
  int column = 0;
  std::size_t begin = 0, end = 0;  // the value's bytes: the lines after the key
};
std::vector<ImagesBlock> images_blocks(std::string_view yaml) {
  std::vector<ImagesBlock> blocks;
  auto indent_of = [](std::string_view line) { return line.find_first_not_of(' '); };
  int line_no = 0;
  for (std::size_t pos = 0; pos < yaml.size(); ++line_no) {
    std::size_t eol = std::min(yaml.find('\n', pos), yaml.size());
    std::string_view line = yaml.substr(pos, eol - pos);
    pos = eol + 1;
    std::size_t column = indent_of(line);
    if (column == std::string_view::npos || trim_line_end(line.substr(column)) != "images:") {
      continue;
    }
    ImagesBlock block{line_no, static_cast<int>(column), std::min(pos, yaml.size()), 0};
    block.end = block.begin;
    bool whole_tokens = true;
    while (pos < yaml.size()) {
      eol = std::min(yaml.find('\n', pos), yaml.size());
      std::string_view next = trim_line_end(yaml.substr(pos, eol - pos));
      std::size_t at = indent_of(next);
      bool item = at == column && next.size() > at && next[at] == '-' &&
                  (next.size() == at + 1 || next[at + 1] == ' ');
      if (at != std::string_view::npos && at <= column && !item) break;
      if (at != std::string_view::npos)
        whole_tokens = whole_tokens && self_contained(next.substr(at));
      pos = eol + 1;
      ++line_no;
      block.end = std::min(pos, yaml.size());
    }
    if (whole_tokens) blocks.push_back(block);
  }
  return blocks;
}

// Where yaml-cpp read keys `images` with an empty value: (line, column) of
// each, looked for down to the depth where news files keep them (related >
// item > provider > images). Aliases may share one node many times over, so
// the walk visits at most `budget` entries; false when it ran out.
bool empty_images_keys(const YAML::Node& node, int depth, int& budget,
                       std::vector<std::pair<int, int>>& out) {
  if (depth > 5 || !(node.IsMap() || node.IsSequence())) return true;
  for (const auto& entry : node) {
    if (--budget < 0) return false;
    const YAML::Node& value = node.IsMap() ? entry.second : entry;
    if (node.IsMap() && entry.first.IsScalar() && entry.first.Scalar() == "images" &&
        value.IsNull()) {
      out.emplace_back(entry.first.Mark().line, entry.first.Mark().column);
    }
    if (!empty_images_keys(value, depth + 1, budget, out)) return false;
  }
  return true;
}

// Parses the front matter. Two parts of a news file are never read, yet
// yaml-cpp would scan them one character at a time and build nodes for them:
// the `secured` blob and the lists of `images` (docs/design.md, "Parts of a
// file never read"). Both are emptied first (the images' lines are kept as
// empty lines, so every line keeps its number), and the result is kept only
// if the parse read each emptied line as the key it looked like: the
// top-level `secured` key, an `images` key with no value at the same line and
// column. Else (say the line lay inside a multi-line scalar) the text is
// parsed as it was, as it is when the emptied text does not parse, for the
// error it names. So the values of `images` are not checked: a list of images
// whose lines are whole but whose shape is wrong does not reject a file.
// `lean` is set to the text the result was parsed from when it is not `yaml`
// itself. Throws YAML::Exception.
YAML::Node load_yaml(const std::string& yaml, bool whole, std::optional<std::string>& lean_read) {
  if (whole) return YAML::Load(yaml);
  std::string lean = yaml;
  const auto blocks = images_blocks(lean);
  for (auto block = blocks.rbegin(); block != blocks.rend(); ++block) {
    auto first = lean.begin() + static_cast<std::ptrdiff_t>(block->begin);
    auto last = lean.begin() + static_cast<std::ptrdiff_t>(block->end);
    lean.erase(std::remove_if(first, last, [](char c) { return c != '\n'; }), last);
  }
  auto secured = secured_value(lean);
  if (secured) lean.erase(secured->first, secured->second - secured->first);
  if (lean.size() == yaml.size()) return YAML::Load(yaml);
  try {
    const YAML::Node root = YAML::Load(lean);
    bool as_read = root.IsMap();
    if (as_read && secured) {
      as_read = root["secured"].IsScalar() && root["secured"].Scalar().empty();
    }
    if (as_read && !blocks.empty()) {
      std::vector<std::pair<int, int>> keys;
      int budget = 10000;  // a news file has about a hundred
      as_read = empty_images_keys(root, 0, budget, keys);
      for (const auto& block : blocks) {
        as_read = as_read && std::find(keys.begin(), keys.end(),
                                       std::make_pair(block.line, block.column)) != keys.end();
      }
    }
    if (as_read) {
      lean_read = std::move(lean);
      return root;
    }
  } catch (const YAML::Exception&) {
    // Parsed again below as it was, for the error it names.
  }
  return YAML::Load(yaml);
}

// A front matter's line `line` (counted from 0, as yaml-cpp's and libyaml's
// marks are) as the file's line number: the opening `---` is line 1.
std::string file_line(std::size_t line) { return std::to_string(line + 2); }

// libyaml's event parser over one text. libyaml is a conforming YAML 1.1
// parser; yaml-cpp, which reads the fields, takes text that no conforming
// parser does (an unclosed single quote, a last line without a colon, a
// second document after a `--- # comment` line), so every front matter
// yaml-cpp accepts is parsed by libyaml too (conformance_problem).
class EventParser {
 public:
  explicit EventParser(std::string_view text) : text_(text) {
    // In YAML 1.1, which libyaml follows, NEL, LS and PS break lines; in
    // YAML 1.2, as for yaml-cpp, they are characters like any other (text
    // taken from web pages has them). libyaml is given each as another
    // character of as many bytes (U+00A0, U+2027), so that lines, columns
    // and offsets stay the text's.
    static constexpr std::string_view kBreaks[] = {"\xC2\x85", "\xE2\x80\xA8", "\xE2\x80\xA9"};
    static constexpr std::string_view kStandIns[] = {"\xC2\xA0", "\xE2\x80\xA7", "\xE2\x80\xA7"};
    for (std::size_t i = 0; i < std::size(kBreaks); ++i) {
      for (std::size_t at = text_.find(kBreaks[i]); at != std::string_view::npos;
           at = text_.find(kBreaks[i], at + 1)) {
        if (own_.empty()) text_ = own_ = std::string(text);
        own_.replace(at, kBreaks[i].size(), kStandIns[i]);
      }
    }
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text_.data()),
                                 text_.size());
  }
  ~EventParser() {
    if (has_event_) yaml_event_delete(&event_);
    yaml_parser_delete(&parser_);
  }
  EventParser(const EventParser&) = delete;
  EventParser& operator=(const EventParser&) = delete;

  // The next event, or nullptr when the text does not parse (error() says
  // why) or the stream has ended.
  const yaml_event_t* next() {
    if (has_event_) yaml_event_delete(&event_);
    has_event_ = false;
    if (ended_ || !yaml_parser_parse(&parser_, &event_)) return nullptr;
    has_event_ = true;
    ended_ = event_.type == YAML_STREAM_END_EVENT;
    return &event_;
  }

  // libyaml's error as a reason: "YAML does not parse at line N: ...".
  std::string error() const {
    if (parser_.error == YAML_READER_ERROR) {
      std::size_t offset = std::min(parser_.problem_offset, text_.size());
      auto line = static_cast<std::size_t>(std::count(text_.begin(), text_.begin() + offset, '\n'));
      std::string what = parser_.problem ? parser_.problem : "unreadable text";
      if (parser_.problem_value >= 0 && what == "control characters are not allowed") {
        char code[16];
        std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(parser_.problem_value));
        what = std::string("control character ") + code +
               " (YAML allows one only as an escape in double quotes)";
      }
      return "YAML does not parse at line " + file_line(line) + ": " + what;
    }
    std::string what = parser_.problem ? parser_.problem : "invalid YAML";
    if (what == "did not find expected <document start>") {
      what =
          "a '---' line was expected (after a '...' line, which ends the YAML document, or "
          "after a '%' directive)";
    }
    if (parser_.context == nullptr) {
      return "YAML does not parse at line " + file_line(parser_.problem_mark.line) + ": " + what;
    }
    // As libyaml words it: "while scanning a quoted scalar" (where it
    // began), "found unexpected end of stream" (where that showed).
    return "YAML does not parse at line " + file_line(parser_.context_mark.line) + ": " +
           parser_.context + ", " + what + " (at line " + file_line(parser_.problem_mark.line) +
           ")";
  }

 private:
  yaml_parser_t parser_;
  yaml_event_t event_;
  bool has_event_ = false;
  bool ended_ = false;
  std::string_view text_;
  std::string own_;  // the text with stand-ins, when it has NEL, LS or PS
};

// Whether a node's tag is one a front matter may carry: none, the
// non-specific `!`, or a tag of YAML's core schema. Other tags ask a loader
// to build objects (`!!python/object`) or name types only one application
// knows; yaml-cpp would ignore them and read the text, which is not what the
// writer meant.
bool standard_tag(const yaml_char_t* tag) {
  if (tag == nullptr) return true;
  static constexpr std::string_view kCore[] = {
      "!",
      "tag:yaml.org,2002:str",
      "tag:yaml.org,2002:int",
      "tag:yaml.org,2002:float",
      "tag:yaml.org,2002:bool",
      "tag:yaml.org,2002:null",
      "tag:yaml.org,2002:seq",
      "tag:yaml.org,2002:map",
  };
  std::string_view name(reinterpret_cast<const char*>(tag));
  return std::find(std::begin(kCore), std::end(kCore), name) != std::end(kCore);
}

// A tag as it is usually written: `!!int` for tag:yaml.org,2002:int.
std::string written_tag(const yaml_char_t* tag) {
  std::string name(reinterpret_cast<const char*>(tag));
  constexpr std::string_view kPrefix = "tag:yaml.org,2002:";
  if (name.starts_with(kPrefix)) name = "!!" + name.substr(kPrefix.size());
  return terminal_safe(shorten(name, 60));
}

// What makes `yaml`, which yaml-cpp has read, other than one YAML document
// of the kind a front matter is: libyaml's parse error; a second document; a
// `%YAML` or `%TAG` directive; a tag outside the core schema; a key written
// twice in one mapping (yaml-cpp would read the first, other readers the
// last); a merge key. nullopt when there is none.
//
// Merge keys (`<<: *defaults`) are rejected rather than applied: yaml-cpp does
// not apply them (it reads `<<` as a key like any other), YAML 1.2 left them
// out of its schemas, and news files do not use them; a file that relies on
// one would otherwise lose the fields it merges without a word.
std::optional<std::string> conformance_problem(std::string_view yaml) {
  struct Collection {
    bool mapping = false;
    bool expect_key = true;
    std::unordered_map<std::string, std::size_t> keys;  // key -> its line
  };
  std::vector<Collection> open;
  std::unordered_map<std::string, std::string> anchored_scalars;  // for aliases used as keys
  int documents = 0;

  // One node is complete: a key or a value of the mapping it is in, if any.
  // `key` is its text when it is a scalar.
  auto completed = [&](const std::string* key, bool plain,
                       std::size_t line) -> std::optional<std::string> {
    if (open.empty() || !open.back().mapping) return std::nullopt;
    Collection& map = open.back();
    map.expect_key = !map.expect_key;
    if (map.expect_key || key == nullptr) return std::nullopt;  // a value, or a complex key
    if (plain && *key == "<<") {
      return "merge key '<<' at line " + file_line(line) +
             ": merge keys are not supported; write the fields out";
    }
    auto [at, added] = map.keys.emplace(*key, line);
    if (!added) {
      std::string name = "duplicate key '" + terminal_safe(shorten(*key, 40)) + "'";
      if (at->second == line) return name + " twice at line " + file_line(line);
      return name + " at lines " + file_line(at->second) + " and " + file_line(line);
    }
    return std::nullopt;
  };

  EventParser parser(yaml);
  while (const yaml_event_t* event = parser.next()) {
    std::size_t line = event->start_mark.line;
    const yaml_char_t* tag = nullptr;
    std::optional<std::string> problem;
    switch (event->type) {
      case YAML_DOCUMENT_START_EVENT:
        if (++documents > 1) {
          return "a second YAML document starts at line " + file_line(line) +
                 " (only a line of just '---' or '...' closes the front matter)";
        }
        if (event->data.document_start.version_directive != nullptr ||
            event->data.document_start.tag_directives.start !=
                event->data.document_start.tag_directives.end) {
          return "YAML directive ('%YAML' or '%TAG') at line " + file_line(line) +
                 ": a front matter may not have one";
        }
        break;
      case YAML_SCALAR_EVENT: {
        tag = event->data.scalar.tag;
        std::string text(reinterpret_cast<const char*>(event->data.scalar.value),
                         event->data.scalar.length);
        if (event->data.scalar.anchor != nullptr) {
          anchored_scalars[reinterpret_cast<const char*>(event->data.scalar.anchor)] = text;
        }
        bool plain = event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && tag == nullptr;
        problem = completed(&text, plain, line);
        break;
      }
      case YAML_ALIAS_EVENT: {
        auto scalar =
            anchored_scalars.find(reinterpret_cast<const char*>(event->data.alias.anchor));
        problem =
            completed(scalar == anchored_scalars.end() ? nullptr : &scalar->second, false, line);
        break;
      }
      case YAML_SEQUENCE_START_EVENT:
        tag = event->data.sequence_start.tag;
        if (event->data.sequence_start.anchor != nullptr) {
          anchored_scalars.erase(reinterpret_cast<const char*>(event->data.sequence_start.anchor));
        }
        open.push_back({});
        break;
      case YAML_MAPPING_START_EVENT:
        tag = event->data.mapping_start.tag;
        if (event->data.mapping_start.anchor != nullptr) {
          anchored_scalars.erase(reinterpret_cast<const char*>(event->data.mapping_start.anchor));
        }
        open.push_back({true, true, {}});
        break;
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        if (!open.empty()) open.pop_back();
        problem = completed(nullptr, false, line);
        break;
      default:
        break;
    }
    if (!standard_tag(tag)) {
      return "tag '" + written_tag(tag) + "' at line " + file_line(line) +
             " is not accepted (only !!str, !!int, !!float, !!bool, !!null, !!seq and !!map are)";
    }
    if (problem) return problem;
    if (event->type == YAML_STREAM_END_EVENT) return std::nullopt;
  }
  return parser.error();
}

// A file that opens with a UTF-16 or UTF-32 byte-order mark, re-encoded as
// UTF-8 (without the mark). nullopt when there is no such mark; a reason
// when the text after the mark is not valid in its encoding.
struct Reencoded {
  std::string utf8;
  std::string problem;
};
std::optional<Reencoded> reencode_utf16_or_32(std::string_view bytes) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
  int width = 0;
  bool big_endian = false;
  if (bytes.starts_with(std::string_view("\xFF\xFE\0\0", 4))) {
    width = 4;  // before UTF-16LE, whose mark it starts with
  } else if (bytes.starts_with(std::string_view("\0\0\xFE\xFF", 4))) {
    width = 4, big_endian = true;
  } else if (bytes.starts_with("\xFF\xFE")) {
    width = 2;
  } else if (bytes.starts_with("\xFE\xFF")) {
    width = 2, big_endian = true;
  } else {
    return std::nullopt;
  }
  const std::string name =
      std::string(width == 2 ? "UTF-16" : "UTF-32") + (big_endian ? "BE" : "LE");
  if (bytes.size() % width != 0) {
    return Reencoded{{}, name + " text whose length is not a whole number of characters"};
  }
  std::vector<char32_t> units;
  units.reserve(bytes.size() / width - 1);
  for (std::size_t at = width; at < bytes.size(); at += width) {
    char32_t unit = 0;
    for (int i = 0; i < width; ++i) {
      unit |= char32_t(byte(at + (big_endian ? width - 1 - i : i))) << (8 * i);
    }
    units.push_back(unit);
  }
  Reencoded out;
  try {
    if (width == 2) {
      std::vector<std::uint16_t> utf16(units.begin(), units.end());
      utf8::utf16to8(utf16.begin(), utf16.end(), std::back_inserter(out.utf8));
    } else {
      utf8::utf32to8(units.begin(), units.end(), std::back_inserter(out.utf8));
    }
  } catch (const utf8::exception&) {
    auto line = 1 + std::count(out.utf8.begin(), out.utf8.end(), '\n');
    return Reencoded{{},
                     "not valid " + name + " (at line " + std::to_string(line) +
                         ": a character that is not Unicode or half a surrogate pair)"};
  }
  return out;
}

// A file whose first line ends in a lone carriage return (classic Mac OS
// line ends): the same text with every lone CR made a line feed, so that the
// front matter is found and every line keeps its number. nullopt otherwise.
std::optional<std::string> cr_line_ends_as_lf(std::string_view bytes) {
  std::size_t at = bytes.find_first_of("\r\n");
  if (at == std::string_view::npos || bytes[at] != '\r' ||
      (at + 1 < bytes.size() && bytes[at + 1] == '\n')) {
    return std::nullopt;
  }
  std::string text(bytes);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')) text[i] = '\n';
  }
  return text;
}

// JSON writes a character beyond U+FFFF as two \u escapes, a UTF-16
// surrogate pair ("\uD83D\uDE00"). YAML's \u names a code point and a
// surrogate is none, so yaml-cpp and libyaml reject the pair; it plainly
// means one character, which YAML writes as one \U escape. Returns `yaml`
// with each such pair inside a double-quoted scalar written that way, or
// nullopt when there is none. Elsewhere (plain or single-quoted text, a
// comment) the same characters are not an escape and stay as they are:
// libyaml, given every pair rewritten, tells which lay in double quotes.
std::optional<std::string> join_surrogate_escapes(const std::string& yaml) {
  auto hex4 = [&](std::size_t at) -> std::optional<unsigned> {
    if (at + 4 > yaml.size()) return std::nullopt;
    unsigned value = 0;
    auto [end, ec] = std::from_chars(yaml.data() + at, yaml.data() + at + 4, value, 16);
    if (ec != std::errc() || end != yaml.data() + at + 4) return std::nullopt;
    return value;
  };
  struct Pair {
    std::size_t at;  // the first backslash, in `yaml`
    char32_t code;
  };
  std::vector<Pair> pairs;
  for (std::size_t at = yaml.find("\\u"); at != std::string::npos; at = yaml.find("\\u", at + 1)) {
    std::size_t backslashes = 0;  // an escaped backslash before it makes it text
    while (backslashes < at && yaml[at - 1 - backslashes] == '\\') ++backslashes;
    if (backslashes % 2 != 0 || yaml.compare(at + 6, 2, "\\u") != 0) continue;
    auto high = hex4(at + 2), low = hex4(at + 8);
    if (!high || !low || *high < 0xD800 || *high > 0xDBFF || *low < 0xDC00 || *low > 0xDFFF) {
      continue;
    }
    pairs.push_back({at, 0x10000 + ((*high - 0xD800) << 10) + (*low - 0xDC00)});
  }
  if (pairs.empty()) return std::nullopt;

  // Every pair rewritten, and where each lies counted in characters, as
  // libyaml's marks count.
  auto rewrite = [&](const std::vector<bool>& chosen, std::vector<std::size_t>* char_index) {
    std::string out;
    out.reserve(yaml.size());
    std::size_t from = 0, chars = 0;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      if (!chosen[i]) continue;
      std::string_view before(yaml.data() + from, pairs[i].at - from);
      out += before;
      if (char_index) {
        chars += static_cast<std::size_t>(std::count_if(before.begin(), before.end(), [](char c) {
          return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        }));
        char_index->push_back(chars);
        chars += 10;
      }
      char escape[11];
      std::snprintf(escape, sizeof escape, "\\U%08X", static_cast<unsigned>(pairs[i].code));
      out += escape;
      from = pairs[i].at + 12;
    }
    out.append(yaml, from);
    return out;
  };
  std::vector<bool> chosen(pairs.size(), true);
  std::vector<std::size_t> char_index;
  const std::string all = rewrite(chosen, &char_index);
  std::fill(chosen.begin(), chosen.end(), false);
  std::size_t next = 0;
  EventParser parser(all);
  while (const yaml_event_t* event = parser.next()) {
    if (event->type == YAML_STREAM_END_EVENT) break;
    if (event->type != YAML_SCALAR_EVENT) continue;
    std::size_t begin = event->start_mark.index, end = event->end_mark.index;
    while (next < char_index.size() && char_index[next] < begin) ++next;
    for (; next < char_index.size() && char_index[next] < end; ++next) {
      chosen[next] = event->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    }
  }
  if (std::find(chosen.begin(), chosen.end(), true) == chosen.end()) return std::nullopt;
  return rewrite(chosen, nullptr);
}

ParseResult rejected(std::string reason) {
  ParseResult result;
  result.status = ParseStatus::kRejected;
  result.reason = std::move(reason);
  return result;
}

// A file's front matter as the YAML parsers are given it.
struct PreparedYaml {
  std::string yaml;
  bool closed = false;  // by a `---` or `...` line
  std::vector<std::string> warnings;
};

// The steps of parse_news_file before YAML is parsed: the file's encoding,
// line ends and front matter. A ParseResult when they end the parse.
std::variant<PreparedYaml, ParseResult> prepare_yaml(std::string_view bytes) {
  std::string reencoded;  // the file's text, when it must be changed to be read
  if (auto wide = reencode_utf16_or_32(bytes)) {
    if (!wide->problem.empty()) return rejected(wide->problem);
    reencoded = std::move(wide->utf8);
    bytes = reencoded;
  }
  if (bytes.substr(0, kBom.size()) == kBom) bytes.remove_prefix(kBom.size());
  if (bytes.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return rejected("empty file");
  }
  if (bytes.substr(0, 8192).find('\0') != std::string_view::npos) {
    // An image or other binary file beside the news is not a news file
    // (skipped, as a file without front matter is); one that opens as a
    // news file and holds binary data is a broken news file (rejected).
    if (!bytes.starts_with("---")) {
      ParseResult result;
      result.status = ParseStatus::kNotADocument;
      result.reason = "binary file (contains NUL bytes), not a news document";
      return result;
    }
    return rejected("binary file (contains NUL bytes), not a news document");
  }
  if (auto lf = cr_line_ends_as_lf(bytes)) {
    reencoded = std::move(*lf);
    bytes = reencoded;
  }
  auto front = split_front_matter(bytes);
  if (!front) {
    ParseResult result;
    result.status = ParseStatus::kNotADocument;
    result.reason = "no front matter (the file does not start with a '---' line)";
    return result;
  }
  if (front->text.size() > kMaxFrontMatterBytes) {
    return rejected("front matter is larger than the limit of " +
                    std::to_string(kMaxFrontMatterBytes >> 20) + " MiB");
  }
  if (std::size_t nul = front->text.find('\0'); nul != std::string_view::npos) {
    auto line = 2 + std::count(front->text.begin(), front->text.begin() + nul, '\n');
    return rejected("binary data (a NUL byte) in the front matter at line " + std::to_string(line) +
                    ", not a news document");
  }
  PreparedYaml prepared;
  prepared.closed = front->closed;
  std::vector<std::string>& warnings = prepared.warnings;
  std::string& yaml = prepared.yaml;
  if (is_valid_utf8(front->text)) {
    yaml = front->text;  // yaml-cpp reads CRLF line ends itself
  } else {
    auto bad = utf8::find_invalid(front->text.begin(), front->text.end());
    auto line = 2 + std::count(front->text.begin(), bad, '\n');
    warnings.push_back("not valid UTF-8 (first at line " + std::to_string(line) +
                       "): those bytes were read as Windows-1252");
    yaml = decode_invalid_as_cp1252(front->text);
  }
  if (auto joined = join_surrogate_escapes(yaml)) yaml = std::move(*joined);
  return prepared;
}

ParseResult parse(std::string_view bytes, bool whole) {
  auto prepared = prepare_yaml(bytes);
  if (auto* result = std::get_if<ParseResult>(&prepared)) return std::move(*result);
  auto& [yaml, closed, warnings] = std::get<PreparedYaml>(prepared);
  YAML::Node root;
  std::optional<std::string> lean_read;
  try {
    root = load_yaml(yaml, whole, lean_read);
  } catch (const YAML::DeepRecursion& e) {
    return rejected("YAML is nested too deeply (more than " + std::to_string(e.depth() - 1) +
                    " levels of lists or mappings)");
  } catch (const YAML::Exception& e) {
    // +2: the opening `---` line, and yaml-cpp counts lines from 0.
    std::string where = e.mark.is_null() ? "" : " at line " + std::to_string(e.mark.line + 2);
    std::string unclosed = closed ? "" : " (and no closing '---' line)";
    return rejected("YAML does not parse" + where + ": " + e.msg + unclosed);
  }
  if (auto problem = conformance_problem(lean_read ? *lean_read : yaml)) {
    return rejected(*problem + (closed ? "" : " (and no closing '---' line)"));
  }
  if (!root.IsMap()) {
    return rejected(std::string("front matter is ") + kind_name(root) + ", not a mapping");
  }

  ParseResult result;
  Cleaner clean;
  try {
    FieldReader fields;
    result.document = extract(root, fields, clean);
  } catch (const FieldError& e) {
    return rejected(e.what());
  } catch (const YAML::Exception& e) {
    return rejected(std::string("YAML error: ") + e.msg);
  }
  result.status = ParseStatus::kOk;
  result.repaired_fields = clean.repaired;
  result.warnings = std::move(warnings);
  return result;
}

}  // namespace

ParseResult parse_news_file(std::string_view bytes) { return parse(bytes, false); }
ParseResult parse_news_file_whole(std::string_view bytes) { return parse(bytes, true); }

std::optional<std::string> front_matter_yaml(std::string_view bytes) {
  auto prepared = prepare_yaml(bytes);
  if (auto* yaml = std::get_if<PreparedYaml>(&prepared)) return std::move(yaml->yaml);
  return std::nullopt;
}

std::optional<std::string_view> front_matter_text(std::string_view bytes) {
  if (bytes.substr(0, kBom.size()) == kBom) bytes.remove_prefix(kBom.size());
  auto front = split_front_matter(bytes);
  if (!front) return std::nullopt;
  return front->text;
}

std::optional<std::int64_t> parse_iso_datetime(std::string_view text) {
  // The shape is checked here, and only numbers reach the calendar arithmetic:
  // a stream parser fed arbitrary bytes has surprised us before (a fuzzer
  // found "nan" seconds turned into undefined behaviour).
  static const std::regex kIso(
      R"((\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?)"
      R"((?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?)");
  std::string input = collapse_whitespace(text);
  std::smatch m;
  if (input.size() > 40 || !std::regex_match(input, m, kIso)) return std::nullopt;
  auto number = [&](int group) { return m[group].matched ? std::stoi(m[group].str()) : 0; };
  date::year_month_day day{date::year{number(1)}, date::month{unsigned(number(2))},
                           date::day{unsigned(number(3))}};
  int hour = number(4), minute = number(5), second = number(6);
  int offset_hours = number(9), offset_minutes = number(10);
  if (!day.ok() || int(day.year()) < 1800 || int(day.year()) > 2999 || hour > 23 || minute > 59 ||
      second > 60 || offset_hours > 14 || offset_minutes > 59) {
    return std::nullopt;
  }
  std::int64_t offset = (offset_hours * 60 + offset_minutes) * 60;
  if (m[8].matched && m[8].str() == "-") offset = -offset;
  auto days = date::sys_days(day).time_since_epoch().count();
  return std::int64_t(days) * 86400 + hour * 3600 + minute * 60 + std::min(second, 59) - offset;
}

std::string format_iso_datetime(std::int64_t seconds) {
  date::sys_seconds when{std::chrono::seconds(seconds)};
  return date::format("%Y-%m-%dT%H:%M:%SZ", when);
}

}  // namespace news
