#pragma once
// The encrypted bundle that carries the day's set off the station (libzip), and its password.
#include <cstdint>
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

// A plain ZIP built one entry at a time (entries stored, names UTF-8), so that the set's files need
// not all be held beside it: each added entry is copied into the archive and may be freed by the
// caller; finish() joins them into one buffer, freeing each part as it goes (peak: the archive
// plus one entry). Not thread-safe.
class ZipWriter {
 public:
  void add(const std::string& name, const std::vector<unsigned char>& bytes);
  std::vector<unsigned char> finish();

 private:
  struct Central {
    std::string name;
    std::uint32_t crc = 0, size = 0, offset = 0;
  };
  std::vector<std::vector<unsigned char>> parts_;
  std::vector<Central> central_;
  std::uint64_t offset_ = 0;
};

// Writes `bytes` to `path` atomically: a temporary file beside it, fsync, rename, fsync of the
// folder. Either the whole file is there afterwards or none (a crash leaves at most `path`.part).
Status write_file_atomically(const std::string& path, const std::vector<unsigned char>& bytes);

// A password of `length` characters from an alphabet without look-alikes (no 0/O, 1/l/I).
std::string make_bundle_password(int length = 16);

}  // namespace station::outputs
