#pragma once
// Files the station reads and writes itself: whole-file reads, durable new files, fsync, and the
// page images a folder holds.
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "station/error.h"

namespace station {

// The whole file (kIo names the file, never its contents).
Result<std::vector<unsigned char>> read_file(const std::filesystem::path& path);

// A file read for import: opened without following a symbolic link (O_NOFOLLOW), checked to be a
// regular file of at most `max_bytes` (fstat) before a byte is read, then read up to that bound.
// kIo for a link, a device or fifo, or an unreadable file; kImageTooLarge (with reason_ja) when it
// is over the bound.
Result<std::vector<unsigned char>> read_file_bounded(const std::filesystem::path& path, std::uint64_t max_bytes);

// Writes a new file (never replacing one) and fsyncs it; a partial file is removed. ENOSPC,
// EDQUOT and EFBIG become kDiskFull.
Status write_new_file(const std::filesystem::path& p, std::span<const unsigned char> bytes);

// fsync of a file or a folder (a folder's entries: renames and creations in it).
Status fsync_path(const std::filesystem::path& p, bool directory);

// A page image by its name: .jpg .jpeg .png .tif .tiff .pdf, any case.
bool is_image_name(const std::filesystem::path& p);

// The page images in a folder, in name order (the order the scanner wrote them). Symbolic links
// are not followed (a link is not a page image).
std::vector<std::filesystem::path> image_files_in(const std::filesystem::path& dir);

// Removes a folder tree on scope exit unless released (path cleared).
struct TreeGuard {
  std::filesystem::path path;
  TreeGuard() = default;
  explicit TreeGuard(std::filesystem::path p) : path(std::move(p)) {}
  TreeGuard(const TreeGuard&) = delete;
  TreeGuard& operator=(const TreeGuard&) = delete;
  ~TreeGuard();
};

}  // namespace station
