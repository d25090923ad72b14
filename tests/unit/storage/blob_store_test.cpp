// Encrypted blob files: round trips, content addressing, tamper detection, crash and disk-full
// behaviour, concurrency.
#include "storage/blob_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>
#include <optional>
#include <thread>
#include <vector>

#include "test_support.h"

namespace storage {
namespace {

namespace fs = std::filesystem;
using testing::bytes_of;
using testing::files_containing;
using testing::pseudo_random_bytes;
using testing::read_bytes;
using testing::ScratchDir;
using testing::write_bytes;

SecretKey key_of(unsigned char fill) {
  std::vector<unsigned char> raw(SecretKey::kSize, fill);
  return std::move(*SecretKey::from_bytes(raw));
}

class BlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = BlobStore::open(dir_ / "blobs", key_of(7));
    ASSERT_TRUE(s) << s.error().message;
    store_.emplace(std::move(*s));
  }
  fs::path file_of(const std::string& id) const { return dir_ / "blobs" / id.substr(0, 2) / id; }

  ScratchDir dir_;
  std::optional<BlobStore> store_;
};

TEST_F(BlobStoreTest, FolderIsPrivate) {
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "blobs").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(store_->dir(), dir_ / "blobs");
}

TEST_F(BlobStoreTest, RoundTripsEmptySmallAndMultiChunkBlobs) {
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{1000}, std::size_t{64 * 1024},
                           std::size_t{1024 * 1024 + 1}}) {
    auto data = pseudo_random_bytes(size, static_cast<unsigned>(size));
    auto id = store_->put(data);
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_EQ(id->size(), 64u);
    EXPECT_TRUE(store_->contains(*id));
    EXPECT_TRUE(fs::exists(file_of(*id)));
    auto back = store_->get(*id);
    ASSERT_TRUE(back) << "size " << size << ": " << back.error().message;
    EXPECT_EQ(*back, data) << "size " << size;
  }
}

TEST_F(BlobStoreTest, FilesHoldNoPlaintext) {
  auto id = store_->put(bytes_of("氏名 DISTINCTIVE-PASSBOOK-1234567"));
  ASSERT_TRUE(id);
  auto raw = read_bytes(file_of(*id));
  EXPECT_FALSE(testing::contains_bytes(raw, "DISTINCTIVE-PASSBOOK"));
  EXPECT_TRUE(testing::contains_bytes(raw, "STBLOB1\n"));
}

TEST_F(BlobStoreTest, SameContentSameIdStoredOnce) {
  auto data = bytes_of("page image bytes");
  auto a = store_->put(data);
  ASSERT_TRUE(a);
  struct stat before {};
  ASSERT_EQ(::stat(file_of(*a).c_str(), &before), 0);
  auto b = store_->put(data);
  ASSERT_TRUE(b);
  EXPECT_EQ(*a, *b);
  struct stat after {};
  ASSERT_EQ(::stat(file_of(*a).c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);  // not rewritten
  auto c = store_->put(bytes_of("page image bytez"));
  ASSERT_TRUE(c);
  EXPECT_NE(*a, *c);

  // The id is keyed: another store key names the same content differently.
  auto other = BlobStore::open(dir_ / "other", key_of(8));
  ASSERT_TRUE(other);
  auto d = other->put(data);
  ASSERT_TRUE(d);
  EXPECT_NE(*a, *d);
}

TEST_F(BlobStoreTest, FlippedByteIsCorrupt) {
  auto data = pseudo_random_bytes(200 * 1024, 1);
  auto id = store_->put(data);
  ASSERT_TRUE(id);
  const auto original = read_bytes(file_of(*id));
  // A byte in the magic, the stream header, the first chunk, a middle chunk and the last byte.
  for (std::size_t at :
       {std::size_t{2}, std::size_t{12}, std::size_t{40}, original.size() / 2, original.size() - 1}) {
    auto raw = original;
    raw[at] ^= 0x01;
    write_bytes(file_of(*id), raw);
    auto r = store_->get(*id);
    ASSERT_FALSE(r) << "flip at " << at;
    EXPECT_EQ(r.error().code, Code::kCorrupt) << "flip at " << at;
  }
  write_bytes(file_of(*id), original);
  EXPECT_TRUE(store_->get(*id));
}

TEST_F(BlobStoreTest, TruncatedOrExtendedFileIsCorrupt) {
  auto data = pseudo_random_bytes(3 * 64 * 1024, 2);  // exactly three full chunks
  auto id = store_->put(data);
  ASSERT_TRUE(id);
  const auto original = read_bytes(file_of(*id));
  const std::size_t chunk = 64 * 1024 + 17;
  const std::size_t body = 8 + 24;
  for (std::size_t keep :
       {std::size_t{0}, std::size_t{8}, body, body + chunk, body + 2 * chunk, original.size() - 1}) {
    write_bytes(file_of(*id),
                std::vector<unsigned char>(original.begin(), original.begin() + static_cast<long>(keep)));
    auto r = store_->get(*id);
    ASSERT_FALSE(r) << "kept " << keep;
    EXPECT_EQ(r.error().code, Code::kCorrupt) << "kept " << keep;
  }
  // Bytes appended after the final chunk.
  for (std::size_t extra : {std::size_t{1}, std::size_t{17}, chunk}) {
    auto longer = original;
    longer.insert(longer.end(), extra, 0);
    write_bytes(file_of(*id), longer);
    auto r = store_->get(*id);
    ASSERT_FALSE(r) << "extra " << extra;
    EXPECT_EQ(r.error().code, Code::kCorrupt) << "extra " << extra;
  }
}

TEST_F(BlobStoreTest, SwappedFilesAreCorrupt) {
  auto a = store_->put(bytes_of("application A"));
  auto b = store_->put(bytes_of("application B"));
  ASSERT_TRUE(a && b);
  auto raw_a = read_bytes(file_of(*a));
  auto raw_b = read_bytes(file_of(*b));
  write_bytes(file_of(*a), raw_b);
  write_bytes(file_of(*b), raw_a);
  auto ra = store_->get(*a);
  auto rb = store_->get(*b);
  ASSERT_FALSE(ra);
  ASSERT_FALSE(rb);
  EXPECT_EQ(ra.error().code, Code::kCorrupt);
  EXPECT_EQ(rb.error().code, Code::kCorrupt);
}

TEST_F(BlobStoreTest, WrongStoreKeyIsCorrupt) {
  auto id = store_->put(bytes_of("content"));
  ASSERT_TRUE(id);
  auto other = BlobStore::open(dir_ / "blobs", key_of(9));
  ASSERT_TRUE(other);
  auto r = other->get(*id);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kCorrupt);
}

TEST_F(BlobStoreTest, MissingAndMalformedIds) {
  const std::string absent(64, 'a');
  auto r = store_->get(absent);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kNotFound);
  EXPECT_FALSE(store_->contains(absent));
  auto rm = store_->remove(absent);
  ASSERT_FALSE(rm);
  EXPECT_EQ(rm.error().code, Code::kNotFound);

  for (const std::string& bad :
       {std::string("../../etc/passwd"), std::string(64, 'A'), std::string(63, 'a'), std::string()}) {
    auto g = store_->get(bad);
    ASSERT_FALSE(g);
    EXPECT_EQ(g.error().code, Code::kInvalid);
    EXPECT_FALSE(store_->contains(bad));
    EXPECT_EQ(store_->remove(bad).error().code, Code::kInvalid);
  }
}

TEST_F(BlobStoreTest, RemoveDeletesTheFile) {
  auto id = store_->put(bytes_of("to be deleted"));
  ASSERT_TRUE(id);
  ASSERT_TRUE(store_->remove(*id));
  EXPECT_FALSE(store_->contains(*id));
  EXPECT_FALSE(fs::exists(file_of(*id)));
  EXPECT_EQ(store_->get(*id).error().code, Code::kNotFound);
  // It can be stored again.
  EXPECT_TRUE(store_->put(bytes_of("to be deleted")));
  EXPECT_TRUE(store_->contains(*id));
}

TEST_F(BlobStoreTest, StaleTemporariesAreRemovedButLiveOnesKept) {
  auto id = store_->put(bytes_of("kept"));
  ASSERT_TRUE(id);
  const fs::path fan = file_of(*id).parent_path();
  write_bytes(fan / (*id + ".tmp-0011223344556677"), bytes_of("left by a crash"));
  fs::create_directories(dir_ / "blobs" / "ff");
  write_bytes(dir_ / "blobs" / "ff" / (std::string(64, 'f') + ".tmp-8899aabbccddeeff"), bytes_of("crash"));
  // A temporary whose writer is still alive (holds the flock) must stay.
  const fs::path live = fan / (*id + ".tmp-ffffffffffffffff");
  write_bytes(live, bytes_of("being written"));
  int fd = ::open(live.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);

  EXPECT_EQ(store_->remove_stale_temporaries(), 2);
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(store_->get(*id));  // real blobs are untouched

  ::close(fd);  // the writer "crashes"
  EXPECT_EQ(store_->remove_stale_temporaries(), 1);
  EXPECT_TRUE(files_containing(dir_.path(), ".tmp-").empty());
  EXPECT_EQ(store_->remove_stale_temporaries(), 0);
  EXPECT_TRUE(store_->get(*id));
}

TEST_F(BlobStoreTest, ConcurrentPutsAndGets) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 8;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Half the blobs are shared between threads, so the same id is written concurrently.
        unsigned seed = (i % 2 == 0) ? static_cast<unsigned>(i) : static_cast<unsigned>(1000 + t * 100 + i);
        auto data = pseudo_random_bytes(70 * 1024, seed);
        auto id = store_->put(data);
        if (!id) {
          ++failures[t];
          continue;
        }
        auto back = store_->get(*id);
        if (!back || *back != data) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
  EXPECT_TRUE(files_containing(dir_.path(), ".tmp-").empty());
}

// A full disk: a tmpfs far smaller than the blob. Without mount rights a file size limit stands
// in (EFBIG); the store treats both as a full disk.
TEST_F(BlobStoreTest, FullDiskIsReportedAndLeavesNoTemporary) {
  const fs::path mnt = dir_ / "mnt";
  fs::create_directories(mnt);
  testing::TinyTmpfs tmpfs(mnt, 256 * 1024);
  std::optional<testing::FileSizeLimit> limit;
  if (!tmpfs.mounted()) {
    std::cout << "tmpfs not permitted (" << tmpfs.error() << "); limiting the file size instead\n";
    limit.emplace(256 * 1024);
    ASSERT_TRUE(limit->active());
  }
  auto store = BlobStore::open(mnt / "blobs", key_of(7));
  ASSERT_TRUE(store) << store.error().message;
  auto big = pseudo_random_bytes(1024 * 1024, 3);
  auto r = store->put(big);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kDiskFull) << r.error().message;
  EXPECT_TRUE(files_containing(mnt, ".tmp-").empty());
  EXPECT_FALSE(store->contains(keyed_digest_hex(key_of(7), big)));

  // The space is given back: a small blob still fits.
  auto small = store->put(bytes_of("small"));
  ASSERT_TRUE(small) << small.error().message;
  EXPECT_TRUE(store->get(*small));
}

TEST_F(BlobStoreTest, FileSizeLimitCountsAsDiskFull) {
  testing::FileSizeLimit limit(100 * 1024);
  ASSERT_TRUE(limit.active());
  auto r = store_->put(pseudo_random_bytes(300 * 1024, 4));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kDiskFull) << r.error().message;
  EXPECT_TRUE(files_containing(dir_.path(), ".tmp-").empty());
  auto ok = store_->put(pseudo_random_bytes(10 * 1024, 5));
  ASSERT_TRUE(ok) << ok.error().message;
}

TEST(BlobStoreOpen, RefusesAFileAsFolderAndAnEmptyKey) {
  ScratchDir dir;
  write_bytes(dir / "plain-file", bytes_of("x"));
  auto r = BlobStore::open(dir / "plain-file", key_of(1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kInvalid);

  SecretKey k = key_of(1);
  SecretKey taken = std::move(k);
  auto e = BlobStore::open(dir / "blobs", std::move(k));  // NOLINT(bugprone-use-after-move)
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, Code::kInvalid);
}

}  // namespace
}  // namespace storage
