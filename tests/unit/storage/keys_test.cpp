// Keys: secret key handling, sub-key derivation, the keyring file and password hashes.
#include "storage/keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <string>
#include <vector>

#include "storage/testing.h"
#include "test_support.h"

namespace storage {
namespace {

using testing::bytes_of;
using testing::contains_bytes;
using testing::read_bytes;
using testing::ScratchDir;
using testing::write_bytes;

std::vector<unsigned char> copy(std::span<const unsigned char> s) { return {s.begin(), s.end()}; }

std::string testing_hex(std::span<const unsigned char> s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

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

// Issue #16: passphrase slots at libsodium's MODERATE in production; a keyring made cheaper
// (before the change, or by a test) is re-wrapped at the current cost by the next unlock with it.
class KdfCostTest : public KeyringTest {
 protected:
  void TearDown() override { set_test_kdf_cost(interactive_kdf_cost()); }  // the suite's cost
};

TEST_F(KdfCostTest, AFreshProductionKeyringRecordsModerateOrStronger) {
  set_test_kdf_cost(std::nullopt);  // what the kiosk build always answers
  ASSERT_TRUE(Keyring::create(file_, "correct horse battery staple"));
  auto cost = Keyring::passphrase_cost(file_);
  ASSERT_TRUE(cost) << cost.error().message;
  // libsodium's crypto_pwhash_OPSLIMIT_MODERATE / MEMLIMIT_MODERATE: 3 passes, 256 MiB.
  EXPECT_GE(cost->opslimit, 3u);
  EXPECT_GE(cost->memlimit, std::uint64_t{256} << 20);
  EXPECT_TRUE(contains_bytes(read_bytes(file_), "\"memlimit\": " + std::to_string(cost->memlimit)));
  auto upgraded = Keyring::upgrade_passphrase_slot(file_, "correct horse battery staple");
  ASSERT_TRUE(upgraded);
  EXPECT_FALSE(*upgraded) << "a production keyring needs no upgrade";
}

TEST_F(KdfCostTest, ACheaperKeyringIsRewrappedAtTheCurrentCostAndKeepsItsKeyFile) {
  set_test_kdf_cost(min_kdf_cost());  // an "older" keyring
  auto created = Keyring::create(file_, "pass phrase");
  ASSERT_TRUE(created) << created.error().message;
  ASSERT_TRUE(Keyring::add_key_file(file_, *created, key_of(7)));
  set_test_kdf_cost(interactive_kdf_cost());  // the cost has gone up since

  const auto before = read_bytes(file_);
  auto wrong = Keyring::upgrade_passphrase_slot(file_, "wrong phrase");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, Code::kWrongKey);
  EXPECT_EQ(read_bytes(file_), before) << "a wrong passphrase changes nothing";

  auto upgraded = Keyring::upgrade_passphrase_slot(file_, "pass phrase");
  ASSERT_TRUE(upgraded) << upgraded.error().message;
  EXPECT_TRUE(*upgraded);
  auto cost = Keyring::passphrase_cost(file_);
  ASSERT_TRUE(cost);
  EXPECT_EQ(cost->opslimit, interactive_kdf_cost().opslimit);
  EXPECT_EQ(cost->memlimit, interactive_kdf_cost().memlimit);
  EXPECT_GT(cost->memlimit, min_kdf_cost().memlimit);
  auto unlocked = Keyring::unlock(file_, "pass phrase");
  ASSERT_TRUE(unlocked) << unlocked.error().message;
  EXPECT_EQ(copy(unlocked->bytes()), copy(created->bytes()));
  auto by_file = Keyring::unlock_with_key_file(file_, key_of(7));
  ASSERT_TRUE(by_file) << by_file.error().message;
  EXPECT_EQ(copy(by_file->bytes()), copy(created->bytes()));
  auto again = Keyring::upgrade_passphrase_slot(file_, "pass phrase");
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again) << "once is enough";

  // A passphrase change never writes below the current cost either.
  set_test_kdf_cost(min_kdf_cost());
  ASSERT_TRUE(Keyring::change_passphrase(file_, "pass phrase", "next phrase"));
  auto kept = Keyring::passphrase_cost(file_);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->memlimit, interactive_kdf_cost().memlimit) << "the file's higher cost is kept";
}

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

// ---- key files and key-file slots (issue #5) ----

class KeyFileTest : public KeyringTest {
 protected:
  std::filesystem::path key_file_ = dir_ / "usb" / "station.key";
  void SetUp() override { std::filesystem::create_directories(key_file_.parent_path()); }
  // Rewrites the key file's bytes (it is created read-only).
  void rewrite_key_file(const std::vector<unsigned char>& bytes) {
    std::filesystem::permissions(key_file_, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    write_bytes(key_file_, bytes);
  }
};

TEST_F(KeyFileTest, AKeyFileIsWrittenReadOnlyAndReadsBackTheSameSecret) {
  auto secret = KeyFile::create(key_file_);
  ASSERT_TRUE(secret) << secret.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(key_file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, static_cast<off_t>(KeyFile::kFileSize));
  EXPECT_EQ(st.st_mode & 0777, 0400u);
  auto again = KeyFile::read(key_file_);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(copy(again->bytes()), copy(secret->bytes()));
  // Never overwritten.
  auto second = KeyFile::create(key_file_);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, Code::kInvalid);
  EXPECT_EQ(copy(KeyFile::read(key_file_)->bytes()), copy(secret->bytes()));
}

TEST_F(KeyFileTest, TruncatedDamagedOrForeignKeyFilesAreCorruptAndAMissingOneNotFound) {
  ASSERT_TRUE(KeyFile::create(key_file_));
  const auto good = read_bytes(key_file_);

  EXPECT_EQ(KeyFile::read(dir_ / "usb" / "absent.key").error().code, Code::kNotFound);
  EXPECT_EQ(KeyFile::read(dir_ / "usb").error().code, Code::kCorrupt) << "a folder is not a key file";

  rewrite_key_file(std::vector<unsigned char>(good.begin(), good.begin() + 40));  // truncated
  auto r1 = KeyFile::read(key_file_);
  ASSERT_FALSE(r1);
  EXPECT_EQ(r1.error().code, Code::kCorrupt);
  EXPECT_NE(r1.error().message.find("truncated"), std::string::npos);

  rewrite_key_file({});  // empty
  EXPECT_EQ(KeyFile::read(key_file_).error().code, Code::kCorrupt);

  auto flipped = good;
  flipped[20] ^= 0x01;  // a bit of the secret
  rewrite_key_file(flipped);
  auto r2 = KeyFile::read(key_file_);
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().code, Code::kCorrupt);
  EXPECT_NE(r2.error().message.find("checksum"), std::string::npos);

  auto longer = good;
  longer.push_back('\n');
  rewrite_key_file(longer);
  EXPECT_EQ(KeyFile::read(key_file_).error().code, Code::kCorrupt);

  rewrite_key_file(bytes_of("correct horse battery staple, a passphrase typed into a file by mistake!!"));
  EXPECT_EQ(KeyFile::read(key_file_).error().code, Code::kCorrupt);

  rewrite_key_file(good);
  EXPECT_TRUE(KeyFile::read(key_file_));
}

TEST_F(KeyFileTest, ARegisteredKeyFileUnlocksTheSameMasterKeyAndAnotherDoesNot) {
  auto master = Keyring::create(file_, "pass phrase one");
  ASSERT_TRUE(master);
  auto secret = KeyFile::create(key_file_);
  ASSERT_TRUE(secret);
  // Not registered yet.
  EXPECT_EQ(Keyring::unlock_with_key_file(file_, *secret).error().code, Code::kWrongKey);
  EXPECT_FALSE(*Keyring::has_key_file(file_));

  // Only this keyring's master key can be registered.
  EXPECT_EQ(Keyring::add_key_file(file_, key_of(7), *secret).error().code, Code::kInvalid);
  ASSERT_TRUE(Keyring::add_key_file(file_, *master, *secret));
  EXPECT_TRUE(*Keyring::has_key_file(file_));
  EXPECT_FALSE(contains_bytes(read_bytes(file_), testing_hex(secret->bytes())));
  auto by_file = Keyring::unlock_with_key_file(file_, *secret);
  ASSERT_TRUE(by_file) << by_file.error().message;
  EXPECT_EQ(copy(by_file->bytes()), copy(master->bytes()));
  auto by_pass = Keyring::unlock(file_, "pass phrase one");
  ASSERT_TRUE(by_pass);
  EXPECT_EQ(copy(by_pass->bytes()), copy(master->bytes()));

  // A second key file is refused while one is registered; another key file does not open.
  auto other = KeyFile::create(dir_ / "usb" / "other.key");
  ASSERT_TRUE(other);
  EXPECT_EQ(Keyring::add_key_file(file_, *master, *other).error().code, Code::kInvalid);
  EXPECT_EQ(Keyring::unlock_with_key_file(file_, *other).error().code, Code::kWrongKey);

  // A passphrase change keeps the key-file slot.
  ASSERT_TRUE(Keyring::change_passphrase(file_, "pass phrase one", "pass phrase two"));
  EXPECT_TRUE(Keyring::unlock_with_key_file(file_, *secret));

  // Removed: the key file no longer opens; the passphrase still does.
  ASSERT_TRUE(Keyring::remove_key_file(file_));
  EXPECT_EQ(Keyring::unlock_with_key_file(file_, *secret).error().code, Code::kWrongKey);
  EXPECT_EQ(Keyring::remove_key_file(file_).error().code, Code::kNotFound);
  EXPECT_TRUE(Keyring::unlock(file_, "pass phrase two"));
  EXPECT_TRUE(testing::files_containing(dir_.path(), ".tmp-").empty());
}

TEST_F(KeyFileTest, ATamperedKeyFileSlotIsWrongKey) {
  auto master = Keyring::create(file_, "pass phrase one");
  auto secret = KeyFile::create(key_file_);
  ASSERT_TRUE(master && secret);
  ASSERT_TRUE(Keyring::add_key_file(file_, *master, *secret));
  auto raw = read_bytes(file_);
  std::string text(raw.begin(), raw.end());
  // The second wrapped_key is the key-file slot's.
  auto at = text.find("\"wrapped_key\": \"", text.find("\"key-file\""));
  ASSERT_NE(at, std::string::npos);
  char& c = text[at + 16];
  c = (c == '0') ? '1' : '0';
  write_bytes(file_, bytes_of(text));
  EXPECT_EQ(Keyring::unlock_with_key_file(file_, *secret).error().code, Code::kWrongKey);
  EXPECT_TRUE(Keyring::unlock(file_, "pass phrase one")) << "the passphrase slot is untouched";
}

TEST_F(KeyFileTest, AVersionOneKeyringStillOpensAndGainsAKeyFile) {
  // A keyring as version 1 wrote it: the passphrase slot's fields at the top level.
  ASSERT_TRUE(Keyring::create(file_, "pass phrase one"));
  auto master = Keyring::unlock(file_, "pass phrase one");
  ASSERT_TRUE(master);
  auto raw = read_bytes(file_);
  std::string v2(raw.begin(), raw.end());
  const auto field = [&](const std::string& name) {
    auto at = v2.find("\"" + name + "\": ");
    EXPECT_NE(at, std::string::npos) << name;
    auto from = v2.find_first_not_of(' ', at + name.size() + 4);
    auto to = v2.find_first_of(",\n}", from);
    return v2.substr(from, to - from);
  };
  const std::string v1 = std::string("{\"format\":\"station-keyring\",\"version\":1,\"kdf\":{\"algorithm\":\"argon2id13\",") +
                         "\"salt\":" + field("salt") + ",\"opslimit\":" + field("opslimit") +
                         ",\"memlimit\":" + field("memlimit") + "},\"cipher\":\"xchacha20poly1305-ietf\",\"nonce\":" +
                         field("nonce") + ",\"wrapped_key\":" + field("wrapped_key") + "}";
  write_bytes(file_, bytes_of(v1));
  auto old = Keyring::unlock(file_, "pass phrase one");
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_EQ(copy(old->bytes()), copy(master->bytes()));
  auto secret = KeyFile::create(key_file_);
  ASSERT_TRUE(secret);
  ASSERT_TRUE(Keyring::add_key_file(file_, *master, *secret));
  EXPECT_TRUE(Keyring::unlock_with_key_file(file_, *secret));
  EXPECT_TRUE(Keyring::unlock(file_, "pass phrase one"));
}

TEST_F(KeyringTest, ANewGenerationIsWrittenForAGivenMasterKeyAndNeverOverAnExistingFile) {
  auto master = SecretKey::random();
  ASSERT_TRUE(master);
  ASSERT_TRUE(Keyring::create_for(file_, *master, "pass phrase one", nullptr));
  EXPECT_EQ(copy(Keyring::unlock(file_, "pass phrase one")->bytes()), copy(master->bytes()));
  auto again = Keyring::create_for(file_, key_of(3), "pass phrase one", nullptr);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Code::kInvalid);
  EXPECT_EQ(copy(Keyring::unlock(file_, "pass phrase one")->bytes()), copy(master->bytes()));
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


// Issue #16: secret slots (the audit signing seed) beside the master key.
TEST_F(KeyringTest, ASecretSlotOpensOnlyWithItsWrappingKeyAndSurvivesEveryRewrite) {
  auto master = Keyring::create(file_, "secret slot passphrase");
  ASSERT_TRUE(master);
  EXPECT_FALSE(*Keyring::secret_slot(file_, "audit-signing"));
  EXPECT_EQ(Keyring::get_secret(file_, "audit-signing", *master).error().code, Code::kNotFound);
  const SecretKey seed = key_of(0x5a);
  ASSERT_TRUE(Keyring::put_secret(file_, "audit-signing", seed, SecretWrap::kMaster, *master));
  auto raw = read_bytes(file_);
  const auto plain = copy(seed.bytes());
  EXPECT_EQ(std::search(raw.begin(), raw.end(), plain.begin(), plain.end()), raw.end()) << "wrapped, not stored";
  auto got = Keyring::get_secret(file_, "audit-signing", *master);
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->equals(seed));
  EXPECT_EQ(Keyring::get_secret(file_, "audit-signing", key_of(1)).error().code, Code::kWrongKey);

  // Under a credential: the master key no longer opens it; the credential does.
  ScratchDir other;
  auto cred = CredentialFile::create(other / "cred.key");
  ASSERT_TRUE(cred);
  EXPECT_EQ(read_bytes(other / "cred.key").size(), CredentialFile::kFileSize);
  EXPECT_EQ(CredentialFile::create(other / "cred.key").error().code, Code::kInvalid) << "never overwritten";
  ASSERT_TRUE(Keyring::put_secret(file_, "audit-signing", seed, SecretWrap::kCredential, *cred));
  auto info = Keyring::secret_slot(file_, "audit-signing");
  ASSERT_TRUE(info && *info);
  EXPECT_EQ((*info)->wrap, SecretWrap::kCredential);
  EXPECT_EQ((*info)->credential_id, Keyring::credential_id(*cred));
  EXPECT_EQ(Keyring::get_secret(file_, "audit-signing", *master).error().code, Code::kWrongKey);
  EXPECT_TRUE(Keyring::get_secret(file_, "audit-signing", *CredentialFile::read(other / "cred.key"))->equals(seed));

  // Passphrase change, key file added and removed: the slot is kept.
  ASSERT_TRUE(Keyring::change_passphrase(file_, "secret slot passphrase", "another slot passphrase"));
  ASSERT_TRUE(Keyring::add_key_file(file_, *master, key_of(9)));
  ASSERT_TRUE(Keyring::remove_key_file(file_));
  EXPECT_TRUE(Keyring::get_secret(file_, "audit-signing", *cred)->equals(seed));

  // A credential file of another size is refused.
  write_bytes(other / "short.key", std::vector<unsigned char>(31, 1));
  EXPECT_EQ(CredentialFile::read(other / "short.key").error().code, Code::kCorrupt);
  EXPECT_EQ(CredentialFile::read(other / "absent.key").error().code, Code::kNotFound);
}

TEST_F(KeyringTest, CopySecretsRewrapsMasterSlotsUnderTheNextMasterKey) {
  auto master = Keyring::create(file_, "secret slot passphrase");
  ASSERT_TRUE(master);
  const SecretKey seed = key_of(0x33), other = key_of(0x44), cred = key_of(0x55);
  ASSERT_TRUE(Keyring::put_secret(file_, "audit-signing", seed, SecretWrap::kMaster, *master));
  ASSERT_TRUE(Keyring::put_secret(file_, "other", other, SecretWrap::kCredential, cred));
  const auto next_file = dir_ / "next.json";
  const SecretKey next = key_of(0x66);
  ASSERT_TRUE(Keyring::create_for(next_file, next, "secret slot passphrase", nullptr));
  ASSERT_TRUE(Keyring::copy_secrets(file_, next_file, *master, next));
  EXPECT_TRUE(Keyring::get_secret(next_file, "audit-signing", next)->equals(seed));
  EXPECT_EQ(Keyring::get_secret(next_file, "audit-signing", *master).error().code, Code::kWrongKey);
  EXPECT_TRUE(Keyring::get_secret(next_file, "other", cred)->equals(other)) << "copied as it is";
}

}  // namespace
}  // namespace storage
