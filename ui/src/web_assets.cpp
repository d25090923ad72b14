// Static files of the web UI as raw string literals. Served from 'self' so the
// Content-Security-Policy needs no 'unsafe-inline'.
#include "web_assets.h"

namespace ui::assets {

const std::string_view kStyleCss = R"CSS(
:root { --ink: #1a1a1a; --muted: #555; --line: #c8ccd2; --bg: #f4f5f7; --brand: #0b3d6e;
        --ok: #17663a; --ok-bg: #e3f4e9; --warn: #8a3b00; --warn-bg: #fff0d6; --err: #a3111e; --err-bg: #fde7e9; }
* { box-sizing: border-box; }
html { font-size: 20px; }
body { margin: 0; color: var(--ink); background: var(--bg); line-height: 1.6;
       font-family: "IPAPGothic", "IPAGothic", "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif; }
a { color: var(--brand); }
header.bar { display: flex; align-items: center; gap: 1rem; padding: .6rem 1.2rem; background: var(--brand); color: #fff; }
header.bar .title { font-size: 1.2rem; font-weight: bold; flex: 1; }
header.bar a { color: #fff; }
header.bar .who { font-size: .9rem; }
header.bar form { margin: 0; }
main { padding: 1.2rem; max-width: 1280px; margin: 0 auto; }
h1 { font-size: 1.5rem; margin: .2rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 1.4rem 0 .6rem; }
button, .button { font: inherit; font-size: 1.05rem; min-height: 52px; padding: .4rem 1.4rem; border-radius: 8px;
                  border: 2px solid var(--brand); background: var(--brand); color: #fff; cursor: pointer; text-decoration: none;
                  display: inline-flex; align-items: center; justify-content: center; }
button.secondary { background: #fff; color: var(--brand); }
button:focus-visible, input:focus-visible, a:focus-visible { outline: 4px solid #f5b400; outline-offset: 2px; }
input[type=text], input[type=password] { font: inherit; font-size: 1.15rem; padding: .45rem .6rem; min-height: 52px;
                  border: 2px solid var(--line); border-radius: 6px; width: 100%; background: #fff; }
table.list { width: 100%; border-collapse: collapse; background: #fff; }
table.list th, table.list td { border: 1px solid var(--line); padding: .55rem .7rem; text-align: left; }
table.list th { background: #e6e9ee; }
table.list td.num { text-align: right; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 1rem 1.2rem; margin-bottom: 1rem; }
.login { max-width: 520px; margin: 3rem auto; }
.login label { display: block; margin: .8rem 0 .3rem; font-weight: bold; }
.login button { width: 100%; margin-top: 1.2rem; }
.alert { border-radius: 8px; padding: .7rem 1rem; margin-bottom: 1rem; font-weight: bold; }
.alert.error { background: var(--err-bg); color: var(--err); border: 2px solid var(--err); }
.alert.info { background: #e8f0fb; color: var(--brand); border: 2px solid var(--brand); }
.alert.ok { background: var(--ok-bg); color: var(--ok); border: 2px solid var(--ok); }
.alert.warning { background: #fff6e0; color: #7a4b00; border: 2px solid #c98a00; }
.badge { display: inline-block; border-radius: 6px; padding: .05rem .6rem; font-size: .95rem; font-weight: bold; }
.badge.attention { background: var(--warn-bg); color: var(--warn); border: 2px solid var(--warn); }
.badge.confirmed { background: var(--ok-bg); color: var(--ok); border: 2px solid var(--ok); }
.meta { color: var(--muted); font-size: .9rem; }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; margin: 0; }
dl.summary dt { font-weight: bold; }
dl.summary dd { margin: 0; }
.pages { display: flex; flex-wrap: wrap; gap: .8rem; }
.pages a { display: block; text-align: center; text-decoration: none; background: #fff; border: 1px solid var(--line);
           border-radius: 8px; padding: .4rem; width: 200px; }
.pages img { width: 180px; height: auto; border: 1px solid var(--line); background: #fafafa; }
.field { display: grid; grid-template-columns: 15rem 1fr; gap: .6rem 1.2rem; }
.field.attention { border-left: 10px solid var(--warn); }
.field.confirmed { border-left: 10px solid var(--ok); }
.field .label { font-weight: bold; font-size: 1.1rem; }
.field .crop { grid-column: 1 / -1; }
.field .crop img { max-width: 100%; max-height: 220px; border: 1px solid var(--line); background: #fff; }
.field form.confirm { grid-column: 1 / -1; display: flex; gap: .8rem; align-items: center; }
.field form.confirm input { flex: 1; }
.field .status { grid-column: 1 / -1; display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
.field .export { grid-column: 1 / -1; }
.progress { font-size: 1.1rem; font-weight: bold; }
.recognition-state.pending { color: var(--warn); font-weight: bold; }
.secret { font-family: monospace; font-size: 1.4rem; background: #fff7d6; padding: .2rem .6rem; border-radius: 6px; }
)CSS";

const std::string_view kAppJs = R"JS(
// Idle lock: once the idle limit has passed since this page was served, leave it so that
// personal data is not left on an unattended screen (the server refuses the session as well).
(function () {
  'use strict';
  var minutes = parseInt(document.body.getAttribute('data-idle-minutes') || '0', 10);
  if (minutes > 0) {
    setTimeout(function () { window.location.href = '/login?locked=1'; }, minutes * 60000);
  }
  // After a confirmation the server sends us to #field-N (the next field): focus its input.
  if (window.location.hash.indexOf('#field-') === 0) {
    var target = document.getElementById(window.location.hash.substring(1));
    var input = target && target.querySelector('input[name=value]');
    if (input) { input.focus(); input.select(); }
  }
  // Envelopes the background recognition still has (their .recognition-state is data-pending="1"):
  // every second their progress from /api/recognition (「読取中 3/5 ページ」); once one has left
  // the queue, its final state from /api/envelopes/{id}/state — or, on the review page, one reload
  // to show the fields read.
  var watched = function () {
    return Array.prototype.slice.call(document.querySelectorAll('.recognition-state[data-pending="1"]'));
  };
  if (watched().length > 0) {
    var getJson = function (url) {
      return fetch(url, { credentials: 'same-origin', cache: 'no-store' }).then(function (r) {
        if (r.status === 401) { window.location.href = '/login?locked=1'; return null; }
        return r.ok ? r.json() : null;
      });
    };
    // Not among the pool's tasks any more: ask for the envelope's own state (it may still wait to
    // be taken up); once it is settled, show it — or serve the review page again.
    var check = function (el) {
      return getJson('/api/envelopes/' + encodeURIComponent(el.getAttribute('data-envelope-id')) + '/state')
        .then(function (e) {
          if (!e) { return; }
          if (!e.pending && el.getAttribute('data-reload-when-done') === '1') {
            window.location.reload();
            return new Promise(function () {});
          }
          el.textContent = e.text_ja;
          if (!e.pending) { el.setAttribute('data-pending', '0'); el.classList.remove('pending'); }
        });
    };
    var follow = function () {
      getJson('/api/recognition').then(function (status) {
        if (!status) { setTimeout(follow, 2000); return; }
        var tasks = {};
        status.tasks.forEach(function (t) { tasks[String(t.envelope_id)] = t; });
        var ends = [];
        watched().forEach(function (el) {
          var t = tasks[el.getAttribute('data-envelope-id')];
          if (t) { el.textContent = t.text_ja; } else { ends.push(check(el)); }
        });
        Promise.all(ends).catch(function () {}).then(function () {
          if (watched().length > 0) { setTimeout(follow, 1000); }
        });
      }).catch(function () { setTimeout(follow, 2000); });
    };
    setTimeout(follow, 1000);
  }
})();
)JS";

}  // namespace ui::assets
