// parse_iso_datetime / format_iso_datetime (core/document.h).
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>

#include "document/document.h"

namespace {

using news::format_iso_datetime;
using news::parse_iso_datetime;

// 2020-10-15T00:00:00Z: 18550 days after 1970-01-01 (50 years with 12 leap
// days = 18262 days to 2020-01-01, then 288 days to October 15th).
constexpr std::int64_t kOct15 = 18550LL * 86400;
constexpr std::int64_t kAt174400 = kOct15 + 17 * 3600 + 44 * 60;

TEST(Date, EpochAnchors) {
  EXPECT_EQ(parse_iso_datetime("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_iso_datetime("1970-01-02T00:00:00Z"), 86400);
  EXPECT_EQ(parse_iso_datetime("2000-01-01T00:00:00Z"), 946684800);  // well-known
}

TEST(Date, UtcWithZ) {
  EXPECT_EQ(parse_iso_datetime("2020-10-15T17:44:00Z"), kAt174400);
  EXPECT_EQ(parse_iso_datetime("2020-10-15T17:44:00z"), kAt174400);
}

TEST(Date, ExplicitZeroOffsetEqualsZ) {
  EXPECT_EQ(parse_iso_datetime("2020-10-15T17:44:00+00:00"), kAt174400);
}

TEST(Date, WithoutZoneIsUtc) {
  EXPECT_EQ(parse_iso_datetime("2020-10-15T17:44:00"), kAt174400);
  EXPECT_EQ(parse_iso_datetime("2020-10-15T17:44"), kAt174400);
}

// An offset says how far local time is ahead of UTC: "17:44+02:00" is 15:44Z.
// (The version at commit 972992f subtracted the offset twice, giving 13:44Z.)
TEST(Date, PositiveOffsetShiftsBackByTwoHours) {
  EXPECT_EQ(parse_iso_datetime("2020-10-15T17:44:00+02:00"), kAt174400 - 2 * 3600);
  EXPECT_EQ(parse_iso_datetime("2020-10-15T17:44+02:00"), kAt174400 - 2 * 3600);
}

TEST(Date, OffsetWithoutColon) {
  EXPECT_EQ(parse_iso_datetime("2020-10-15T17:44:00+0200"),
            parse_iso_datetime("2020-10-15T17:44:00+02:00"));
}

TEST(Date, NegativeOffsetShiftsForward) {
  EXPECT_EQ(parse_iso_datetime("2020-10-15T17:44:00-05:30"), kAt174400 + 5 * 3600 + 30 * 60);
}

TEST(Date, OffsetCanMoveToTheNextDay) {
  // 23:30 at -02:00 is 01:30 the next day in UTC.
  auto value = parse_iso_datetime("2020-12-31T23:30:00-02:00");
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(format_iso_datetime(*value), "2021-01-01T01:30:00Z");
}

TEST(Date, OffsetsMoveTheInstantInOppositeDirections) {
  // +hh:mm is earlier in UTC than the same wall time at Z, -hh:mm later.
  auto plus = parse_iso_datetime("2020-10-15T17:44:00+02:00");
  auto minus = parse_iso_datetime("2020-10-15T17:44:00-02:00");
  ASSERT_TRUE(plus && minus);
  EXPECT_LT(*plus, kAt174400);
  EXPECT_GT(*minus, kAt174400);
  EXPECT_EQ(kAt174400 - *plus, *minus - kAt174400);
}

TEST(Date, FractionalSeconds) {
  EXPECT_EQ(parse_iso_datetime("2020-10-15T17:44:00.5Z"), kAt174400);
  EXPECT_EQ(parse_iso_datetime("2020-10-15T17:44:07.250Z"), kAt174400 + 7);
  EXPECT_EQ(parse_iso_datetime("2020-10-15T17:44:07.999"), kAt174400 + 7);
}

TEST(Date, FractionalSecondsWithOffsetParse) {
  auto value = parse_iso_datetime("2020-10-15T17:44:00.5+02:00");
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(*value, *parse_iso_datetime("2020-10-15T17:44:00+02:00"));
}

TEST(Date, DateOnlyIsMidnightUtc) { EXPECT_EQ(parse_iso_datetime("2020-10-15"), kOct15); }

TEST(Date, SpaceInsteadOfT) {
  EXPECT_EQ(parse_iso_datetime("2020-10-15 17:44:00Z"), kAt174400);
  EXPECT_EQ(parse_iso_datetime("2020-10-15 17:44:00"), kAt174400);
}

TEST(Date, SurroundingWhitespaceIsIgnored) {
  EXPECT_EQ(parse_iso_datetime("  2020-10-15T17:44:00Z \n"), kAt174400);
}

TEST(Date, LeapDay) {
  EXPECT_EQ(parse_iso_datetime("2020-02-29"), *parse_iso_datetime("2020-02-28") + 86400);
  EXPECT_EQ(parse_iso_datetime("2020-03-01"), *parse_iso_datetime("2020-02-29") + 86400);
}

TEST(Date, GarbageIsNullopt) {
  for (const char* text :
       {"", "yesterday", "next Tuesday afternoon", "2020", "2020-10", "20201015", "2020-13-01",
        "2020-02-30", "2019-02-29", "2020-10-15T25:00:00Z", "2020-10-15T17:61:00Z",
        "2020-10-15T17:44:00Zjunk", "2020-10-15 and then some", "15/10/2020",
        "2020-10-15T17:44:00+99:99x"}) {
    EXPECT_EQ(parse_iso_datetime(text), std::nullopt) << "'" << text << "'";
  }
}

TEST(Date, FormatIso) {
  EXPECT_EQ(format_iso_datetime(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_iso_datetime(kAt174400 + 9), "2020-10-15T17:44:09Z");
  EXPECT_EQ(format_iso_datetime(951782400), "2000-02-29T00:00:00Z");
}

TEST(Date, RoundTrip) {
  for (std::int64_t seconds : {std::int64_t{0}, kOct15, kAt174400 + 59,
                               std::int64_t{951782400} + 86399, std::int64_t{4102444799}}) {
    std::string text = format_iso_datetime(seconds);
    EXPECT_EQ(parse_iso_datetime(text), seconds) << text;
  }
  for (const char* text :
       {"2021-03-03T07:14:00Z", "1999-12-31T23:59:59Z", "2024-02-29T12:00:00Z"}) {
    auto seconds = parse_iso_datetime(text);
    ASSERT_TRUE(seconds.has_value()) << text;
    EXPECT_EQ(format_iso_datetime(*seconds), text);
  }
}

}  // namespace
