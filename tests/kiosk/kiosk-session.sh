#!/usr/bin/env bash
# Runs the kiosk session as installed — hardware/kiosk/sway.conf, which starts fcitx5, kiosk-idle
# and kiosk-browser — for tests/kiosk, isolated from the machine that runs the test:
#   - a private mount namespace in which /etc/chromium is ETC_CHROMIUM (a copy of the machine's with
#     policies/managed/station.json rendered by install.sh): Chromium reads managed policies only
#     from /etc/chromium/policies, and the machine's own browser and other tests must not see them;
#   - a PID namespace: when this process ends (or is killed), the kernel ends every process of the
#     session (sway, Chromium and its helpers, swayidle, fcitx5, mozc), so nothing outlives the test;
#   - a D-Bus session bus (dbus-run-session), as the real session has (dbus-user-session).
# sway (which refuses to) and Chromium do not run as root. As root (CI), the session runs as the
# throwaway user nobody (setpriv). As any other user, this script is root of a user namespace for
# the bind mount only, and the session runs as that user again in a nested user namespace.
#
#   kiosk-session.sh ETC_CHROMIUM SWAY_CONFIG
# The session's environment (XDG_RUNTIME_DIR, HOME, WLR_*, the kiosk.env variables) comes from the
# caller; XDG_RUNTIME_DIR and HOME must belong to the user the session runs as.
set -euo pipefail

if [ "${1:-}" != --inside ]; then
  [ $# -eq 2 ] || { echo "usage: kiosk-session.sh ETC_CHROMIUM SWAY_CONFIG" >&2; exit 2; }
  ns=(--mount --propagation private --pid --fork --mount-proc --kill-child)
  if [ "$(id -u)" -eq 0 ]; then
    exec unshare "${ns[@]}" -- "$0" --inside as-nobody "$@"
  fi
  exec unshare --user --map-root-user "${ns[@]}" -- "$0" --inside "in-userns:$(id -u):$(id -g)" "$@"
fi

mode=$2
etc_chromium=$3
sway_config=$4
mount --bind "$etc_chromium" /etc/chromium
run=(dbus-run-session -- sway --config "$sway_config")
case "$mode" in
  as-nobody) run=(setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups -- "${run[@]}") ;;
  # Back to the caller's own uid and gid in a nested user namespace (sway refuses to run as root).
  in-userns:*) IFS=: read -r _ uid gid <<< "$mode"
               run=(unshare --user --map-user="$uid" --map-group="$gid" -- "${run[@]}") ;;
esac
# This shell stays the namespace's first process (root, so unshare's --kill-child signal, which a
# change of user would clear, still reaches it): when it ends, the kernel ends the whole session.
"${run[@]}" &
wait $!
