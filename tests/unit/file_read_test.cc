// The contract of file_read.h: regular files only, never waiting, bounded.
#include "base/file_read.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "test_support.h"

namespace {

using news::read_regular_file;
using news::read_regular_file_start;
using news::ReadResult;
using news::testing::TempDir;
using news::testing::write_file;

TEST(FileRead, ReadsARegularFileWhole) {
  TempDir dir;
  const std::string text = std::string(100000, 'x') + "end";
  write_file(dir / "a.md", text);
  std::string bytes = "old", error;
  ASSERT_EQ(read_regular_file((dir / "a.md").string(), 1 << 20, bytes, error), ReadResult::kRead)
      << error;
  EXPECT_EQ(bytes, text);
}

TEST(FileRead, RefusesAFifoWithoutWaitingForAWriter) {
  TempDir dir;
  ASSERT_EQ(::mkfifo((dir / "pipe").c_str(), 0644), 0);
  std::string bytes = "old", error;
  EXPECT_EQ(read_regular_file((dir / "pipe").string(), 1 << 20, bytes, error),
            ReadResult::kRefused);
  EXPECT_EQ(error, "not a regular file (a FIFO)");
  EXPECT_TRUE(bytes.empty());
}

TEST(FileRead, RefusesDevicesAndFolders) {
  TempDir dir;
  std::string bytes, error;
  EXPECT_EQ(read_regular_file("/dev/zero", 1 << 20, bytes, error), ReadResult::kRefused);
  EXPECT_EQ(error, "not a regular file (a character device)");
  EXPECT_EQ(read_regular_file(dir.str(), 1 << 20, bytes, error), ReadResult::kRefused);
  EXPECT_EQ(error, "not a regular file (a folder)");
}

TEST(FileRead, RefusesAFileOverTheBoundAndReadsTheStartOnRequest) {
  TempDir dir;
  write_file(dir / "big", std::string(4097, 'b'));
  std::string bytes, error;
  EXPECT_EQ(read_regular_file((dir / "big").string(), 4096, bytes, error), ReadResult::kTooLarge);
  EXPECT_EQ(error, "file is larger than 4 KiB");
  EXPECT_TRUE(bytes.empty());
  ASSERT_EQ(read_regular_file_start((dir / "big").string(), 10, bytes, error), ReadResult::kRead);
  EXPECT_EQ(bytes, std::string(10, 'b'));
  ASSERT_EQ(read_regular_file((dir / "big").string(), 4097, bytes, error), ReadResult::kRead);
  EXPECT_EQ(bytes.size(), 4097u);
}

TEST(FileRead, ReadsAFileWhoseSizeSaysNothingUpToTheBound) {
  // Files of /proc report a size of 0 and have text.
  std::string bytes, error;
  ASSERT_EQ(read_regular_file("/proc/self/status", 1 << 20, bytes, error), ReadResult::kRead)
      << error;
  EXPECT_NE(bytes.find("Name:"), std::string::npos);
  EXPECT_EQ(read_regular_file("/proc/self/status", 8, bytes, error), ReadResult::kTooLarge);
  EXPECT_EQ(error, "file is larger than 8 bytes");
}

TEST(FileRead, NamesWhyAFileCannotBeRead) {
  TempDir dir;
  std::string bytes, error;
  EXPECT_EQ(read_regular_file((dir / "missing").string(), 100, bytes, error), ReadResult::kRefused);
  EXPECT_EQ(error, "cannot read: No such file or directory");
}

}  // namespace
