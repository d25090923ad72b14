// CMS protection of the set through OpenSSL 3 (cms.h).
#include "station/outputs/cms.h"

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/bn.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <utility>

namespace station::outputs {

namespace {

template <auto F>
struct Deleter {
  template <class T>
  void operator()(T* p) const { F(p); }
};
using Bio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Cms = std::unique_ptr<CMS_ContentInfo, Deleter<CMS_ContentInfo_free>>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
struct StackFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }
};
using Stack = std::unique_ptr<STACK_OF(X509), StackFree>;

// The oldest error OpenSSL queued, as text (no personal data ever goes through OpenSSL's errors).
std::string openssl_error() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

std::string bio_text(BIO* b) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(b, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

Bio mem_of(std::string_view s) { return Bio(BIO_new_mem_buf(s.data(), static_cast<int>(s.size()))); }

X509Ptr parse_x509(std::string_view text) {
  if (auto b = mem_of(text)) {
    if (X509* x = PEM_read_bio_X509(b.get(), nullptr, nullptr, nullptr)) return X509Ptr(x);
  }
  ERR_clear_error();
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(text.size())));
  ERR_clear_error();
  return x;
}

std::string fingerprint(const X509* x) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (X509_digest(x, EVP_sha256(), md, &n) != 1) return {};
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    char h[4];
    std::snprintf(h, sizeof h, i + 1 < n ? "%02X:" : "%02X", md[i]);
    out += h;
  }
  return out;
}

Result<ExportCertificate> describe(const X509* x) {
  ExportCertificate c;
  Bio b(BIO_new(BIO_s_mem()));
  if (!b) return fail(ErrorCode::kExport, "OpenSSL: no memory BIO");
  X509_NAME_print_ex(b.get(), X509_get_subject_name(x), 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
  c.subject = bio_text(b.get());
  Bio t(BIO_new(BIO_s_mem()));
  ASN1_TIME_print(t.get(), X509_get0_notAfter(x));
  c.not_after = bio_text(t.get());
  Bio p(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_X509(p.get(), const_cast<X509*>(x)) != 1) return fail(ErrorCode::kExport, "OpenSSL: " + openssl_error());
  c.pem = bio_text(p.get());
  c.fingerprint = fingerprint(x);
  return c;
}

}  // namespace

Result<ExportCertificate> read_certificate(std::string_view pem_or_der) {
  X509Ptr x = parse_x509(pem_or_der);
  if (!x)
    return fail(ErrorCode::kInvalidInput, "not an X.509 certificate (PEM or DER)",
                "証明書ファイル（PEM または DER 形式の X.509 証明書）として読めません。県から受け取った証明書ファイルを指定してください。");
  if (X509_cmp_current_time(X509_get0_notAfter(x.get())) <= 0)
    return fail(ErrorCode::kInvalidInput, "the certificate has expired",
                "証明書の有効期限が切れています。県から新しい証明書を受け取って設定してください。");
  EVP_PKEY* key = X509_get0_pubkey(x.get());
  if (key == nullptr || (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA && EVP_PKEY_get_base_id(key) != EVP_PKEY_EC))
    return fail(ErrorCode::kInvalidInput, "the certificate's key is neither RSA nor EC",
                "この証明書の鍵（RSA・楕円曲線以外）では暗号化できません。県に暗号化用の証明書を確認してください。");
  return describe(x.get());
}

namespace {

enum class KeyUse { kSigning, kEncryption };

Result<SigningIdentity> make_identity(const std::string& common_name, KeyUse use) {
  PkeyCtx kctx(EVP_PKEY_CTX_new_from_name(nullptr, use == KeyUse::kSigning ? "EC" : "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!kctx || EVP_PKEY_keygen_init(kctx.get()) != 1)
    return fail(ErrorCode::kExport, "OpenSSL key generation: " + openssl_error());
  const int param = use == KeyUse::kSigning ? EVP_PKEY_CTX_set_group_name(kctx.get(), "P-256")
                                            : EVP_PKEY_CTX_set_rsa_keygen_bits(kctx.get(), 3072);
  if (param != 1 || EVP_PKEY_keygen(kctx.get(), &raw) != 1)
    return fail(ErrorCode::kExport, "OpenSSL key generation: " + openssl_error());
  Pkey key(raw);
  X509Ptr x(X509_new());
  if (!x) return fail(ErrorCode::kExport, "OpenSSL: " + openssl_error());
  X509_set_version(x.get(), 2);
  // A random 64-bit serial (positive).
  BIGNUM* serial = BN_new();
  BN_rand(serial, 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
  BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x.get()));
  BN_free(serial);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 60L * 60 * 24 * 3650);
  X509_set_pubkey(x.get(), key.get());
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                             -1, -1, 0);
  X509_set_issuer_name(x.get(), name);
  // For its one use (signing: digitalSignature and nonRepudiation; encryption: keyEncipherment),
  // not a CA.
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, x.get(), x.get(), nullptr, nullptr, 0);
  const char* usage =
      use == KeyUse::kSigning ? "critical,digitalSignature,nonRepudiation" : "critical,keyEncipherment";
  for (const auto& [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:FALSE"},
                                   std::pair{NID_key_usage, usage},
                                   std::pair{NID_subject_key_identifier, "hash"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
    if (ext == nullptr) return fail(ErrorCode::kExport, "OpenSSL extension: " + openssl_error());
    X509_add_ext(x.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(x.get(), key.get(), EVP_sha256()) <= 0) return fail(ErrorCode::kExport, "OpenSSL sign: " + openssl_error());
  SigningIdentity id;
  Bio c(BIO_new(BIO_s_mem())), k(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_X509(c.get(), x.get()) != 1 ||
      PEM_write_bio_PrivateKey(k.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return fail(ErrorCode::kExport, "OpenSSL PEM: " + openssl_error());
  id.cert_pem = bio_text(c.get());
  id.key_pem = bio_text(k.get());
  return id;
}

}  // namespace

Result<SigningIdentity> make_signing_identity(const std::string& common_name) {
  return make_identity(common_name, KeyUse::kSigning);
}

Result<SigningIdentity> make_recipient_identity(const std::string& common_name) {
  return make_identity(common_name, KeyUse::kEncryption);
}

Result<std::string> sign_and_encrypt_to_file(std::span<const unsigned char> content, const SigningIdentity& signer,
                                             const std::string& recipient_pem, const std::string& path) {
  X509Ptr signer_cert = parse_x509(signer.cert_pem);
  auto kb = mem_of(signer.key_pem);
  Pkey key(kb ? PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr) : nullptr);
  X509Ptr recipient = parse_x509(recipient_pem);
  if (!signer_cert || !key) return fail(ErrorCode::kStoreCorrupt, "the station's signing certificate or key does not load");
  if (!recipient) return fail(ErrorCode::kStoreCorrupt, "the recipient certificate does not load");
  Stack recips(sk_X509_new_null());
  if (!recips || sk_X509_push(recips.get(), recipient.get()) <= 0) return fail(ErrorCode::kExport, "OpenSSL: no memory");

  const std::string tmp = path + ".part";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return fail(ErrorCode::kExport, "cannot create " + tmp + ": " + std::strerror(errno));
  // The file BIO does not own the descriptor: it is synced and closed below.
  BIO* file = BIO_new_fd(fd, BIO_NOCLOSE);
  auto abandon = [&](const std::string& why) {
    if (file != nullptr) BIO_free(file);
    ::close(fd);
    ::unlink(tmp.c_str());
    return fail(ErrorCode::kExport, why);
  };
  if (file == nullptr) return abandon("OpenSSL: no file BIO");
  // The envelope (AES-256-CBC to the recipient), streamed: what is written to `enc` is encrypted
  // into the file. Inside it the SignedData, itself streamed from the content.
  Cms env(CMS_encrypt(recips.get(), nullptr, EVP_aes_256_cbc(), CMS_BINARY | CMS_STREAM | CMS_PARTIAL));
  if (!env) return abandon("CMS encrypt: " + openssl_error());
  BIO* enc = BIO_new_CMS(file, env.get());
  if (enc == nullptr) return abandon("CMS encrypt: " + openssl_error());
  Bio in(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
  Cms sd(CMS_sign(signer_cert.get(), key.get(), nullptr, in.get(), CMS_BINARY | CMS_STREAM));
  bool ok = sd && i2d_CMS_bio_stream(enc, sd.get(), in.get(), CMS_BINARY | CMS_STREAM) == 1;
  ok = ok && BIO_flush(enc) == 1;
  const std::string why = ok ? std::string() : openssl_error();
  // Free the chain BIO_new_CMS built, down to (not including) the file BIO.
  while (enc != nullptr && enc != file) {
    BIO* next = BIO_pop(enc);
    BIO_free(enc);
    enc = next;
  }
  if (!ok) return abandon("CMS sign/encrypt: " + why);
  BIO_free(file);
  file = nullptr;
  if (::fsync(fd) != 0) {
    const int e = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return fail(e == ENOSPC ? ErrorCode::kDiskFull : ErrorCode::kExport, "cannot flush " + tmp + ": " + std::strerror(e));
  }
  ::close(fd);
  // The digest of what is on disk, read back.
  std::string digest;
  {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const int rfd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
    bool read_ok = ctx != nullptr && rfd >= 0 && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1;
    std::vector<unsigned char> buf(1 << 20);
    for (ssize_t n; read_ok && (n = ::read(rfd, buf.data(), buf.size())) != 0;) {
      if (n < 0) {
        if (errno == EINTR) continue;
        read_ok = false;
        break;
      }
      read_ok = EVP_DigestUpdate(ctx, buf.data(), static_cast<std::size_t>(n)) == 1;
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    read_ok = read_ok && EVP_DigestFinal_ex(ctx, md, &len) == 1;
    if (rfd >= 0) ::close(rfd);
    EVP_MD_CTX_free(ctx);
    if (!read_ok) {
      ::unlink(tmp.c_str());
      return fail(ErrorCode::kExport, "cannot read back " + tmp);
    }
    for (unsigned i = 0; i < len; ++i) {
      char h[3];
      std::snprintf(h, sizeof h, "%02x", md[i]);
      digest += h;
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return fail(ErrorCode::kExport, "cannot rename the set into place: " + std::string(std::strerror(errno)));
  }
  const std::string folder = std::filesystem::path(path).parent_path().string();
  if (int dfd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
  return digest;
}

std::string sha256_hex(std::span<const unsigned char> bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &n, EVP_sha256(), nullptr);
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    char h[3];
    std::snprintf(h, sizeof h, "%02x", md[i]);
    out += h;
  }
  return out;
}

}  // namespace station::outputs
