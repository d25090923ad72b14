// The one place that maps the station's error vocabulary to exit codes, HTTP statuses and the
// Japanese text users read. Keep docs/errors.md in step with this table.
#include "station/error.h"

#include <array>

namespace station {
namespace {

struct Entry {
  ErrorCode code;
  std::string_view name;
  int exit;
  int http;
  std::string_view ja;
};

constexpr std::array kTable = {
    Entry{ErrorCode::kUsage, "USAGE", 2, 400, "コマンドの指定が正しくありません。`station --help` で使い方を確認してください。"},
    Entry{ErrorCode::kConfig, "CONFIG", 3, 500, "設定ファイルを読み込めません。表示された行を修正するか、ファイルを削除して既定値で起動してください。"},
    Entry{ErrorCode::kWrongPassphrase, "WRONG_PASSPHRASE", 10, 401, "パスフレーズが違います。入力し直してください（大文字・小文字、全角・半角に注意）。データは変更されていません。"},
    Entry{ErrorCode::kStoreMissing, "STORE_MISSING", 11, 500, "データ保管庫が見つかりません。`station init` で作成するか、--data-dir で場所を指定してください。"},
    Entry{ErrorCode::kStoreExists, "STORE_EXISTS", 12, 409, "この場所には既にデータ保管庫があります。別の場所を指定するか、既存の保管庫を開いてください。"},
    Entry{ErrorCode::kStoreCorrupt, "STORE_CORRUPT", 13, 500, "保管データの破損を検出しました。作業を止め、管理者に連絡してバックアップから復元してください。"},
    Entry{ErrorCode::kDiskFull, "DISK_FULL", 14, 507, "ディスクの空き容量が不足しています。不要なファイルを削除するか管理者に連絡してから、もう一度実行してください。保存済みのデータは失われていません。"},
    Entry{ErrorCode::kIo, "IO", 15, 500, "ファイルの読み書きに失敗しました。媒体の接続と権限を確認して、もう一度実行してください。"},
    Entry{ErrorCode::kWrongKeyFile, "WRONG_KEY_FILE", 16, 401, "この鍵ファイルはこのデータ保管庫のものではないか、登録が解除されています。正しい鍵ファイルの入った USB メモリを挿して指定し直すか、パスフレーズで開いてください。データは変更されていません。"},
    Entry{ErrorCode::kBadKeyFile, "BAD_KEY_FILE", 17, 400, "鍵ファイルが見つからないか、壊れています（途中までしか読めない等）。USB メモリを挿し直して --key-file の場所を確認するか、パスフレーズで開いてください。データは変更されていません。"},
    Entry{ErrorCode::kSigningKeyUnavailable, "SIGNING_KEY_UNAVAILABLE", 18, 503, "監査ログの署名用の鍵ファイルを読めないため、この保管庫を書き込みできる形では開けません。稼働中のサービス（station serve）を通して操作してください（監査ログの検証など読み取りだけのコマンドはこのまま使えます）。データは変更されていません。"},
    Entry{ErrorCode::kBadImage, "BAD_IMAGE", 20, 422, "画像ファイルが壊れているか、対応していない形式です。原本を再スキャンしてください（他のページの取り込みは続行しました）。"},
    Entry{ErrorCode::kImageTooLarge, "IMAGE_TOO_LARGE", 21, 413, "画像が大きすぎます。スキャナーの解像度を 200〜300dpi、用紙サイズを A4 に設定して再スキャンしてください。"},
    Entry{ErrorCode::kNoPages, "NO_PAGES", 22, 422, "取り込めるページがありませんでした。フォルダーやファイルの指定を確認してください。"},
    Entry{ErrorCode::kBadCsvEncoding, "BAD_CSV_ENCODING", 23, 422, "施設リストの文字コードが違います。県から届いた CP932（Shift_JIS）の CSV をそのまま指定してください（Excel で保存し直したファイルは使えないことがあります）。"},
    Entry{ErrorCode::kBadCsv, "BAD_CSV", 24, 422, "施設リストの列が想定と違います。県から届いた対象施設リストの CSV か確認してください。"},
    Entry{ErrorCode::kOcrUnavailable, "OCR_UNAVAILABLE", 30, 503, "文字認識エンジン（Tesseract と日本語データ）が見つかりません。管理者に導入を依頼してください。"},
    Entry{ErrorCode::kScanner, "SCANNER", 31, 503, "スキャナーでエラーが発生しました。表示に従って用紙やカバーを確認し、続きから読み取ってください。読み取り済みのページは保存されています。"},
    Entry{ErrorCode::kCaptureBusy, "CAPTURE_BUSY", 32, 409, "別のスキャンまたは取り込みを実行中です。終わるまで待ってから、もう一度開始してください（進み具合は「読み取り」画面に表示されます）。"},
    Entry{ErrorCode::kRecognitionFailed, "RECOGNITION_FAILED", 33, 422, "文字認識できなかった封筒があります。ページは保存されています。`station recognize 受付番号` でもう一度読み取るか、原本を取り込み直してください。"},
    Entry{ErrorCode::kNotFound, "NOT_FOUND", 40, 404, "指定されたデータが見つかりません。一覧から選び直してください。"},
    Entry{ErrorCode::kLoginFailed, "LOGIN_FAILED", 41, 401, "ユーザー名またはパスワードが違います。"},
    Entry{ErrorCode::kAccountLocked, "ACCOUNT_LOCKED", 42, 423, "ログインの失敗が続いたため、アカウントをロックしました。時間をおいて再度試すか、管理者に解除を依頼してください。"},
    Entry{ErrorCode::kPasswordChangeRequired, "PASSWORD_CHANGE_REQUIRED", 47, 403, "管理者が発行した仮パスワードです。新しいパスワードに変更してからログインしてください（コマンドでは `station user passwd --as 自分のユーザー名`）。"},
    Entry{ErrorCode::kForbidden, "FORBIDDEN", 43, 403, "この操作を行う権限がありません。担当の方に依頼してください。"},
    Entry{ErrorCode::kInvalidInput, "INVALID_INPUT", 44, 400, "入力内容が正しくありません。表示された項目を確認してください。"},
    Entry{ErrorCode::kConflict, "CONFLICT", 45, 409, "現在の状態ではこの操作はできません。画面を更新してから、もう一度実行してください。"},
    Entry{ErrorCode::kExport, "EXPORT", 50, 500, "出力ファイルを作成できませんでした。出力先の空き容量と書き込み権限を確認して、もう一度実行してください。"},
    Entry{ErrorCode::kNothingToExport, "NOTHING_TO_EXPORT", 51, 409, "出力できる受理済みの申請がありません。審査で受理してから、もう一度出力してください。"},
    Entry{ErrorCode::kAddressInUse, "ADDRESS_IN_USE", 52, 500, "画面用のポート番号が他のプログラムに使われています。--port で別の番号を指定するか、先に起動した station を終了してください。"},
    Entry{ErrorCode::kSessionExpired, "SESSION_EXPIRED", 46, 401, "ログインしていないか、一定時間操作がなかったため画面をロックしました。もう一度ログインしてください。"},
    Entry{ErrorCode::kSyncUnreachable, "SYNC_UNREACHABLE", 60, 503, "本システムに接続できません。ネットワークと設定の [sync] url を確認してください。未送信の変更はこの端末に保管されており、接続が戻ると自動で送信されます。"},
    Entry{ErrorCode::kSyncAuth, "SYNC_AUTH", 61, 502, "本システムへのログインを拒否されました。設定の [sync] url のロール名・パスワード（passfile）・証明書を管理者に確認してください。未送信の変更は失われていません。"},
    Entry{ErrorCode::kSyncSchema, "SYNC_SCHEMA", 62, 502, "本システムのデータベースの版がこの端末と合いません。管理者が `station sync schema` の SQL（更新分）を psql で適用してから、もう一度実行してください。未送信の変更は失われていません。"},
    Entry{ErrorCode::kSyncProtocol, "SYNC_PROTOCOL", 63, 502, "本システムから想定外の応答がありました。接続先（[sync] url）が正しいか管理者に確認してください。未送信の変更は失われていません。"},
    Entry{ErrorCode::kInternal, "INTERNAL", 70, 500, "内部エラーが発生しました。画面の内容を控えて管理者に連絡してください。"},
};

const Entry& entry(ErrorCode code) {
  for (const auto& e : kTable)
    if (e.code == code) return e;
  return kTable.back();
}

}  // namespace

std::string_view error_name(ErrorCode code) { return entry(code).name; }
int exit_code(ErrorCode code) { return entry(code).exit; }
int http_status(ErrorCode code) { return entry(code).http; }
std::string_view message_ja(ErrorCode code) { return entry(code).ja; }

}  // namespace station
