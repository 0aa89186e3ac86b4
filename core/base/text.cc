#include "base/text.h"

#include <utf8.h>
#include <xapian.h>

#include <array>
#include <clocale>
#include <cstdint>
#include <cwchar>
#include <functional>
#include <optional>
#include <vector>

namespace news {
namespace {

// Windows-1252 bytes 0x80..0x9F and the code points they decode to. The five
// bytes Windows-1252 leaves undefined decode, in the lenient decoders that
// produce mojibake, to the C1 control of the same number; map them back too.
constexpr std::array<char32_t, 32> kCp1252High = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,  // 80-87
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,  // 88-8F
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,  // 90-97
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,  // 98-9F
};

// The Windows-1252 byte for a non-ASCII code point, if it has one.
std::optional<unsigned char> cp1252_byte(char32_t cp) {
  if (cp >= 0xA0 && cp <= 0xFF) return static_cast<unsigned char>(cp);
  for (std::size_t i = 0; i < kCp1252High.size(); ++i) {
    if (kCp1252High[i] == cp) return static_cast<unsigned char>(0x80 + i);
  }
  return std::nullopt;
}

// Code points that mis-decoded text plausibly stood for: letters of European
// scripts, punctuation and symbols, CJK and emoji. Keeps pairs such as "ß“"
// (which would decode to an N'Ko letter) from being "repaired".
bool plausible_repair(char32_t cp) {
  return (cp >= 0xA0 && cp <= 0x6FF) || (cp >= 0x2000 && cp <= 0x2BFF) ||
         (cp >= 0x3000 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF) ||
         (cp >= 0x1F000 && cp <= 0x1FAFF);
}

std::size_t utf8_sequence_length(unsigned char lead) {
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// One pass of the repair. Returns true if anything changed.
bool repair_once(std::string& text) {
  std::u32string cps;
  cps.reserve(text.size());
  utf8::utf8to32(text.begin(), text.end(), std::back_inserter(cps));

  std::string out;
  out.reserve(text.size());
  bool changed = false;
  std::size_t i = 0;
  while (i < cps.size()) {
    auto lead = cp1252_byte(cps[i]);
    std::size_t len = lead ? utf8_sequence_length(*lead) : 0;
    if (len > 0 && i + len <= cps.size()) {
      std::string bytes(1, static_cast<char>(*lead));
      for (std::size_t k = 1; k < len; ++k) {
        auto b = cp1252_byte(cps[i + k]);
        if (!b) break;
        bytes.push_back(static_cast<char>(*b));
      }
      if (bytes.size() == len && utf8::is_valid(bytes.begin(), bytes.end())) {
        auto it = bytes.begin();
        char32_t decoded = utf8::next(it, bytes.end());
        if (plausible_repair(decoded)) {
          out += bytes;
          i += len;
          changed = true;
          continue;
        }
      }
    }
    utf8::append(cps[i], std::back_inserter(out));
    ++i;
  }
  if (changed) text = std::move(out);
  return changed;
}

bool is_ascii(std::string_view text) {
  for (unsigned char c : text) {
    if (c >= 0x80) return false;
  }
  return true;
}

}  // namespace

bool is_valid_utf8(std::string_view text) { return utf8::is_valid(text.begin(), text.end()); }

std::string replace_invalid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  utf8::replace_invalid(text.begin(), text.end(), std::back_inserter(out), 0xFFFD);
  return out;
}

std::string decode_invalid_bytes(std::string_view text, char32_t (*decode)(unsigned char byte)) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  auto it = text.begin();
  while (it != text.end()) {
    auto bad = utf8::find_invalid(it, text.end());
    out.append(it, bad);
    if (bad == text.end()) break;
    utf8::append(decode(static_cast<unsigned char>(*bad)), std::back_inserter(out));
    it = bad + 1;
  }
  return out;
}

std::string decode_invalid_as_cp1252(std::string_view text) {
  return decode_invalid_bytes(text, [](unsigned char byte) {
    return byte < 0xA0 && byte >= 0x80 ? kCp1252High[byte - 0x80] : char32_t(byte);
  });
}

bool repair_mojibake(std::string& text) {
  // Only valid UTF-8 can be decoded and re-read; other text is left alone.
  if (is_ascii(text) || !is_valid_utf8(text)) return false;
  bool changed = false;
  // Text mangled twice ("Ã¢â‚¬â„¢") needs two passes; three is plenty.
  for (int pass = 0; pass < 3 && repair_once(text); ++pass) changed = true;
  return changed;
}

bool is_terminal_hazard(char32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || cp == 0x200E ||
         cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
         cp == 0x2028 || cp == 0x2029;
}

namespace {

void append_hex(std::string& out, std::uint32_t value, int digits) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += kHex[(value >> shift) & 0xF];
}

// terminal_safe() (`reversible` false) and escape_text() (true): one filter,
// differing only in tabs, line breaks and backslashes.
std::string escape_visible(std::string_view text, bool reversible) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::string_view rest = text.substr(pos);
    auto valid_end = utf8::find_invalid(rest.begin(), rest.end());
    for (auto it = rest.begin(); it != valid_end;) {
      auto start = it;
      char32_t cp = utf8::unchecked::next(it);
      if (cp == '\t' || cp == '\n' || cp == '\r') {
        if (!reversible) {
          out += ' ';
        } else {
          out += cp == '\t' ? "\\t" : cp == '\n' ? "\\n" : "\\r";
        }
      } else if (cp == '\\' && reversible) {
        out += "\\\\";
      } else if (cp < 0x80 && is_terminal_hazard(cp)) {
        out += "\\x";
        append_hex(out, cp, 2);
      } else if (is_terminal_hazard(cp)) {
        out += "\\u{";
        append_hex(out, cp, 4);
        out += '}';
      } else {
        out.append(start, it);
      }
    }
    pos += static_cast<std::size_t>(valid_end - rest.begin());
    if (pos < text.size()) {  // a byte that is not part of valid UTF-8
      out += "\\x";
      append_hex(out, static_cast<unsigned char>(text[pos]), 2);
      ++pos;
    }
  }
  return out;
}

std::optional<std::uint32_t> parse_hex(std::string_view digits) {
  if (digits.empty() || digits.size() > 6) return std::nullopt;
  std::uint32_t value = 0;
  for (char c : digits) {
    int digit = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                       : -1;
    if (digit < 0) return std::nullopt;
    value = value * 16 + static_cast<std::uint32_t>(digit);
  }
  return value;
}

}  // namespace

std::string terminal_safe(std::string_view text) { return escape_visible(text, false); }

std::string escape_text(std::string_view text) { return escape_visible(text, true); }

std::optional<std::string> unescape_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (++i == text.size()) return std::nullopt;
    switch (text[i]) {
      case '\\':
        out += '\\';
        break;
      case 't':
        out += '\t';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 'x': {
        std::string_view digits = text.substr(i + 1, 2);
        auto byte = parse_hex(digits);
        if (digits.size() != 2 || !byte) return std::nullopt;
        out += static_cast<char>(*byte);
        i += 2;
        break;
      }
      case 'u': {
        std::size_t close = text.find('}', i);
        if (i + 1 >= text.size() || text[i + 1] != '{' || close == std::string_view::npos) {
          return std::nullopt;
        }
        auto cp = parse_hex(text.substr(i + 2, close - i - 2));
        if (!cp || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) return std::nullopt;
        utf8::append(static_cast<char32_t>(*cp), std::back_inserter(out));
        i = close;
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return out;
}

std::string_view trim_line_end(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
    line.remove_suffix(1);
  }
  return line;
}

std::string collapse_whitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      pending_space = !out.empty();
    } else {
      if (pending_space) out.push_back(' ');
      pending_space = false;
      out.push_back(c);
    }
  }
  return out;
}

std::string shorten(std::string_view text, std::size_t max_chars) {
  std::string valid = is_valid_utf8(text) ? std::string(text) : replace_invalid_utf8(text);
  if (utf8::distance(valid.begin(), valid.end()) <= static_cast<std::ptrdiff_t>(max_chars)) {
    return valid;
  }
  auto it = valid.begin();
  auto last_space = valid.begin();
  for (std::size_t n = 0; n + 1 < max_chars && it != valid.end(); ++n) {
    if (*it == ' ') last_space = it;
    utf8::next(it, valid.end());
  }
  auto cut = (last_space != valid.begin()) ? last_space : it;
  std::string out(valid.begin(), cut);
  while (!out.empty() && (out.back() == ' ' || out.back() == ',' || out.back() == '.')) {
    out.pop_back();
  }
  return out + "…";
}

bool decode_html_entities(std::string& text) {
  if (text.find('&') == std::string::npos) return false;
  static const std::pair<std::string_view, char32_t> kNamed[] = {
      {"amp", '&'},       {"lt", '<'},       {"gt", '>'},       {"quot", '"'},
      {"apos", '\''},     {"nbsp", 0xA0},    {"rsquo", 0x2019}, {"lsquo", 0x2018},
      {"rdquo", 0x201D},  {"ldquo", 0x201C}, {"ndash", 0x2013}, {"mdash", 0x2014},
      {"hellip", 0x2026}, {"eacute", 0xE9},  {"copy", 0xA9},    {"reg", 0xAE},
      {"trade", 0x2122},  {"euro", 0x20AC},
  };
  std::string out;
  out.reserve(text.size());
  bool changed = false;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t semi = text[i] == '&' ? text.find(';', i) : std::string::npos;
    if (semi != std::string::npos && semi - i <= 10 && semi - i >= 3) {
      std::string_view name(text.data() + i + 1, semi - i - 1);
      std::optional<char32_t> cp;
      if (name[0] == '#') {
        bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
        std::string_view digits = name.substr(hex ? 2 : 1);
        char32_t value = 0;
        bool ok = !digits.empty();
        for (char c : digits) {
          int d = (c >= '0' && c <= '9')          ? c - '0'
                  : hex && (c >= 'a' && c <= 'f') ? c - 'a' + 10
                  : hex && (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                                  : -1;
          if (d < 0 || value > 0x10FFFF) {
            ok = false;
            break;
          }
          value = value * (hex ? 16 : 10) + char32_t(d);
        }
        // Only characters that can stand in text: no NUL, controls or surrogates.
        if (ok && value >= 0x20 && value <= 0x10FFFF && !(value >= 0xD800 && value <= 0xDFFF) &&
            !(value >= 0x7F && value <= 0x9F)) {
          cp = value;
        }
      } else {
        for (auto [entity, value] : kNamed) {
          if (name == entity) cp = value;
        }
      }
      if (cp) {
        utf8::append(*cp, std::back_inserter(out));
        i = semi + 1;
        changed = true;
        continue;
      }
    }
    out += text[i++];
  }
  if (changed) text = std::move(out);
  return changed;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  if (from.empty()) return text;
  for (std::size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size()) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

void for_each_word(std::string_view text, const std::function<void(std::string_view)>& word) {
  Xapian::Utf8Iterator it(text.data(), text.size()), end;
  while (it != end) {
    if (!Xapian::Unicode::is_wordchar(*it)) {
      ++it;
      continue;
    }
    const char* start = it.raw();
    while (it != end && Xapian::Unicode::is_wordchar(*it)) ++it;
    const char* stop = it == end ? text.data() + text.size() : it.raw();
    word(std::string_view(start, std::size_t(stop - start)));
  }
}

std::string replace_words(std::string_view text, const std::map<std::string, std::string>& words) {
  std::string out;
  const char* copied = text.data();  // text before this is in `out`
  for_each_word(text, [&](std::string_view word) {
    auto found = words.find(Xapian::Unicode::tolower(std::string(word)));
    if (found == words.end()) return;
    out.append(copied, word.data());
    out += found->second;
    copied = word.data() + word.size();
  });
  out.append(copied, text.data() + text.size());
  return out;
}

std::size_t count_words(std::string_view text) {
  std::size_t words = 0;
  for_each_word(text, [&](std::string_view) { ++words; });
  return words;
}

void use_utf8_ctype() { std::setlocale(LC_CTYPE, "C.UTF-8"); }

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  auto it = text.begin();
  while (it != text.end()) {
    char32_t cp = 0xFFFD;
    try {
      cp = utf8::next(it, text.end());
    } catch (const utf8::exception&) {
      ++it;
    }
    if (cp == 0xE000 || cp == 0xE001) continue;
    int w = ::wcwidth(static_cast<wchar_t>(cp));
    width += w < 0 ? 1 : static_cast<std::size_t>(w);
  }
  return width;
}

std::string shorten_to_width(std::string_view text, std::size_t columns) {
  std::string valid = is_valid_utf8(text) ? std::string(text) : replace_invalid_utf8(text);
  if (display_width(valid) <= columns) return valid;
  const std::size_t budget = columns > 0 ? columns - 1 : 0;  // room for "…"
  std::size_t used = 0;
  auto it = valid.begin();
  auto last_space = valid.begin();
  while (it != valid.end()) {
    auto next = it;
    char32_t cp = utf8::next(next, valid.end());
    int w = (cp == 0xE000 || cp == 0xE001) ? 0 : ::wcwidth(static_cast<wchar_t>(cp));
    std::size_t cw = w < 0 ? 1 : static_cast<std::size_t>(w);
    if (used + cw > budget) break;
    if (cp == ' ') last_space = it;
    used += cw;
    it = next;
  }
  // Cut at the last space if that keeps most of the line; else mid-word.
  auto cut = (last_space != valid.begin() &&
              std::distance(valid.begin(), last_space) * 3 > std::distance(valid.begin(), it) * 2)
                 ? last_space
                 : it;
  std::string out(valid.begin(), cut);
  while (!out.empty() && (out.back() == ' ' || out.back() == ',' || out.back() == '.')) {
    out.pop_back();
  }
  return out + "…";
}

std::vector<std::string> wrap(std::string_view text, std::size_t width) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t line_width = 0;
  std::string words = collapse_whitespace(text);
  std::size_t start = 0;
  while (start < words.size()) {
    std::size_t end = words.find(' ', start);
    if (end == std::string::npos) end = words.size();
    std::string_view word(words.data() + start, end - start);
    std::size_t w = display_width(word);
    if (!line.empty() && line_width + 1 + w > width) {
      lines.push_back(std::move(line));
      line.clear();
      line_width = 0;
    }
    if (!line.empty()) {
      line += ' ';
      ++line_width;
    }
    line += word;
    line_width += w;
    start = end + 1;
  }
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

}  // namespace news
