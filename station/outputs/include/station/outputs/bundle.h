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

// A password of `length` characters from an alphabet without look-alikes (no 0/O, 1/l/I).
std::string make_bundle_password(int length = 16);

}  // namespace station::outputs
