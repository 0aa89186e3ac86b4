// Text hygiene for untrusted document text: UTF-8 validation, repair of text
// that was UTF-8 decoded as Windows-1252 ("mojibake"), and making text safe to
// print on a terminal.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace news {

bool is_valid_utf8(std::string_view text);

// Replaces every invalid UTF-8 sequence with U+FFFD.
std::string replace_invalid_utf8(std::string_view text);

// Keeps the valid UTF-8 and replaces every byte that is not part of a valid
// sequence with the character `decode` gives for it. The result is valid
// UTF-8 as long as `decode` gives Unicode scalar values.
std::string decode_invalid_bytes(std::string_view text, char32_t (*decode)(unsigned char byte));

// Keeps the valid UTF-8 and reads every byte that is not part of a valid
// sequence as Windows-1252 (what legacy files are written in), so "caf\xE9"
// becomes "café". The result is valid UTF-8.
std::string decode_invalid_as_cp1252(std::string_view text);

// Reverses "UTF-8 bytes read as Windows-1252": "â€”" becomes "—", "Ã©" "é",
// "â€™" "’". Only runs of characters that Windows-1252 can encode and whose
// bytes then form valid multi-byte UTF-8 are changed, so correct text
// (including a lone "é" or "â") is left alone. Returns true when it changed
// anything. `text` must be valid UTF-8.
bool repair_mojibake(std::string& text);

// Decodes the HTML character references that leak into feeds' text:
// numeric ones ("&#8217;", "&#x2019;") and the common named ones (&amp; &lt;
// &gt; &quot; &apos; &nbsp; quotes, dashes, &hellip;). Returns true when it
// changed anything. Unknown or malformed references are left as they are.
bool decode_html_entities(std::string& text);

// The one filter for untrusted text on its way to a terminal or a document:
// news-index's messages, news-search's listing, CSV, --ids and error messages
// all go through it (JSON through dump_json, format.h). Whatever a terminal
// or a viewer could act on, or that hides what is written, is shown as a
// visible escape instead of being passed on:
//   - C0 controls (ESC, BEL, ...) and DEL as \xHH (ESC is \x1B);
//   - C1 controls (U+0080..U+009F, CSI U+009B included), the bidirectional
//     marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F,
//     U+202A..U+202E, U+2066..U+2069) and the line and paragraph separators
//     U+2028, U+2029 as \u{HHHH};
//   - each byte that is not part of valid UTF-8 as \xHH.
// The result is valid UTF-8 and holds none of these, so it cannot move the
// cursor, set a window title, write the clipboard or reorder what is shown.
//
// terminal_safe() is for text shown as prose (titles, snippets): tabs and
// line breaks become spaces, so the text can be wrapped.
std::string terminal_safe(std::string_view text);

// The code points terminal_safe() and escape_text() show as escapes: C0
// controls, DEL, C1 controls, bidirectional controls, U+2028 and U+2029.
bool is_terminal_hazard(char32_t cp);

// escape_text() is for names that must stay one line and be read back (ids,
// file paths, messages): tabs and line breaks become \t, \n and \r, and a
// backslash becomes \\, so two different texts never look the same and
// unescape_text(escape_text(x)) == x for every string of bytes x.
std::string escape_text(std::string_view text);

// The inverse of escape_text(): reads \\, \t, \n, \r, \xHH (one byte) and
// \u{H...} (a code point, as UTF-8). Nullopt when `text` holds a backslash
// that starts none of these, so text that escape_text() cannot have written
// is not taken for an escape.
std::optional<std::string> unescape_text(std::string_view text);

// A line without the carriage return, spaces and tabs at its end.
std::string_view trim_line_end(std::string_view line);

// Folds runs of whitespace to single spaces and trims both ends.
std::string collapse_whitespace(std::string_view text);

// Shortens to at most `max_chars` code points at a word boundary, adding "…".
std::string shorten(std::string_view text, std::size_t max_chars);

// Shortens to at most `columns` display columns (display_width) at a word
// boundary where there is one, adding "…".
std::string shorten_to_width(std::string_view text, std::size_t columns);

// Every occurrence of `from` replaced by `to`.
std::string replace_all(std::string text, std::string_view from, std::string_view to);

// Calls `word` with each word of `text` as it is written there. Words are runs
// of word characters as Xapian's query parser and term generator have them
// (Xapian::Unicode::is_wordchar).
void for_each_word(std::string_view text, const std::function<void(std::string_view)>& word);

// `text` with each whole word whose lower-case form is a key of `words`
// replaced by that key's value, the rest kept as it is. Words are for_each_word's
// and lower case is Unicode's as Xapian's query parser has it
// (Xapian::Unicode::tolower), so the words the parser reports can be found again.
std::string replace_words(std::string_view text, const std::map<std::string, std::string>& words);

// The number of words in `text` (for_each_word's).
std::size_t count_words(std::string_view text);

// Columns the text takes on a terminal: wide (East Asian, emoji) characters
// count 2, combining marks 0, and the match markers U+E000/U+E001 0. Uses the
// C library's wcwidth, so call use_utf8_ctype() once first.
std::size_t display_width(std::string_view text);

// Sets LC_CTYPE to C.UTF-8 (if the system has it) so display_width() knows
// character widths, without changing how numbers are printed.
void use_utf8_ctype();

// Word-wraps to lines of at most `width` columns (a longer word gets a line
// of its own). Collapses whitespace.
std::vector<std::string> wrap(std::string_view text, std::size_t width);

}  // namespace news
