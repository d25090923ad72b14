// Keys: secret key handling, sub-key derivation, the keyring file and password hashes.
#include "storage/keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <string>
#include <vector>

#include "test_support.h"

namespace storage {
namespace {

using testing::bytes_of;
using testing::contains_bytes;
using testing::read_bytes;
using testing::ScratchDir;
using testing::write_bytes;

std::vector<unsigned char> copy(std::span<const unsigned char> s) { return {s.begin(), s.end()}; }

SecretKey key_of(unsigned char fill) {
  std::vector<unsigned char> raw(SecretKey::kSize, fill);
  auto k = SecretKey::from_bytes(raw);
  EXPECT_TRUE(k.has_value());
  return std::move(*k);
}

TEST(SecretKey, RandomKeysAre32BytesAndDiffer) {
  auto a = SecretKey::random();
  auto b = SecretKey::random();
  ASSERT_TRUE(a && b);
  ASSERT_EQ(a->bytes().size(), 32u);
  EXPECT_NE(copy(a->bytes()), copy(b->bytes()));
}

TEST(SecretKey, FromBytesRequires32Bytes) {
  std::vector<unsigned char> short_key(31, 1);
  auto k = SecretKey::from_bytes(short_key);
  ASSERT_FALSE(k);
  EXPECT_EQ(k.error().code, Code::kInvalid);
  std::vector<unsigned char> raw(32, 7);
  auto ok = SecretKey::from_bytes(raw);
  ASSERT_TRUE(ok);
  EXPECT_EQ(copy(ok->bytes()), raw);
}

TEST(SecretKey, MoveLeavesSourceEmpty) {
  SecretKey a = key_of(3);
  SecretKey b = std::move(a);
  EXPECT_TRUE(a.bytes().empty());  // NOLINT(bugprone-use-after-move): documented moved-from state
  EXPECT_EQ(b.bytes().size(), 32u);
  auto d = a.derive("db");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, Code::kInvalid);
}

TEST(SecretKey, DeriveIsDeterministicAndSeparatesPurposes) {
  SecretKey master = key_of(42);
  auto db1 = master.derive("db");
  auto db2 = master.derive("db");
  auto blobs = master.derive("blobs");
  ASSERT_TRUE(db1 && db2 && blobs);
  EXPECT_EQ(copy(db1->bytes()), copy(db2->bytes()));
  EXPECT_NE(copy(db1->bytes()), copy(blobs->bytes()));
  EXPECT_NE(copy(db1->bytes()), copy(master.bytes()));

  // Another master gives other sub-keys for the same purpose.
  SecretKey other = key_of(43);
  auto other_db = other.derive("db");
  ASSERT_TRUE(other_db);
  EXPECT_NE(copy(db1->bytes()), copy(other_db->bytes()));

  // A fresh key object with the same bytes derives the same sub-key (no hidden state).
  SecretKey again = key_of(42);
  EXPECT_EQ(copy(again.derive("db")->bytes()), copy(db1->bytes()));

  auto empty = master.derive("");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, Code::kInvalid);
}

TEST(Digest, KeyedDigestDependsOnKeyAndData) {
  SecretKey a = key_of(1);
  SecretKey b = key_of(2);
  auto data = bytes_of("application 0001");
  std::string d1 = keyed_digest_hex(a, data);
  EXPECT_EQ(d1.size(), 64u);
  EXPECT_EQ(d1, keyed_digest_hex(a, data));
  EXPECT_NE(d1, keyed_digest_hex(b, data));
  EXPECT_NE(d1, keyed_digest_hex(a, bytes_of("application 0002")));
  std::string r = random_hex(16);
  EXPECT_EQ(r.size(), 32u);
  EXPECT_NE(r, random_hex(16));
}

class KeyringTest : public ::testing::Test {
 protected:
  ScratchDir dir_;
  std::filesystem::path file_ = dir_ / "keyring.json";
};

TEST_F(KeyringTest, CreateThenUnlockGivesTheSameKey) {
  auto created = Keyring::create(file_, "correct horse battery staple");
  ASSERT_TRUE(created) << created.error().message;
  auto unlocked = Keyring::unlock(file_, "correct horse battery staple");
  ASSERT_TRUE(unlocked) << unlocked.error().message;
  EXPECT_EQ(copy(created->bytes()), copy(unlocked->bytes()));

  // The file is private and holds neither the passphrase nor the key.
  struct stat st {};
  ASSERT_EQ(::stat(file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto raw = read_bytes(file_);
  EXPECT_FALSE(contains_bytes(raw, "correct horse"));
  const auto key = copy(created->bytes());
  EXPECT_EQ(std::search(raw.begin(), raw.end(), key.begin(), key.end()), raw.end());
  EXPECT_TRUE(contains_bytes(raw, "opslimit"));
  EXPECT_TRUE(contains_bytes(raw, "memlimit"));
  // No temporary file is left beside it.
  EXPECT_TRUE(testing::files_containing(dir_.path(), ".tmp-").empty());
}

TEST_F(KeyringTest, CreateRefusesToOverwrite) {
  auto first = Keyring::create(file_, "first passphrase");
  ASSERT_TRUE(first);
  auto before = read_bytes(file_);
  auto second = Keyring::create(file_, "second passphrase");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, Code::kInvalid);
  EXPECT_EQ(read_bytes(file_), before);
  EXPECT_TRUE(Keyring::unlock(file_, "first passphrase"));
}

TEST_F(KeyringTest, EmptyPassphraseIsRejected) {
  auto r = Keyring::create(file_, "");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kInvalid);
  EXPECT_FALSE(std::filesystem::exists(file_));
}

TEST_F(KeyringTest, WrongPassphraseIsWrongKey) {
  ASSERT_TRUE(Keyring::create(file_, "the right one"));
  auto r = Keyring::unlock(file_, "the wrong one");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kWrongKey);
  EXPECT_EQ(r.error().message.find("the wrong one"), std::string::npos);
}

TEST_F(KeyringTest, MissingFileIsNotFound) {
  auto r = Keyring::unlock(file_, "anything");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kNotFound);
}

TEST_F(KeyringTest, DamagedJsonIsCorrupt) {
  ASSERT_TRUE(Keyring::create(file_, "pass phrase"));
  auto raw = read_bytes(file_);

  // Truncated in the middle: no longer JSON.
  write_bytes(file_,
              std::vector<unsigned char>(raw.begin(), raw.begin() + static_cast<long>(raw.size() / 2)));
  auto r1 = Keyring::unlock(file_, "pass phrase");
  ASSERT_FALSE(r1);
  EXPECT_EQ(r1.error().code, Code::kCorrupt);

  // Valid JSON of the wrong shape.
  write_bytes(file_, bytes_of(R"({"format":"station-keyring","version":1})"));
  auto r2 = Keyring::unlock(file_, "pass phrase");
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().code, Code::kCorrupt);

  // A nonce of the wrong length.
  std::string text(raw.begin(), raw.end());
  auto at = text.find("\"nonce\": \"");
  ASSERT_NE(at, std::string::npos);
  text.insert(at + 10, "00");
  write_bytes(file_, bytes_of(text));
  auto r3 = Keyring::unlock(file_, "pass phrase");
  ASSERT_FALSE(r3);
  EXPECT_EQ(r3.error().code, Code::kCorrupt);

  // Empty file.
  write_bytes(file_, {});
  auto r4 = Keyring::unlock(file_, "pass phrase");
  ASSERT_FALSE(r4);
  EXPECT_EQ(r4.error().code, Code::kCorrupt);
}

TEST_F(KeyringTest, TamperedCiphertextIsWrongKey) {
  // A well-formed file whose wrapped key was altered cannot be told from a wrong passphrase.
  ASSERT_TRUE(Keyring::create(file_, "pass phrase"));
  auto raw = read_bytes(file_);
  std::string text(raw.begin(), raw.end());
  auto at = text.find("\"wrapped_key\": \"");
  ASSERT_NE(at, std::string::npos);
  char& c = text[at + 16];
  c = (c == '0') ? '1' : '0';
  write_bytes(file_, bytes_of(text));
  auto r = Keyring::unlock(file_, "pass phrase");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kWrongKey);
}

TEST_F(KeyringTest, ChangePassphraseKeepsTheMasterKey) {
  auto created = Keyring::create(file_, "old passphrase");
  ASSERT_TRUE(created);
  auto changed = Keyring::change_passphrase(file_, "old passphrase", "new passphrase");
  ASSERT_TRUE(changed) << changed.error().message;

  auto with_old = Keyring::unlock(file_, "old passphrase");
  ASSERT_FALSE(with_old);
  EXPECT_EQ(with_old.error().code, Code::kWrongKey);
  auto with_new = Keyring::unlock(file_, "new passphrase");
  ASSERT_TRUE(with_new) << with_new.error().message;
  EXPECT_EQ(copy(with_new->bytes()), copy(created->bytes()));
  EXPECT_TRUE(testing::files_containing(dir_.path(), ".tmp-").empty());
}

TEST_F(KeyringTest, ChangePassphraseWithWrongOldOneChangesNothing) {
  ASSERT_TRUE(Keyring::create(file_, "old passphrase"));
  auto before = read_bytes(file_);
  auto changed = Keyring::change_passphrase(file_, "not it", "new passphrase");
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, Code::kWrongKey);
  EXPECT_EQ(read_bytes(file_), before);
}

TEST(Password, HashVerifies) {
  auto hash = hash_password("s3cret-clerk");
  ASSERT_TRUE(hash);
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  EXPECT_EQ(hash->find("s3cret-clerk"), std::string::npos);
  EXPECT_TRUE(verify_password(*hash, "s3cret-clerk"));
  EXPECT_FALSE(verify_password(*hash, "s3cret-clerK"));
  EXPECT_FALSE(verify_password(*hash, ""));
  EXPECT_FALSE(verify_password("", "s3cret-clerk"));
  EXPECT_FALSE(verify_password("not a hash", "s3cret-clerk"));
  // Salted: the same password hashes differently each time.
  auto again = hash_password("s3cret-clerk");
  ASSERT_TRUE(again);
  EXPECT_NE(*hash, *again);
}

}  // namespace
}  // namespace storage
