// Text hygiene (core/text.h): mojibake repair, terminal safety, shortening.
#include "base/text.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>

namespace {

// Code points in a valid UTF-8 string (bytes that do not continue a sequence).
std::size_t code_points(const std::string& text) {
  std::size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

std::string repaired(std::string text) {
  news::repair_mojibake(text);
  return text;
}

// UTF-8 spelled out as bytes so the file's own encoding cannot interfere.
const std::string kEmDash = "\xE2\x80\x94";                              // —
const std::string kRightQuote = "\xE2\x80\x99";                          // ’
const std::string kEAcute = "\xC3\xA9";                                  // é
const std::string kMojibakeEmDash = "\xC3\xA2\xE2\x82\xAC\xE2\x80\x9D";  // â€”
const std::string kMojibakeQuote = "\xC3\xA2\xE2\x82\xAC\xE2\x84\xA2";   // â€™
const std::string kMojibakeEAcute = "\xC3\x83\xC2\xA9";                  // Ã©

TEST(Text, RepairsEmDash) {
  std::string text = "tech " + kMojibakeEmDash + " what could go wrong?";
  EXPECT_TRUE(news::repair_mojibake(text));
  EXPECT_EQ(text, "tech " + kEmDash + " what could go wrong?");
}

TEST(Text, RepairsApostrophe) {
  std::string text = "It" + kMojibakeQuote + "s";
  EXPECT_TRUE(news::repair_mojibake(text));
  EXPECT_EQ(text, "It" + kRightQuote + "s");
}

TEST(Text, RepairsLatinLetter) {
  std::string text = "Caf" + kMojibakeEAcute + " au lait";
  EXPECT_TRUE(news::repair_mojibake(text));
  EXPECT_EQ(text, "Caf" + kEAcute + " au lait");
}

TEST(Text, RepairsDoubleMangledText) {
  // "’" mis-decoded twice: "Ã¢â‚¬â„¢".
  std::string twice = "\xC3\x83\xC2\xA2\xC3\xA2\xE2\x80\x9A\xC2\xAC\xC3\xA2\xE2\x80\x9E\xC2\xA2";
  std::string text = "don" + twice + "t";
  EXPECT_TRUE(news::repair_mojibake(text));
  EXPECT_EQ(text, "don" + kRightQuote + "t");
}

TEST(Text, RepairsSeveralRunsInOneString) {
  std::string text = kMojibakeEAcute + "t" + kMojibakeEAcute + " " + kMojibakeEmDash + " x";
  EXPECT_TRUE(news::repair_mojibake(text));
  EXPECT_EQ(text, kEAcute + "t" + kEAcute + " " + kEmDash + " x");
}

TEST(Text, LeavesCorrectTextAlone) {
  for (const std::string& text : {
           std::string("caf\xC3\xA9"),             // café
           std::string("na\xC3\xAFve"),            // naïve
           std::string("Fu\xC3\x9F\xE2\x80\x9C"),  // Fuß“ (would decode to N'Ko)
           std::string("\xC3\xA2"),                // a lone â
           std::string("\xC3\xA2 la carte"),       // â followed by ASCII
           std::string("\xC3\x83"),                // a lone Ã
           std::string("plain ASCII text, nothing to see"),
           std::string("Stra\xC3\x9F"
                       "e \xE2\x80\x94 \xE2\x82\xAC"
                       "5"),                                     // Straße — €5
           std::string("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"),  // 日本語
           std::string("\xF0\x9F\x98\x80 emoji"),                // 😀
       }) {
    std::string copy = text;
    EXPECT_FALSE(news::repair_mojibake(copy)) << text;
    EXPECT_EQ(copy, text);
  }
}

TEST(Text, RepairIsIdempotent) {
  std::string once = repaired("It" + kMojibakeQuote + "s " + kMojibakeEAcute);
  std::string twice = once;
  EXPECT_FALSE(news::repair_mojibake(twice));
  EXPECT_EQ(twice, once);
}

TEST(Text, Utf8Validation) {
  EXPECT_TRUE(news::is_valid_utf8("plain"));
  EXPECT_TRUE(news::is_valid_utf8(kEmDash));
  EXPECT_FALSE(news::is_valid_utf8("bad \xFF byte"));
  EXPECT_FALSE(news::is_valid_utf8("\xE2\x80"));      // truncated sequence
  EXPECT_FALSE(news::is_valid_utf8("\xC0\xAF"));      // overlong '/'
  EXPECT_FALSE(news::is_valid_utf8("\xED\xA0\x80"));  // surrogate
}

TEST(Text, ReplaceWordsReplacesWholeWordsWhateverTheirCase) {
  std::map<std::string, std::string> fixes = {{"facal", "facial"}, {"\xC3\xA9t\xC3\xA9", "summer"}};
  EXPECT_EQ(news::replace_words("facal recognition", fixes), "facial recognition");
  EXPECT_EQ(news::replace_words("Facal, FACAL and facal!", fixes), "facial, facial and facial!");
  // Part of a longer word, or a word only similar, is left alone.
  EXPECT_EQ(news::replace_words("facals prefacal facal_x", fixes), "facals prefacal facal_x");
  // Non-ASCII words, and their capitals ("\xC3\x89t\xC3\xA9" is "Été").
  EXPECT_EQ(news::replace_words("\xC3\x89t\xC3\xA9 title:\"facal\"", fixes),
            "summer title:\"facial\"");
  EXPECT_EQ(news::replace_words("no change here", fixes), "no change here");
  EXPECT_EQ(news::replace_words("", fixes), "");
}

TEST(Text, ReplaceInvalidUtf8) {
  std::string out = news::replace_invalid_utf8(
      "a\xFF"
      "b");
  EXPECT_TRUE(news::is_valid_utf8(out));
  EXPECT_EQ(out,
            "a\xEF\xBF\xBD"
            "b");  // U+FFFD
  EXPECT_EQ(news::replace_invalid_utf8("fine " + kEmDash), "fine " + kEmDash);
}

TEST(Text, DecodesHtmlEntities) {
  std::string text = "Q&amp;A: AT&amp;T&#8217;s plan &hellip; &lt;b&gt; &#x2014; &quot;x&quot;";
  EXPECT_TRUE(news::decode_html_entities(text));
  EXPECT_EQ(text, "Q&A: AT&T" + kRightQuote + "s plan \xE2\x80\xA6 <b> " + kEmDash + " \"x\"");
}

TEST(Text, HtmlEntitiesAreDecodedOnce) {
  std::string text = "&amp;lt;";  // the text "&lt;", escaped once more
  EXPECT_TRUE(news::decode_html_entities(text));
  EXPECT_EQ(text, "&lt;");
}

TEST(Text, UnknownOrUnsafeEntitiesAreLeftAlone) {
  for (const std::string& text :
       {std::string("no entities here"), std::string("AT&T and R&D"), std::string("&unknown;"),
        std::string("&#0;"), std::string("&#x1b;[2J"), std::string("&#x9b;"),
        std::string("&#xD800;"), std::string("&#x110000;"), std::string("&#;"),
        std::string("& amp;"), std::string("&amp")}) {
    std::string copy = text;
    EXPECT_FALSE(news::decode_html_entities(copy)) << text;
    EXPECT_EQ(copy, text);
  }
}

TEST(Text, DecodeInvalidAsCp1252) {
  EXPECT_EQ(news::decode_invalid_as_cp1252("caf\xE9"), "caf" + kEAcute);
  EXPECT_EQ(news::decode_invalid_as_cp1252("\x80"
                                           "5 \x97 it\x92s"),
            "\xE2\x82\xAC"
            "5 " +
                kEmDash + " it" + kRightQuote + "s");
  // Valid UTF-8 around the bad bytes is kept as it is.
  std::string mixed = news::decode_invalid_as_cp1252(kEmDash + " caf\xE9 " + kEAcute);
  EXPECT_EQ(mixed, kEmDash + " caf" + kEAcute + " " + kEAcute);
  EXPECT_TRUE(news::is_valid_utf8(news::decode_invalid_as_cp1252("\x81\x8D\xFF\xC3")));
  EXPECT_EQ(news::decode_invalid_as_cp1252("plain"), "plain");
}

TEST(Text, TerminalSafeStripsEscapeSequences) {
  std::string out = news::terminal_safe("Title\x1b[2J\x1b[31mred\x1b[0m");
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_NE(out.find("Title"), std::string::npos);
  EXPECT_NE(out.find("red"), std::string::npos);
}

TEST(Text, TerminalSafeStripsOscAndBell) {
  std::string out = news::terminal_safe(
      "a\x1b]0;owned\x07"
      "b\x07"
      "c");
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_EQ(out.find('\x07'), std::string::npos) << out;
  EXPECT_EQ(out.front(), 'a');
  EXPECT_EQ(out.back(), 'c');
}

TEST(Text, TerminalSafeShowsEveryControlCharacterAsAnEscape) {
  std::string all_c0;
  std::string shown;
  for (int c = 1; c < 0x20; ++c) {
    if (c == '\t' || c == '\n' || c == '\r') continue;
    all_c0 += static_cast<char>(c);
    char escape[8];
    std::snprintf(escape, sizeof escape, "\\x%02X", c);
    shown += escape;
  }
  EXPECT_EQ(news::terminal_safe("<" + all_c0 + "\x7f>"), "<" + shown + "\\x7F>");
}

TEST(Text, TerminalSafeShowsC1Controls) {
  // U+009B (CSI) and U+0085 (NEL) encoded as UTF-8: both act as controls.
  EXPECT_EQ(news::terminal_safe("a\xC2\x9B"
                                "2Jb\xC2\x85"
                                "c"),
            "a\\u{009B}2Jb\\u{0085}c");
}

TEST(Text, TerminalSafeShowsBidiOverrides) {
  // U+202E RIGHT-TO-LEFT OVERRIDE and U+2066 LEFT-TO-RIGHT ISOLATE ... U+2069.
  std::string out = news::terminal_safe(
      "invoice\xE2\x80\xAE"
      "fdp.exe \xE2\x81\xA6x\xE2\x81\xA9");
  EXPECT_EQ(out, "invoice\\u{202E}fdp.exe \\u{2066}x\\u{2069}");
}

TEST(Text, TerminalSafeTurnsTabsAndLineBreaksIntoSpaces) {
  EXPECT_EQ(news::terminal_safe("a\tb\nc\rd"), "a b c d");
}

TEST(Text, TerminalSafeShowsBytesThatAreNotUtf8) {
  std::string out = news::terminal_safe(
      "bad\xFF"
      "byte and a raw \x9B"
      "CSI byte");
  EXPECT_TRUE(news::is_valid_utf8(out));
  EXPECT_EQ(out, "bad\\xFFbyte and a raw \\x9BCSI byte");
}

TEST(Text, TerminalSafeKeepsPrintableText) {
  std::string text = "Caf" + kEAcute + " " + kEmDash + " \xE6\x97\xA5\xE6\x9C\xAC \xEE\x80\x80x";
  EXPECT_EQ(news::terminal_safe(text), text);
}

TEST(Text, CollapseWhitespace) {
  EXPECT_EQ(news::collapse_whitespace("  a \t\n b\r\n\f\vc  "), "a b c");
  EXPECT_EQ(news::collapse_whitespace("one"), "one");
  EXPECT_EQ(news::collapse_whitespace(""), "");
  EXPECT_EQ(news::collapse_whitespace(" \t\n "), "");
  EXPECT_EQ(news::collapse_whitespace("caf\xC3\xA9   cr\xC3\xA8me"), "caf\xC3\xA9 cr\xC3\xA8me");
}

TEST(Text, ShortenLeavesShortTextAlone) {
  EXPECT_EQ(news::shorten("short text", 10), "short text");  // exactly at the limit
  EXPECT_EQ(news::shorten("short text", 100), "short text");
  std::string accented = "\xC3\xA9\xC3\xA9\xC3\xA9";  // 3 code points, 6 bytes
  EXPECT_EQ(news::shorten(accented, 3), accented);
}

// Checks the shorten() contract for `text` cut to `limit` code points.
void expect_shortened(const std::string& text, std::size_t limit) {
  const std::string ellipsis = "\xE2\x80\xA6";
  std::string out = news::shorten(text, limit);
  SCOPED_TRACE("shorten('" + text + "', " + std::to_string(limit) + ") = '" + out + "'");
  EXPECT_TRUE(news::is_valid_utf8(out));
  EXPECT_LE(code_points(out), limit);
  ASSERT_TRUE(out.ends_with(ellipsis));
  std::string kept = out.substr(0, out.size() - ellipsis.size());
  ASSERT_FALSE(kept.empty());
  ASSERT_TRUE(text.starts_with(kept));
  // A word boundary: the original continues with a space (or punctuation
  // that was trimmed before the "…"), never in the middle of a word.
  char next = text[kept.size()];
  EXPECT_TRUE(next == ' ' || next == ',' || next == '.') << "cut before '" << next << "'";
}

TEST(Text, ShortenCutsAtWordBoundary) {
  std::string text = "The quick brown fox jumps over the lazy dog";
  for (std::size_t limit = 5; limit < text.size(); ++limit) expect_shortened(text, limit);
}

TEST(Text, ShortenCountsCodePointsNotBytes) {
  // Two-byte and three-byte letters: a byte-based cut would keep far fewer
  // characters or split a sequence.
  std::string text =
      "\xC3\xA9t\xC3\xA9 \xC3\xA0 \xC3\xA9t\xC3\xA9 \xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC "
      "\xC3\xA9t\xC3\xA9";  // "été à été €€€ été": 17 code points
  ASSERT_EQ(code_points(text), 17u);
  for (std::size_t limit = 4; limit < 17; ++limit) expect_shortened(text, limit);
  // With 12 code points, the longest whole-word prefix that leaves room for
  // the "…" is "été à été" (9 code points, but 13 bytes: a byte count would
  // not fit it; the next boundary, after "€€€", is at 13 code points).
  EXPECT_EQ(news::shorten(text, 12), "\xC3\xA9t\xC3\xA9 \xC3\xA0 \xC3\xA9t\xC3\xA9\xE2\x80\xA6");
}

TEST(Text, ShortenTrimsTrailingPunctuationBeforeEllipsis) {
  std::string out = news::shorten("Hello, world and everyone else", 9);
  EXPECT_EQ(out, "Hello\xE2\x80\xA6");
}

TEST(Text, ShortenOneLongWordStillRespectsLimit) {
  std::string word(50, 'x');
  std::string out = news::shorten(word, 10);
  EXPECT_LE(code_points(out), 10u);
  EXPECT_TRUE(out.ends_with("\xE2\x80\xA6"));
  EXPECT_TRUE(out.starts_with("xxxx"));
}

TEST(Text, ShortenReplacesInvalidUtf8) {
  EXPECT_TRUE(news::is_valid_utf8(news::shorten("bad\xFF bytes here and more words", 12)));
}

}  // namespace
