#!/usr/bin/env bash
# Installs every Debian 12 (bookworm) package the station needs to build, run and test.
# Idempotent: safe to run again; it installs only what is missing.
# Run as root (or with sudo available).
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# SQLCipher 4.6 is only in bookworm-backports (bookworm itself carries 3.4).
BACKPORTS=/etc/apt/sources.list.d/bookworm-backports.list
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deb http://deb.debian.org/debian bookworm-backports main" | $SUDO tee "$BACKPORTS" >/dev/null
  NEED_UPDATE=1
fi

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config ccache git clang-format
  # scanner
  libsane-dev sane-utils libsane1
  # ocr + image processing
  libopencv-dev libtesseract-dev libleptonica-dev tesseract-ocr tesseract-ocr-jpn tesseract-ocr-eng
  libtiff-dev libpoppler-cpp-dev libzbar-dev
  # ocr: how plausible a reading is as Japanese (MeCab with the IPADIC dictionary; its sources,
  # mecab-ipadic, give the person names' spellings by reading)
  libmecab-dev mecab-ipadic-utf8 mecab-ipadic
  # storage
  libsodium-dev
  # station: exports, text, json, cli, config
  libhpdf-dev libxlsxwriter-dev libzip-dev libicu-dev nlohmann-json3-dev libcli11-dev libtomlplusplus-dev
  # station recognition: the top-level domains an e-mail address may end with (Public Suffix List)
  publicsuffix
  # station outputs: the daily set as CMS (OpenSSL 3's libcrypto)
  libssl-dev
  # station outputs: the sRGB ICC profile of the PDF/A-2b output intent (/usr/share/color/icc/sRGB.icc)
  icc-profiles-free
  fonts-ipafont-gothic fonts-ipafont-mincho
  # main system
  libpq-dev postgresql
  # ui
  libcpp-httplib-dev
  # ui: TLS for the web UI off loopback (certificates are made and inspected with the openssl CLI)
  openssl libssl-dev
  # tests: the envelope generator (tests/generator) renders in many Japanese fonts, some handwriting-like
  fonts-noto-cjk fonts-ipaexfont-gothic fonts-ipaexfont-mincho fonts-takao-gothic fonts-takao-mincho fonts-vlgothic
  fonts-horai-umefont fonts-konatu fonts-kouzan-mouhitsu
  # tests
  libgtest-dev libgmock-dev libbenchmark-dev chromium nodejs poppler-utils
  # tests: the prefecture's tools on a set (openssl cms, openpyxl, qpdf --check)
  openssl python3-openpyxl qpdf
  # tests/fuzz: libFuzzer's runtime (libclang_rt.fuzzer) for the `fuzz` preset
  clang
  # tests/kiosk: the kiosk session of hardware/kiosk under a headless sway (its compositor, idle
  # daemon, input method, session bus and readiness probe), grim for its screenshots and wtype to
  # type into it
  sway swayidle fcitx5 fcitx5-mozc fcitx5-frontend-gtk3 xwayland dbus-daemon curl grim wtype
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# SQLCipher must be the 4.x from backports.
sqlcipher_ver=$(dpkg-query -W -f='${Version}' libsqlcipher-dev 2>/dev/null || true)
case "$sqlcipher_ver" in 4.*) ;; *) NEED_SQLCIPHER=1 ;; esac

if [ ${#missing[@]} -gt 0 ] || [ -n "${NEED_SQLCIPHER:-}" ] || [ -n "${NEED_UPDATE:-}" ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  if [ ${#missing[@]} -gt 0 ]; then
    $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
  if [ -n "${NEED_SQLCIPHER:-}" ]; then
    $SUDO apt-get install -y -q --no-install-recommends -t bookworm-backports libsqlcipher-dev libsqlcipher1 sqlcipher
  fi
fi

# Browser driver for UI tests: playwright-core from npm, using Debian's chromium (no browser download).
here=$(cd "$(dirname "$0")/../.." && pwd)
if [ -f "$here/tests/ui/package.json" ] && { [ ! -d "$here/tests/ui/node_modules/playwright-core" ] || [ ! -d "$here/tests/ui/node_modules/axe-core" ]; }; then
  (cd "$here/tests/ui" && npm ci --no-audit --no-fund --loglevel=error 2>/dev/null || npm install --no-audit --no-fund --loglevel=error)
fi
# The front-end's build tools (typescript, esbuild, preact; ui/web/package-lock.json): the normal
# CMake build type-checks and bundles ui/web and embeds the bundle in the station binary.
if [ -f "$here/ui/web/package.json" ] && [ ! -x "$here/ui/web/node_modules/.bin/esbuild" ]; then
  (cd "$here/ui/web" && npm ci --no-audit --no-fund --loglevel=error)
fi

# The second Japanese OCR model: tessdata_best's jpn (integer-quantised), which Debian does not
# package (tesseract-ocr-jpn is tessdata_fast). npm carries it in @tesseract.js-data/jpn, pinned
# here and checked; its config is replaced by ocr/data/jpn_best.config (why: that file).
MODEL_DIR=/usr/local/share/station/tessdata
MODEL="$MODEL_DIR/jpn_best.traineddata"
MODEL_GZ_SHA256=2b63ebfbf1484de4a08ce53b29ef98a1c17658a93cbd38acb665d7d316d0be88
model_current() {
  [ -f "$MODEL" ] || return 1
  local t
  t=$(mktemp -d)
  combine_tessdata -e "$MODEL" "$t/jpn_best.config" >/dev/null 2>&1 || { rm -rf "$t"; return 1; }
  cmp -s "$t/jpn_best.config" "$here/ocr/data/jpn_best.config"
  local same=$?
  rm -rf "$t"
  return $same
}
if ! model_current; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent --loglevel=error @tesseract.js-data/jpn@1.0.0 >/dev/null)
  tar -xzf "$tmp/tesseract.js-data-jpn-1.0.0.tgz" -C "$tmp" package/4.0.0_best_int/jpn.traineddata.gz
  echo "$MODEL_GZ_SHA256  $tmp/package/4.0.0_best_int/jpn.traineddata.gz" | sha256sum -c --quiet
  gunzip -c "$tmp/package/4.0.0_best_int/jpn.traineddata.gz" > "$tmp/jpn_best.traineddata"
  cp "$here/ocr/data/jpn_best.config" "$tmp/jpn_best.config"
  combine_tessdata -o "$tmp/jpn_best.traineddata" "$tmp/jpn_best.config" >/dev/null 2>&1
  $SUDO install -D -m 0644 "$tmp/jpn_best.traineddata" "$MODEL"
  rm -rf "$tmp"
fi

# The Zengin bank and branch codes for 受付一覧表B: the zengin-code package's data (MIT; 1,146 banks,
# 28,944 branches), pinned and checked, reduced to "# zengin-code <version>" and
# "<bank>\t<branch>\t<name>\t<kana>" lines (branch empty for the bank itself). The station loads
# it into its store when the version changes (the next export, or `station zengin load`); it never
# fetches it while running.
ZENGIN=/usr/local/share/station/zengin.tsv
ZENGIN_VERSION=1.0.0-p20260824
ZENGIN_TGZ_SHA256=18bd7818bcada0971cc23b093ee66a1d89e779a30ebdc38a786d9a5e0a3d3b0c
if [ ! -f "$ZENGIN" ] || ! head -1 "$ZENGIN" | grep -qx "# zengin-code $ZENGIN_VERSION"; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent --loglevel=error "zengin-code@$ZENGIN_VERSION" >/dev/null)
  echo "$ZENGIN_TGZ_SHA256  $tmp/zengin-code-$ZENGIN_VERSION.tgz" | sha256sum -c --quiet
  tar -xzf "$tmp/zengin-code-$ZENGIN_VERSION.tgz" -C "$tmp" package/lib/zengin-data.js
  # The data file is one CommonJS object literal that is also valid JSON.
  sed -e '1s/^module.exports = //' -e '$s/;$//' "$tmp/package/lib/zengin-data.js" > "$tmp/zengin.json"
  python3 - "$tmp/zengin.json" "$ZENGIN_VERSION" > "$tmp/zengin.tsv" <<'PY'
import json, sys
data = json.load(open(sys.argv[1], encoding='utf-8'))
print('# zengin-code ' + sys.argv[2])
for code in sorted(data):
    bank = data[code]
    print(f"{code}\t\t{bank['name']}\t{bank['kana']}")
    for bcode in sorted(bank['branches']):
        br = bank['branches'][bcode]
        print(f"{code}\t{bcode}\t{br['name']}\t{br['kana']}")
PY
  [ "$(awk -F'\t' '$2 == ""' "$tmp/zengin.tsv" | wc -l)" -gt 1000 ] || { echo "install-deps: the Zengin table looks wrong" >&2; exit 1; }
  $SUDO install -D -m 0644 "$tmp/zengin.tsv" "$ZENGIN"
  rm -rf "$tmp"
fi

# Japanese public holidays for the correction deadlines (business days): the @holiday-jp/holiday_jp
# package's table (maintained; from 1970 to 2050), pinned and checked, reduced to
# "YYYY-MM-DD<TAB>name" lines the station reads ([review] holidays_file).
HOLIDAYS=/usr/local/share/station/holidays_jp.tsv
HOLIDAYS_VERSION=2.5.1
HOLIDAYS_TGZ_SHA256=c7ace937294b51b3880bee29db5b19812a5cb05461a6d56364a31345d4069b37
if [ ! -f "$HOLIDAYS" ] || ! grep -q "^# @holiday-jp/holiday_jp $HOLIDAYS_VERSION$" "$HOLIDAYS"; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent --loglevel=error "@holiday-jp/holiday_jp@$HOLIDAYS_VERSION" >/dev/null)
  echo "$HOLIDAYS_TGZ_SHA256  $tmp/holiday-jp-holiday_jp-$HOLIDAYS_VERSION.tgz" | sha256sum -c --quiet
  tar -xzf "$tmp/holiday-jp-holiday_jp-$HOLIDAYS_VERSION.tgz" -C "$tmp" package/lib/holidays.js
  {
    echo "# @holiday-jp/holiday_jp $HOLIDAYS_VERSION"
    awk -F'"' '/^ *date: "/ { d = $2 } /^ *name: "/ { print d "\t" $2 }' "$tmp/package/lib/holidays.js"
  } > "$tmp/holidays_jp.tsv"
  [ "$(grep -c $'\t' "$tmp/holidays_jp.tsv")" -gt 1000 ] || { echo "install-deps: the holiday table looks wrong" >&2; exit 1; }
  $SUDO install -D -m 0644 "$tmp/holidays_jp.tsv" "$HOLIDAYS"
  rm -rf "$tmp"
fi

echo "install-deps: all dependencies present (SQLCipher $(dpkg-query -W -f='${Version}' libsqlcipher-dev))"
