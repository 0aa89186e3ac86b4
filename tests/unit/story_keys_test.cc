// Story keys (core/index/story_keys.h) alone: copies of one story share a key.
#include "index/story_keys.h"

#include <gtest/gtest.h>
#include <xapian.h>

#include <string>

#include "index_support.h"
#include "schema/schema.h"

namespace {

Xapian::Document copy(const std::string& id, const std::string& key) {
  Xapian::Document doc = news::testing::plain_document(id, 0.5);
  doc.add_value(news::schema::kDedupKey, key);
  doc.add_boolean_term(news::schema::story_term(key));
  return doc;
}

const std::string kUrl = "Uexample.com/story";

TEST(StoryKeys, ALaterCopyInTheRunTakesTheFirstCopysKey) {
  news::StoryKeys keys;
  Xapian::Document first = copy("a.md", "key-a"), second = copy("b.md", "key-b");
  keys.adopt(first, kUrl, "a.md");
  keys.adopt(second, kUrl, "b.md");
  EXPECT_EQ(first.get_value(news::schema::kDedupKey), "key-a");
  EXPECT_EQ(second.get_value(news::schema::kDedupKey), "key-a");
  EXPECT_EQ(second.get_value(news::schema::kId), "b.md");
  bool has_term = false, has_old_term = false;
  for (auto it = second.termlist_begin(); it != second.termlist_end(); ++it) {
    has_term |= *it == news::schema::story_term("key-a");
    has_old_term |= *it == news::schema::story_term("key-b");
  }
  EXPECT_TRUE(has_term);
  EXPECT_FALSE(has_old_term);
}

TEST(StoryKeys, ACopyTakesTheKeyOfACommittedCopyButNotOfItsOwnVersion) {
  Xapian::WritableDatabase db(std::string(), Xapian::DB_BACKEND_INMEMORY);
  Xapian::Document committed = copy("a.md", "key-a");
  committed.add_boolean_term(kUrl);
  db.add_document(committed);
  db.commit();
  news::StoryKeys keys(db);
  Xapian::Document own = copy("a.md", "key-new");
  keys.adopt(own, kUrl, "a.md");  // its own committed version is not another copy
  EXPECT_EQ(own.get_value(news::schema::kDedupKey), "key-new");

  news::StoryKeys fresh(db);
  Xapian::Document other = copy("b.md", "key-b");
  fresh.adopt(other, kUrl, "b.md");
  EXPECT_EQ(other.get_value(news::schema::kDedupKey), "key-a");
  Xapian::Document no_url = copy("c.md", "key-c");
  fresh.adopt(no_url, "", "c.md");
  EXPECT_EQ(no_url.get_value(news::schema::kDedupKey), "key-c");
}

}  // namespace
