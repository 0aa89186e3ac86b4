// What is checked of a local database before Xapian opens it.
//
// libxapian 1.4 follows stub files without a bound (a stub that names
// itself, or two that name each other, recurse until the stack overflows)
// and trusts its version file (`iamglass`) enough that some one-byte
// corruptions of it crash the process. Those are checked here first, so that
// either program says which file is wrong instead of dying.
#pragma once

#include <xapian.h>

#include <string>

namespace news {

// Checks the local database at `path` (a database folder, a folder holding a
// stub file `XAPIANDB`, or a stub file) and every database its stub files
// name, through stubs that name stubs. Throws Error(kDatabase), naming the
// file and what to do, when:
// - a stub file is not a regular file, is larger than 64 KiB, leads back to
//   itself (directly or through other stubs), or is nested more than 8 deep
//   or names more than 1,000 databases in all;
// - a glass database's version file (`iamglass`) is not a regular file of at
//   most 256 bytes, or does not read as one (magic, fields, sizes, table
//   roots inside their files, B-tree levels and block sizes Xapian can hold),
//   or one of its table files is not a regular file: "... is damaged: run
//   xapian-check DIR".
// A path that is none of these (nothing there, remote lines, another format)
// passes: Xapian reports it.
void check_local_database(const std::string& path);

// What to say of a Xapian error met on `database` (as the user named it):
// Xapian's description, and for a DatabaseCorruptError, what to run to see
// the damage and what to do about it.
std::string describe_database_error(const Xapian::Error& error, const std::string& database);

}  // namespace news
