// The login screen (and the forced change of an administrator's one-time password).
import { useEffect, useRef, useState } from 'preact/hooks';
import * as api from './api';

export function Login(props: { notice: string; onLoggedIn: (s: api.SessionInfo) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [changing, setChanging] = useState(false);
  const [next, setNext] = useState('');
  const [next2, setNext2] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);

  useEffect(() => {
    document.title = 'ログイン｜申請書確認端末';
    first.current?.focus();
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setError('');
    if (changing && next !== next2) {
      setError('新しいパスワードが2回の入力で一致しません。もう一度入力してください。');
      return;
    }
    setBusy(true);
    try {
      props.onLoggedIn(await api.login(username, password, changing ? next : undefined));
    } catch (err) {
      const a = err as api.ApiError;
      if (a.code === 'PASSWORD_CHANGE_REQUIRED') {
        setChanging(true);
        setError('仮パスワードでログインしました。新しいパスワードを決めて、2回入力してください。');
      } else {
        setError(a.messageJa || 'ログインできませんでした。');
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login" id="login-screen">
      <h1>申請書確認端末 ログイン</h1>
      {props.notice && (
        <p class="alert info" role="status">
          {props.notice}
        </p>
      )}
      {error && (
        <p class="alert error" role="alert" id="login-error">
          {error}
        </p>
      )}
      <form class="card" onSubmit={submit}>
        <label for="username">ユーザー名</label>
        <input id="username" type="text" autocomplete="username" value={username} ref={first}
               onInput={(e) => setUsername((e.target as HTMLInputElement).value)} />
        <label for="password">{changing ? '仮パスワード' : 'パスワード'}</label>
        <input id="password" type="password" autocomplete="current-password" value={password}
               onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        {changing && (
          <>
            <label for="new-password">新しいパスワード</label>
            <input id="new-password" type="password" autocomplete="new-password" value={next}
                   onInput={(e) => setNext((e.target as HTMLInputElement).value)} />
            <label for="new-password2">新しいパスワード（確認のためもう一度）</label>
            <input id="new-password2" type="password" autocomplete="new-password" value={next2}
                   onInput={(e) => setNext2((e.target as HTMLInputElement).value)} />
          </>
        )}
        <button type="submit" id="login-submit" disabled={busy}>
          {changing ? 'パスワードを変更してログイン' : 'ログイン'}
        </button>
      </form>
    </main>
  );
}
