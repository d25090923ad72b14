// The station's front-end: login, the work queue and the verification screen (docs/ui.md).
// Routing by the URL's hash (#/, #/envelopes/12) so that the server serves one shell at /app.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import * as api from './api';
import { Login } from './login';
import { EnvelopeList } from './envelopes';
import { VerifyScreen } from './verify';
import { AccountsScreen } from './accounts';
import { PasswordScreen } from './password';
import { ReviewScreen } from './review';
import { CorrectionsScreen } from './corrections';
import { IntakeScreen } from './intake';
import { SupervisorScreen } from './supervisor';
import { ExportScreen } from './export';
import { KeysScreen } from './keys';
import { GroupScreen } from './group';
import { EntriesScreen } from './entries';
import { ErrorScreen } from './error_page';
import './style.css';

type Route =
  | { name: 'list' }
  | { name: 'verify'; envelopeId: number }
  | { name: 'review'; envelopeId: number }
  | { name: 'corrections' }
  | { name: 'intake' }
  | { name: 'group' }
  | { name: 'entries'; decide: boolean }
  | { name: 'accounts' }
  | { name: 'password' }
  | { name: 'supervisor' }
  | { name: 'export' }
  | { name: 'keys' };

function parseRoute(hash: string): Route {
  const m = /^#\/envelopes\/(\d+)$/.exec(hash);
  if (m) return { name: 'verify', envelopeId: Number(m[1]) };
  const r = /^#\/envelopes\/(\d+)\/review$/.exec(hash);
  if (r) return { name: 'review', envelopeId: Number(r[1]) };
  if (hash === '#/corrections') return { name: 'corrections' };
  if (hash === '#/intake') return { name: 'intake' };
  if (hash === '#/group') return { name: 'group' };
  if (hash === '#/entries') return { name: 'entries', decide: false };
  if (hash === '#/entries/decide') return { name: 'entries', decide: true };
  if (hash === '#/accounts') return { name: 'accounts' };
  if (hash === '#/password') return { name: 'password' };
  if (hash === '#/supervisor') return { name: 'supervisor' };
  if (hash === '#/export') return { name: 'export' };
  if (hash === '#/keys') return { name: 'keys' };
  return { name: 'list' };
}

function App() {
  const [session, setSession] = useState<api.SessionInfo | null>(null);
  const [checked, setChecked] = useState(false);
  const [notice, setNotice] = useState('');
  const [route, setRoute] = useState<Route>(parseRoute(window.location.hash));

  useEffect(() => {
    api.whenSessionEnds(() => {
      setSession(null);
      setNotice('一定時間操作がなかったか、ログインが終了したため画面をロックしました。もう一度ログインしてください。');
    });
    api
      .session()
      .then((s) => setSession(s))
      .catch(() => setSession(null))
      .finally(() => setChecked(true));
    const onHash = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  // The idle lock: without activity for the idle limit, leave the screen (the server ends the
  // session as well) so that personal data is not left on an unattended screen.
  useEffect(() => {
    if (!session) return;
    let timer = 0;
    const arm = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        setSession(null);
        setNotice('一定時間操作がなかったため画面をロックしました。もう一度ログインしてください。');
      }, session.idle_minutes * 60000);
    };
    arm();
    const events = ['keydown', 'pointerdown'];
    events.forEach((e) => window.addEventListener(e, arm));
    return () => {
      window.clearTimeout(timer);
      events.forEach((e) => window.removeEventListener(e, arm));
    };
  }, [session]);

  if (!checked) return <p class="boot">読み込み中です…</p>;
  if (!session)
    return (
      <Login
        notice={notice}
        onLoggedIn={(s) => {
          setNotice('');
          setSession(s);
        }}
      />
    );

  const signOut = () => {
    api.logout().finally(() => {
      setSession(null);
      setNotice('ログアウトしました。');
    });
  };

  const canReview = session.user.role === 'reviewer' || session.user.role === 'supervisor';
  const canCapture = session.user.role === 'clerk' || session.user.role === 'supervisor';
  return (
    <div class="shell">
      <header class="bar">
        <a class="title" href="#/">申請書確認端末</a>
        <span class="who">
          {session.user.username}（{session.user.role_ja}）
        </span>
        {session.user.role === 'supervisor' && (
          <a class="button secondary small" href="#/supervisor" id="nav-supervisor">監督</a>
        )}
        {session.user.role === 'supervisor' && (
          <a class="button secondary small" href="#/export" id="nav-export">出力</a>
        )}
        {session.user.role === 'admin' && (
          <a class="button secondary small" href="#/accounts" id="nav-accounts">利用者の管理</a>
        )}
        {session.user.role === 'admin' && (
          <a class="button secondary small" href="#/keys" id="nav-keys">鍵と証明書</a>
        )}
        {session.user.role !== 'admin' && (
          <a class="button secondary small" href="#/intake" id="nav-intake">
            {canCapture ? '受付・読み取り' : '受付簿'}
          </a>
        )}
        {session.user.role !== 'admin' && (
          <a class="button secondary small" href="#/corrections" id="nav-corrections">補正依頼の一覧</a>
        )}
        {canReview && (
          <a class="button secondary small" href="#/group" id="nav-group">文字ごとの確認</a>
        )}
        {canReview && (
          <a class="button secondary small" href="#/entries" id="nav-entries">二重入力</a>
        )}
        <a class="button secondary small" href="#/password" id="nav-password">パスワードの変更</a>
        <button type="button" class="secondary small" onClick={signOut} id="logout">
          ログアウト
        </button>
      </header>
      {route.name === 'supervisor' && session.user.role === 'supervisor' ? (
        <SupervisorScreen />
      ) : route.name === 'export' && session.user.role === 'supervisor' ? (
        <ExportScreen />
      ) : route.name === 'keys' && session.user.role === 'admin' ? (
        <KeysScreen />
      ) : route.name === 'accounts' && session.user.role === 'admin' ? (
        <AccountsScreen me={session.user.username} />
      ) : route.name === 'password' ? (
        <PasswordScreen />
      ) : route.name === 'review' && canReview ? (
        <ReviewScreen envelopeId={route.envelopeId} key={route.envelopeId} />
      ) : route.name === 'intake' && session.user.role !== 'admin' ? (
        <IntakeScreen canCapture={canCapture} />
      ) : route.name === 'group' && canReview ? (
        <GroupScreen />
      ) : route.name === 'entries' && canReview ? (
        <EntriesScreen decide={route.decide} key={String(route.decide)} />
      ) : route.name === 'corrections' && session.user.role !== 'admin' ? (
        <CorrectionsScreen canReview={canReview} />
      ) : route.name === 'verify' ? (
        <VerifyScreen envelopeId={route.envelopeId} key={route.envelopeId} />
      ) : (
        <EnvelopeList />
      )}
    </div>
  );
}

// A static error page of the bundle (served with its HTTP status for a page that failed) carries
// the error's code and shows only its message (error_page.tsx).
const pageError = document.documentElement.dataset.error;
const root = document.getElementById('app');
if (root && pageError) {
  root.replaceChildren();  // the shell's 読み込み中 line goes (Preact would keep an unmatched child)
  render(<ErrorScreen code={pageError} />, root);
} else if (root) {
  render(<App />, root);
}
