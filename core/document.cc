#include "document.h"

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
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <regex>
#include <stdexcept>
#include <unordered_set>
#include <utility>

#include "schema.h"
#include "text.h"

namespace news {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::int64_t kMaxRankSignal = 100000;

// A field of the right name but the wrong shape: rejects the file.
struct FieldError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string_view trim_line_end(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
    line.remove_suffix(1);
  }
  return line;
}

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
  if (doc.title.empty()) throw FieldError("title: missing or empty");
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
// the `secured` blob (about a quarter of a real file's bytes) and the lists
// of `images` (nested mappings, about a fifth of the parse). Both are emptied
// first (the images' lines are kept as empty lines, so every line keeps its
// number), and the result is kept only if the parse read each emptied line as
// the key it looked like: the top-level `secured` key, an `images` key with no
// value at the same line and column. Else (say the line lay inside a
// multi-line scalar) the text is parsed as it was, as it is when the emptied
// text does not parse, for the error it names. So the values of `images` are
// not checked: a list of images whose lines are whole but whose shape is
// wrong does not reject a file.
// Throws YAML::Exception.
YAML::Node load_yaml(const std::string& yaml, bool whole) {
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
    if (as_read) return root;
  } catch (const YAML::Exception&) {
    // Parsed again below as it was, for the error it names.
  }
  return YAML::Load(yaml);
}

ParseResult rejected(std::string reason) {
  ParseResult result;
  result.status = ParseStatus::kRejected;
  result.reason = std::move(reason);
  return result;
}

ParseResult parse(std::string_view bytes, bool whole) {
  if (bytes.substr(0, kBom.size()) == kBom) bytes.remove_prefix(kBom.size());
  if (bytes.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return rejected("empty file");
  }
  if (bytes.substr(0, 8192).find('\0') != std::string_view::npos) {
    return rejected("binary file (contains NUL bytes), not a news document");
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
  std::vector<std::string> warnings;
  std::string yaml;
  if (is_valid_utf8(front->text)) {
    yaml = front->text;  // yaml-cpp reads CRLF line ends itself
  } else {
    auto bad = utf8::find_invalid(front->text.begin(), front->text.end());
    auto line = 2 + std::count(front->text.begin(), bad, '\n');
    warnings.push_back("not valid UTF-8 (first at line " + std::to_string(line) +
                       "): those bytes were read as Windows-1252");
    yaml = decode_invalid_as_cp1252(front->text);
  }
  YAML::Node root;
  try {
    root = load_yaml(yaml, whole);
  } catch (const YAML::DeepRecursion& e) {
    return rejected("YAML is nested too deeply (more than " + std::to_string(e.depth() - 1) +
                    " levels of lists or mappings)");
  } catch (const YAML::Exception& e) {
    // +2: the opening `---` line, and yaml-cpp counts lines from 0.
    std::string where = e.mark.is_null() ? "" : " at line " + std::to_string(e.mark.line + 2);
    std::string unclosed = front->closed ? "" : " (and no closing '---' line)";
    return rejected("YAML does not parse" + where + ": " + e.msg + unclosed);
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

std::optional<double> peek_prior(std::string_view bytes) {
  if (bytes.substr(0, kBom.size()) == kBom) bytes.remove_prefix(kBom.size());
  auto front = split_front_matter(bytes);
  if (!front) return std::nullopt;
  std::optional<std::int64_t> signal[2];  // quality, heat
  constexpr std::string_view kKeys[2] = {"quality:", "heat:"};
  std::string_view text = front->text;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line = trim_line_end(text.substr(start, end - start));
    start = end + 1;
    for (int k = 0; k < 2; ++k) {
      if (!line.starts_with(kKeys[k])) continue;
      std::string_view value = line.substr(kKeys[k].size());
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      if (value.size() >= 2 && (value.front() == '\'' || value.front() == '"') &&
          value.back() == value.front()) {
        value = value.substr(1, value.size() - 2);
      }
      std::int64_t number = 0;
      auto [rest, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
      if (ec != std::errc() || rest != value.data() + value.size()) return std::nullopt;
      if (number < (k == 0 ? 0 : -1) || number > kMaxRankSignal) return std::nullopt;
      if (number >= 0) signal[k] = number;
    }
  }
  return schema::prior(signal[0], signal[1]);
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
