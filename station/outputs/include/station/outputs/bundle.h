#pragma once
// The encrypted bundle that carries the day's set off the station (libzip), and its password.
#include <string>
#include <vector>

#include "station/error.h"

namespace station::outputs {

struct BundleEntry {
  std::string name;
  std::vector<unsigned char> bytes;
};

// A ZIP whose every entry is AES-256 encrypted with `password` (WinZip AES, opened by 7-Zip,
// Lhaplus, Explorer-compatible tools with AES support). Written atomically to `path`.
Status write_encrypted_bundle(const std::string& path, const std::vector<BundleEntry>& entries,
                              const std::string& password);

// A plain ZIP (deflate) of `entries`, built in memory: the daily set before its CMS protection
// (cms.h). Names are UTF-8 (the ZIP's UTF-8 flag set).
Result<std::vector<unsigned char>> zip_in_memory(const std::vector<BundleEntry>& entries);

// Writes `bytes` to `path` atomically: a temporary file beside it, fsync, rename, fsync of the
// folder. Either the whole file is there afterwards or none (a crash leaves at most `path`.part).
Status write_file_atomically(const std::string& path, const std::vector<unsigned char>& bytes);

// A password of `length` characters from an alphabet without look-alikes (no 0/O, 1/l/I).
std::string make_bundle_password(int length = 16);

}  // namespace station::outputs
