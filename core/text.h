// Text hygiene for untrusted document text: UTF-8 validation, repair of text
// that was UTF-8 decoded as Windows-1252 ("mojibake"), and making text safe to
// print on a terminal.
#pragma once

#include <functional>
#include <map>
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

// For a terminal: drops C0 and C1 control characters (ESC and so every escape
// sequence's introducer, BEL, ...) and DEL, turns tabs and line breaks into
// spaces, and replaces invalid UTF-8. The result cannot move the cursor,
// change colours or clear the screen.
std::string terminal_safe(std::string_view text);

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
