// One-shot raw deflate through libdeflate, under Xapian.
//
// Xapian 1.4 compresses every entry of its document-data, term-list and
// spelling tables with zlib, one entry at a time: a raw deflate stream
// (windowBits -15) that it resets and then finishes in one call to
// deflate(Z_FINISH) with the whole entry as input. For entries of about a
// kilobyte, zlib's fixed costs per stream dominate (docs/design.md, "Build and
// link choices"). Linking fast_deflate.cc into a program replaces zlib's
// deflate() for that program (the executable's definition comes first in
// symbol lookup) with one that hands exactly such calls to libdeflate, which
// writes the same format (RFC 1951) faster; inflate is untouched, and any
// inflater reads the result.
//
// The contract, for any caller of zlib in the program, not only Xapian's:
// a stream is taken by libdeflate only when it was made by deflateInit2_
// with method Z_DEFLATED, windowBits -15 (raw, 32 KiB window), a level from
// 1 to 9 and Z_DEFAULT_STRATEGY, and deflate() is called on it with Z_FINISH
// before any other call since deflateInit2_ or deflateReset, and no
// dictionary, parameters or bits were ever set on it. Then libdeflate, at
// the same level, compresses the whole input into the output buffer: if it
// fits, the stream's counters and pointers move as zlib's would and
// Z_STREAM_END is returned; if it does not, the call is zlib's own, from the
// untouched state, so zlib's rules for a short output buffer hold. Every
// other stream and call is zlib's.
#pragma once

#include <cstdint>

namespace news::fast_deflate {

// How many deflate() calls libdeflate has answered in this process (for
// tests and benchmarks: 0 when the interposition is not in effect).
std::uint64_t one_shot_calls();

}  // namespace news::fast_deflate
