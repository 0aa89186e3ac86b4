#include "text.h"

#include <utf8.h>

#include <array>
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

std::string decode_invalid_as_cp1252(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  auto it = text.begin();
  while (it != text.end()) {
    auto bad = utf8::find_invalid(it, text.end());
    out.append(it, bad);
    if (bad == text.end()) break;
    auto byte = static_cast<unsigned char>(*bad);
    char32_t cp = byte < 0xA0 && byte >= 0x80 ? kCp1252High[byte - 0x80] : char32_t(byte);
    utf8::append(cp, std::back_inserter(out));
    it = bad + 1;
  }
  return out;
}

bool repair_mojibake(std::string& text) {
  if (is_ascii(text)) return false;
  bool changed = false;
  // Text mangled twice ("Ã¢â‚¬â„¢") needs two passes; three is plenty.
  for (int pass = 0; pass < 3 && repair_once(text); ++pass) changed = true;
  return changed;
}

std::string terminal_safe(std::string_view text) {
  std::string valid = is_valid_utf8(text) ? std::string(text) : replace_invalid_utf8(text);
  std::string out;
  out.reserve(valid.size());
  auto it = valid.begin();
  while (it != valid.end()) {
    char32_t cp = utf8::next(it, valid.end());
    if (cp == '\t' || cp == '\n' || cp == '\r') {
      out.push_back(' ');
    } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
      continue;  // control characters, including ESC and CSI
    } else if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) {
      continue;  // bidirectional overrides can disguise what is shown
    } else {
      utf8::append(cp, std::back_inserter(out));
    }
  }
  return out;
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

}  // namespace news
