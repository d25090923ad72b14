// 「パスワードの変更」: everyone's own password (issue #16); the current password is required.
import { useEffect, useRef, useState } from 'preact/hooks';
import * as api from './api';
import * as acc from './accounts_api';

export function PasswordScreen() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [next2, setNext2] = useState('');
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);

  useEffect(() => {
    document.title = 'パスワードの変更｜申請書確認端末';
    first.current?.focus();
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setError('');
    setDone('');
    if (next !== next2) {
      setError('新しいパスワードが2回の入力で一致しません。もう一度入力してください。');
      return;
    }
    setBusy(true);
    try {
      await acc.changeOwnPassword(current, next);
      setDone('パスワードを変更しました。次のログインから新しいパスワードを使ってください。');
      setCurrent('');
      setNext('');
      setNext2('');
    } catch (err) {
      setError((err as api.ApiError).messageJa);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login" id="password-screen">
      <h1>パスワードの変更</h1>
      <p class="sr-status" role="status" id="password-done">
        {done}
      </p>
      {error && (
        <p class="alert error" role="alert" id="password-error">
          {error}
        </p>
      )}
      <form class="card" onSubmit={submit}>
        <label for="current-password">今のパスワード</label>
        <input id="current-password" type="password" autocomplete="current-password" value={current} ref={first}
               onInput={(e) => setCurrent((e.target as HTMLInputElement).value)} />
        <label for="own-new-password">新しいパスワード</label>
        <input id="own-new-password" type="password" autocomplete="new-password" value={next}
               onInput={(e) => setNext((e.target as HTMLInputElement).value)} />
        <label for="own-new-password2">新しいパスワード（確認のためもう一度）</label>
        <input id="own-new-password2" type="password" autocomplete="new-password" value={next2}
               onInput={(e) => setNext2((e.target as HTMLInputElement).value)} />
        <p>十分な長さがあり、ユーザー名を含まず、よく使われるものでないパスワードにしてください。</p>
        <button type="submit" id="password-submit" disabled={busy}>
          パスワードを変更する
        </button>
      </form>
    </main>
  );
}
