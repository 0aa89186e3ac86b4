// fast_deflate.h: one-shot raw streams go to libdeflate, every other use of
// zlib's deflate stays zlib's, and what either writes inflates back.
#include "store/fast_deflate.h"

#include <gtest/gtest.h>
#include <xapian.h>
#include <zlib.h>

#include <random>
#include <string>

#include "test_support.h"

namespace news {
namespace {

using fast_deflate::one_shot_calls;

std::string inflate_all(const std::string& compressed, int window_bits) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, window_bits), Z_OK);
  std::string out;
  char buffer[4096];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  int err = Z_OK;
  while (err == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    err = inflate(&z, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - z.avail_out);
  }
  EXPECT_EQ(err, Z_STREAM_END) << (z.msg ? z.msg : "");
  inflateEnd(&z);
  return out;
}

std::string news_text(std::size_t bytes) {
  static const std::string kWords =
      "Microsoft announces new features for Power Apps portals and the AI builder, "
      "with faster search over the news archive of every provider. ";
  std::string text;
  while (text.size() < bytes) text += kWords;
  text.resize(bytes);
  return text;
}

std::string random_bytes(std::size_t bytes, unsigned seed) {
  std::mt19937 gen(seed);
  std::string out(bytes, '\0');
  for (auto& c : out) c = static_cast<char>(gen() & 0xff);
  return out;
}

// Xapian's way: a raw stream at the default level, finished in one call
// with an output buffer one byte smaller than the input.
int one_shot(z_stream& z, const std::string& in, std::string& out) {
  out.assign(in.empty() ? 16 : in.size() - 1, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int err = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  return err;
}

TEST(FastDeflate, OneShotRawStreamGoesToLibdeflateAndInflatesBack) {
  z_stream z{};
  ASSERT_EQ(deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY), Z_OK);
  for (std::size_t size : {2000u, 700u, 20000u}) {
    std::string in = news_text(size), out;
    std::uint64_t before = one_shot_calls();
    ASSERT_EQ(deflateReset(&z), Z_OK);
    ASSERT_EQ(one_shot(z, in, out), Z_STREAM_END);
    EXPECT_EQ(one_shot_calls(), before + 1) << "libdeflate did not take the call";
    EXPECT_EQ(z.total_in, in.size());
    EXPECT_EQ(z.avail_in, 0u);
    EXPECT_LT(out.size(), in.size() / 2);
    EXPECT_EQ(inflate_all(out, -15), in);
    // A finished stream answers as zlib's does.
    EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  }
  EXPECT_EQ(deflateEnd(&z), Z_OK);
}

TEST(FastDeflate, OutputThatDoesNotFitIsZlibsToContinue) {
  z_stream z{};
  ASSERT_EQ(deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::string in = random_bytes(3000, 7), out;
  std::uint64_t before = one_shot_calls();
  EXPECT_NE(one_shot(z, in, out), Z_STREAM_END);  // incompressible: Xapian stores it as it is
  EXPECT_EQ(one_shot_calls(), before);
  // zlib's rule: more room, and the same stream finishes.
  std::string rest(deflateBound(&z, in.size()), '\0');
  z.next_out = reinterpret_cast<Bytef*>(rest.data());
  z.avail_out = static_cast<uInt>(rest.size());
  ASSERT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  std::string whole(reinterpret_cast<const char*>(out.data()), out.size());
  whole.append(rest.data(), rest.size() - z.avail_out);
  EXPECT_EQ(inflate_all(whole, -15), in);
  EXPECT_EQ(deflateEnd(&z), Z_OK);
}

TEST(FastDeflate, OtherStreamsAndCallsStayZlibs) {
  std::string in = news_text(5000);
  struct Case {
    const char* what;
    int level, window_bits, strategy;
  };
  for (const Case& c : {Case{"zlib wrapper", 6, 15, Z_DEFAULT_STRATEGY},
                        Case{"gzip wrapper", 6, 31, Z_DEFAULT_STRATEGY},
                        Case{"level 0", 0, -15, Z_DEFAULT_STRATEGY},
                        Case{"small window", 6, -10, Z_DEFAULT_STRATEGY},
                        Case{"Huffman only", 6, -15, Z_HUFFMAN_ONLY}}) {
    SCOPED_TRACE(c.what);
    z_stream z{};
    ASSERT_EQ(deflateInit2(&z, c.level, Z_DEFLATED, c.window_bits, 8, c.strategy), Z_OK);
    std::string out(deflateBound(&z, in.size()), '\0');
    std::uint64_t before = one_shot_calls();
    z.next_in = reinterpret_cast<Bytef*>(in.data());
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    ASSERT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
    EXPECT_EQ(one_shot_calls(), before);
    out.resize(z.total_out);
    EXPECT_EQ(inflate_all(out, c.window_bits), in);
    EXPECT_EQ(deflateEnd(&z), Z_OK);
  }
  // A raw stream fed in pieces before it is finished is zlib's throughout.
  z_stream z{};
  ASSERT_EQ(deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, in.size()), '\0');
  std::uint64_t before = one_shot_calls();
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  z.next_in = reinterpret_cast<Bytef*>(in.data());
  z.avail_in = 1000;
  ASSERT_EQ(deflate(&z, Z_NO_FLUSH), Z_OK);
  z.avail_in = static_cast<uInt>(in.size() - 1000);
  ASSERT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  EXPECT_EQ(one_shot_calls(), before);
  out.resize(z.total_out);
  EXPECT_EQ(inflate_all(out, -15), in);
  // A dictionary makes it zlib's too, and stays so after a reset.
  ASSERT_EQ(deflateEnd(&z), Z_OK);
  ASSERT_EQ(deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
  ASSERT_EQ(deflateSetDictionary(&z, reinterpret_cast<const Bytef*>("news"), 4), Z_OK);
  ASSERT_EQ(deflateReset(&z), Z_OK);
  std::string small;
  ASSERT_EQ(one_shot(z, in, small), Z_STREAM_END);
  EXPECT_EQ(one_shot_calls(), before);
  EXPECT_EQ(inflate_all(small, -15), in);
  EXPECT_EQ(deflateEnd(&z), Z_OK);
}

TEST(FastDeflate, EverySizeRoundTrips) {
  z_stream z{};
  ASSERT_EQ(deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::mt19937 gen(42);
  for (int i = 0; i < 300; ++i) {
    std::size_t size = gen() % 6000;
    // Text with a random share of noise: some compress, some do not.
    std::string in = news_text(size);
    std::string noise = random_bytes(size, static_cast<unsigned>(i));
    std::size_t noisy = size ? gen() % (size + 1) : 0;
    for (std::size_t k = 0; k < noisy; ++k) in[gen() % size] = noise[k];
    std::string out;
    ASSERT_EQ(deflateReset(&z), Z_OK);
    if (in.size() > 1 && one_shot(z, in, out) == Z_STREAM_END) {
      EXPECT_EQ(inflate_all(out, -15), in) << "size " << size;
    }
  }
  EXPECT_EQ(deflateEnd(&z), Z_OK);
}

TEST(FastDeflate, XapianTablesAreWrittenThroughItAndReadBack) {
  testing::TempDir dir;
  std::uint64_t before = one_shot_calls();
  {
    Xapian::WritableDatabase db(dir.str(), Xapian::DB_CREATE);
    for (int i = 0; i < 50; ++i) {
      Xapian::Document doc;
      doc.set_data(news_text(1500 + i));
      doc.add_term("Q" + std::to_string(i));
      doc.add_posting("power", 1);
      db.add_document(doc);
      db.add_spelling("power");
    }
    db.commit();
  }
  EXPECT_GE(one_shot_calls(), before + 50);  // the data of each document at least
  Xapian::Database db(dir.str());
  ASSERT_EQ(db.get_doccount(), 50u);
  for (Xapian::docid did = 1; did <= 50; ++did) {
    EXPECT_EQ(db.get_document(did).get_data(), news_text(1500 + did - 1));
  }
  EXPECT_EQ(db.get_spelling_suggestion("powr"), "power");
}

}  // namespace
}  // namespace news
