#pragma once
// Encrypted, content-addressed files (page images, PDFs, exports). Each blob is one file,
// encrypted with XChaCha20-Poly1305 (libsodium secretstream) under the store's blob key; its name
// is a keyed BLAKE2b digest of the plaintext, so equal content is stored once and names reveal
// nothing. Writes are atomic (temporary file in the same folder, fsync, rename): a crash leaves
// either the whole blob or none. Thread-safe: distinct calls may run concurrently.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "storage/error.h"
#include "storage/keys.h"

namespace storage {

class BlobStore {
 public:
  static Result<BlobStore> open(const std::filesystem::path& dir, SecretKey key);
  BlobStore(BlobStore&&) noexcept = default;
  BlobStore& operator=(BlobStore&&) noexcept = default;

  // Stores the bytes; returns the blob id (64 hex chars). kDiskFull when the disk is full (the
  // temporary file is removed).
  Result<std::string> put(std::span<const unsigned char> bytes);
  // Reads and authenticates a blob. kCorrupt if it was altered or truncated; kNotFound if absent.
  Result<std::vector<unsigned char>> get(const std::string& id) const;
  bool contains(const std::string& id) const;
  Status remove(const std::string& id);
  // Temporary files left by a crash (they hold only ciphertext); removes them.
  int remove_stale_temporaries();
  // The ids of every stored blob (files with a well-formed id name), sorted. Temporaries and
  // foreign files are not listed.
  Result<std::vector<std::string>> list() const;
  // The size in bytes of the stored (encrypted) file; kNotFound if absent.
  Result<std::uint64_t> stored_size(const std::string& id) const;

  const std::filesystem::path& dir() const { return dir_; }

 private:
  BlobStore(std::filesystem::path dir, SecretKey key) : dir_(std::move(dir)), key_(std::move(key)) {}
  std::filesystem::path path_of(const std::string& id) const;
  std::filesystem::path dir_;
  SecretKey key_;
};

}  // namespace storage
