#include <gtest/gtest.h>

#include "document.h"

TEST(Probe, Yaml) {
  const char* inputs[] = {
      "---\ntitle: One\nexcerpt: Two\n- item\n---\n",
      "---\ntitle: One\nexcerpt: [unclosed\nquality: 5\n---\n",
      "---\ntitle: One\nexcerpt: \"unterminated\nquality: 5\n---\n",
      "---\ntitle: One\nexcerpt: a: b\n---\n",
      "---\ntitle: One\n  bad: indent\nquality: 5\n---\n",
      "---\ntitle: One\nexcerpt: x\ntitle: dup\n---\n",
  };
  for (auto* in : inputs) {
    auto r = news::parse_news_file(in);
    std::printf("%d [%s]\n", int(r.status), r.reason.c_str());
  }
}
