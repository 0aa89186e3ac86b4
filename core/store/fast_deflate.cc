// See fast_deflate.h for what this replaces and when.
#include "store/fast_deflate.h"

#include <dlfcn.h>
#include <libdeflate.h>
#include <zlib.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace news::fast_deflate {
namespace {

// zlib's own entry points, found after this program's in symbol lookup.
template <typename Fn>
Fn real(const char* name) {
  void* fn = ::dlsym(RTLD_NEXT, name);
  if (fn == nullptr) {
    std::fprintf(stderr, "fast_deflate: zlib's %s not found: %s\n", name, ::dlerror());
    std::abort();
  }
  return reinterpret_cast<Fn>(fn);
}

struct Zlib {
  decltype(&::deflateInit_) init = real<decltype(&::deflateInit_)>("deflateInit_");
  decltype(&::deflateInit2_) init2 = real<decltype(&::deflateInit2_)>("deflateInit2_");
  decltype(&::deflateReset) reset = real<decltype(&::deflateReset)>("deflateReset");
  decltype(&::deflate) deflate = real<decltype(&::deflate)>("deflate");
  decltype(&::deflateEnd) end = real<decltype(&::deflateEnd)>("deflateEnd");
  decltype(&::deflateSetDictionary) set_dictionary =
      real<decltype(&::deflateSetDictionary)>("deflateSetDictionary");
  decltype(&::deflateParams) params = real<decltype(&::deflateParams)>("deflateParams");
  decltype(&::deflatePrime) prime = real<decltype(&::deflatePrime)>("deflatePrime");
};

const Zlib& zlib() {
  static const Zlib fns;
  return fns;
}

// The streams libdeflate may take: made for raw deflate at a level libdeflate
// has, and what has happened to each since its last init or reset.
struct Stream {
  int level;
  bool fresh = true;      // no deflate() call since init or reset
  bool finished = false;  // libdeflate wrote the whole stream
};

class Registry {
 public:
  void add(z_streamp strm, int level) {
    std::lock_guard lock(mutex_);
    streams_[strm] = Stream{level};
  }
  void forget(z_streamp strm) {
    std::lock_guard lock(mutex_);
    streams_.erase(strm);
  }
  void reset(z_streamp strm) {
    std::lock_guard lock(mutex_);
    if (auto it = streams_.find(strm); it != streams_.end()) it->second = Stream{it->second.level};
  }
  // The stream's entry as it was, and marks it no longer fresh; nullopt
  // when the stream is not one of these.
  std::optional<Stream> use(z_streamp strm) {
    std::lock_guard lock(mutex_);
    auto it = streams_.find(strm);
    if (it == streams_.end()) return std::nullopt;
    Stream was = it->second;
    it->second.fresh = false;
    return was;
  }
  void finish(z_streamp strm) {
    std::lock_guard lock(mutex_);
    if (auto it = streams_.find(strm); it != streams_.end()) it->second.finished = true;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<z_streamp, Stream> streams_;
};

Registry& registry() {
  static Registry* streams = new Registry;  // never destroyed: zlib may be called at exit
  return *streams;
}

std::atomic<std::uint64_t> one_shots{0};

// One compressor per thread and level, made when first needed.
libdeflate_compressor* compressor(int level) {
  struct Free {
    void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
  };
  thread_local std::array<std::unique_ptr<libdeflate_compressor, Free>, 10> compressors;
  auto& slot = compressors[static_cast<std::size_t>(level)];
  if (!slot) slot.reset(libdeflate_alloc_compressor(level));
  return slot.get();
}

}  // namespace

std::uint64_t one_shot_calls() { return one_shots.load(std::memory_order_relaxed); }

}  // namespace news::fast_deflate

using news::fast_deflate::registry;
using news::fast_deflate::zlib;

extern "C" {

int deflateInit_(z_streamp strm, int level, const char* version, int stream_size) {
  if (strm != Z_NULL) registry().forget(strm);
  return zlib().init(strm, level, version, stream_size);
}

int deflateInit2_(z_streamp strm, int level, int method, int window_bits, int mem_level,
                  int strategy, const char* version, int stream_size) {
  if (strm != Z_NULL) registry().forget(strm);
  int err =
      zlib().init2(strm, level, method, window_bits, mem_level, strategy, version, stream_size);
  int effective = level == Z_DEFAULT_COMPRESSION ? 6 : level;
  if (err == Z_OK && method == Z_DEFLATED && window_bits == -MAX_WBITS && effective >= 1 &&
      effective <= 9 && strategy == Z_DEFAULT_STRATEGY) {
    registry().add(strm, effective);
  }
  return err;
}

int deflateReset(z_streamp strm) {
  int err = zlib().reset(strm);
  if (err == Z_OK) registry().reset(strm);
  return err;
}

int deflate(z_streamp strm, int flush) {
  using news::fast_deflate::compressor;
  auto stream = strm != Z_NULL ? registry().use(strm) : std::nullopt;
  if (!stream) return zlib().deflate(strm, flush);
  if (stream->finished) {
    // As zlib answers a stream it has finished.
    return strm->avail_in == 0 && flush == Z_FINISH ? Z_STREAM_END : Z_BUF_ERROR;
  }
  if (stream->fresh && flush == Z_FINISH && strm->next_out != Z_NULL && strm->avail_out > 0 &&
      (strm->next_in != Z_NULL || strm->avail_in == 0)) {
    if (libdeflate_compressor* c = compressor(stream->level)) {
      std::size_t in = strm->avail_in;
      std::size_t out =
          libdeflate_deflate_compress(c, strm->next_in, in, strm->next_out, strm->avail_out);
      if (out > 0) {
        strm->next_in += in;
        strm->avail_in = 0;
        strm->total_in += in;
        strm->next_out += out;
        strm->avail_out -= static_cast<uInt>(out);
        strm->total_out += out;
        registry().finish(strm);
        news::fast_deflate::one_shots.fetch_add(1, std::memory_order_relaxed);
        return Z_STREAM_END;
      }
    }
  }
  // Did not fit, or not a one-shot call: zlib's, from the state it has.
  return zlib().deflate(strm, flush);
}

int deflateEnd(z_streamp strm) {
  if (strm != Z_NULL) registry().forget(strm);
  return zlib().end(strm);
}

int deflateSetDictionary(z_streamp strm, const Bytef* dictionary, uInt length) {
  if (strm != Z_NULL) registry().forget(strm);
  return zlib().set_dictionary(strm, dictionary, length);
}

int deflateParams(z_streamp strm, int level, int strategy) {
  if (strm != Z_NULL) registry().forget(strm);
  return zlib().params(strm, level, strategy);
}

int deflatePrime(z_streamp strm, int bits, int value) {
  if (strm != Z_NULL) registry().forget(strm);
  return zlib().prime(strm, bits, value);
}

}  // extern "C"
