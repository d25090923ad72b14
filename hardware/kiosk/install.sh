#!/usr/bin/env bash
# Turns a Debian 12 (bookworm) machine into the station: the station service, its daily backup,
# and the kiosk session (sway + fcitx5-mozc + Chromium in kiosk mode under managed policies) of
# the unprivileged user `kiosk`, auto-logged on tty1. See hardware/kiosk/README.md.
#
#   sudo bash hardware/kiosk/install.sh [--url URL] [--blank-minutes N] [--station-bin PATH] [--dry-run]
#
# Idempotent: run it again after an update or to change the URL; it installs only missing
# packages, creates the users only once and rewrites files only when their content differs.
# --dry-run prints what it would do and changes nothing (it needs no root).
# --print-policy / --print-env print the rendered policy file / session environment for --url
# and exit (tests/kiosk runs the session from them, so the test runs what is installed).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

URL=http://127.0.0.1:8080/
BLANK_MINUTES=10
STATION_BIN=""
DRY_RUN=""
PRINT=""

KIOSK_DIR=/usr/local/lib/station/kiosk
POLICY_DIR=/etc/chromium/policies/managed
UNIT_DIR=/etc/systemd/system

PACKAGES=(
  # the compositor, its idle daemon (screen blanking) and the seat/session glue
  sway swayidle dbus-user-session
  # Japanese input: fcitx5 with mozc (pulls mozc-server); Chromium reaches it through GTK's fcitx
  # module on Xwayland, where fcitx5 can draw the candidate list (sway.conf says why)
  fcitx5 fcitx5-mozc fcitx5-frontend-gtk3 xwayland
  # the browser, its Japanese UI (dialogs, form validation messages, print preview), Japanese fonts
  chromium chromium-l10n fonts-noto-cjk
  # kiosk-browser's "does the station answer yet" probe
  curl
)

usage() {
  sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

die() { echo "install.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --url) [ $# -ge 2 ] || die "--url needs a value"; URL=$2; shift 2 ;;
    --url=*) URL=${1#--url=}; shift ;;
    --blank-minutes) [ $# -ge 2 ] || die "--blank-minutes needs a value"; BLANK_MINUTES=$2; shift 2 ;;
    --station-bin) [ $# -ge 2 ] || die "--station-bin needs a value"; STATION_BIN=$2; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    --print-policy) PRINT=policy; shift ;;
    --print-env) PRINT=env; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

# The station's URL: http(s), a host name or address, an optional port; nothing else (it is
# written into the policy file and the session environment).
[[ "$URL" =~ ^(https?)://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(:[0-9]{1,5})?/?$ ]] ||
  die "--url must look like http://127.0.0.1:8080/ (scheme, host, optional port), not '$URL'"
ORIGIN=${URL%/}
URL=$ORIGIN/
[[ "$BLANK_MINUTES" =~ ^[1-9][0-9]{0,3}$ ]] || die "--blank-minutes must be a number of minutes, not '$BLANK_MINUTES'"

# The managed policy file: hardware/kiosk/station.json with the station's origin in URLAllowlist.
render_policy() {
  sed "s#\"http://127.0.0.1:8080\"#\"$ORIGIN\"#" "$here/station.json"
}

# The kiosk session's environment (station-kiosk.service's EnvironmentFile).
render_env() {
  cat <<EOF
# The station's kiosk session (hardware/kiosk/README.md). Written by hardware/kiosk/install.sh:
# run it again with --url / --blank-minutes to change these (the policy file follows the URL).
STATION_URL=$URL
STATION_KIOSK_DIR=$KIOSK_DIR
STATION_KIOSK_BLANK_MINUTES=$BLANK_MINUTES
LANGUAGE=ja
XDG_CURRENT_DESKTOP=sway
XDG_SESSION_TYPE=wayland
XMODIFIERS=@im=fcitx
GTK_IM_MODULE=fcitx
QT_IM_MODULE=fcitx
EOF
}

case "$PRINT" in
  policy) render_policy; exit 0 ;;
  env) render_env; exit 0 ;;
esac

if [ "$(id -u)" -ne 0 ] && [ -z "$DRY_RUN" ]; then
  cat >&2 <<'EOF'
install.sh: root is required (it installs packages, creates the users `station` and `kiosk`,
and writes systemd units and /etc files). Run: sudo bash hardware/kiosk/install.sh
(--dry-run shows what it would do without root.)
install.sh: 管理者（root）権限が必要です。sudo bash hardware/kiosk/install.sh で実行してください。
EOF
  exit 1
fi

say() { echo "install.sh: $*"; }
run() {
  if [ -n "$DRY_RUN" ]; then echo "would run: $*"; else "$@"; fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# put SRC DEST MODE [OWNER]: installs SRC as DEST when the content, mode or owner differs.
put() {
  local src=$1 dest=$2 mode=$3 owner=${4:-root:root}
  if [ -f "$dest" ] && cmp -s "$src" "$dest" &&
     [ "$(stat -c '%a %U:%G' "$dest")" = "${mode#0} $owner" ]; then
    return 0
  fi
  if [ -n "$DRY_RUN" ]; then
    echo "would install: $dest (mode $mode, $owner)"
  else
    install -D -m "$mode" -o "${owner%%:*}" -g "${owner##*:}" "$src" "$dest"
    say "installed $dest"
  fi
  CHANGED=1
}
CHANGED=""

# 1. Packages (only the missing ones).
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  run apt-get update -q
  run apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  say "packages present: ${PACKAGES[*]}"
fi

# 2. Users: `station` runs the service (data in its home), `kiosk` runs the session. Neither has
# a password or a login shell; `kiosk` is in no privileged group (logind hands it the seat).
for u in station kiosk; do
  if ! getent passwd "$u" >/dev/null; then
    run useradd --system --create-home --home-dir "/home/$u" --shell /usr/sbin/nologin --user-group "$u"
  fi
done

# 3. The station program (when given or built), its service, backup timer and environment file.
if [ -z "$STATION_BIN" ] && [ -x "$repo/build/release/bin/station" ]; then
  STATION_BIN=$repo/build/release/bin/station
fi
if [ -n "$STATION_BIN" ]; then
  [ -x "$STATION_BIN" ] || die "--station-bin '$STATION_BIN' is not an executable"
  put "$STATION_BIN" /usr/local/bin/station 0755
elif [ ! -x /usr/local/bin/station ]; then
  say "warning: no station program: build it (cmake --build --preset release) or pass --station-bin"
fi
put "$repo/hardware/systemd/station.service" "$UNIT_DIR/station.service" 0644
put "$repo/hardware/systemd/station-backup.service" "$UNIT_DIR/station-backup.service" 0644
put "$repo/hardware/systemd/station-backup.timer" "$UNIT_DIR/station-backup.timer" 0644
if [ ! -f /etc/station/station.env ]; then
  printf '%s\n' '# The key file on the removable medium (station keys add-keyfile); see hardware/README.md.' \
    'STATION_KEY_FILE=/media/station-key/station.key' > "$tmp/station.env"
  put "$tmp/station.env" /etc/station/station.env 0644
fi
if [ -z "$DRY_RUN" ] || getent passwd station >/dev/null; then
  run install -d -m 0700 -o station -g station /home/station/.local /home/station/.local/share \
    /home/station/.local/share/station
else
  echo "would run: install -d -m 0700 -o station -g station /home/station/.local/share/station"
fi

# 4. The kiosk session: helper scripts and sway configuration, environment, unit, logind drop-in.
put "$here/sway.conf" "$KIOSK_DIR/sway.conf" 0644
put "$here/kiosk-browser" "$KIOSK_DIR/kiosk-browser" 0755
put "$here/kiosk-idle" "$KIOSK_DIR/kiosk-idle" 0755
render_env > "$tmp/kiosk.env"
put "$tmp/kiosk.env" /etc/station/kiosk.env 0644
put "$here/station-kiosk.service" "$UNIT_DIR/station-kiosk.service" 0644
put "$here/logind-station-kiosk.conf" /etc/systemd/logind.conf.d/station-kiosk.conf 0644
if getent passwd kiosk >/dev/null; then
  # The folders too belong to the user: fcitx5 and mozc write their state below ~/.config.
  for d in /home/kiosk/.config /home/kiosk/.config/fcitx5; do
    [ "$(stat -c %U 2>/dev/null "$d")" = kiosk ] || run install -d -m 0755 -o kiosk -g kiosk "$d"
  done
  put "$here/fcitx5-profile" /home/kiosk/.config/fcitx5/profile 0644 kiosk:kiosk
else
  echo "would install: /home/kiosk/.config/fcitx5/profile (mode 0644, kiosk:kiosk)"
fi

# 5. Chromium's managed policies (only the station's URL, no devtools, no downloads, ...).
render_policy > "$tmp/station.json"
put "$tmp/station.json" "$POLICY_DIR/station.json" 0644

# 6. Enable: the service and the timer at boot, the kiosk on tty1 of the graphical target.
run systemctl daemon-reload
run systemctl enable station.service station-backup.timer station-kiosk.service
# tty1 belongs to the kiosk: no login prompt is started there at boot (station-kiosk.service also
# conflicts with it).
run systemctl disable getty@tty1.service
run systemctl set-default graphical.target

if [ -n "$DRY_RUN" ]; then
  say "dry run: nothing was changed"
elif [ -n "$CHANGED" ]; then
  say "done: reboot (or: systemctl restart systemd-logind && systemctl start station-kiosk) to start the kiosk on tty1"
else
  say "done: everything was already in place"
fi
