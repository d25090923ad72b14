// 「利用者の管理」: the administrator's account screen (issue #16). The list with each account's
// state, last login and failed attempts; adding an account; a password reset whose one-time
// password is shown once; disabling / re-enabling after a confirmation; a role change. Every
// action goes through /api/v1/accounts (the station checks the role and audits it).
import { useEffect, useRef, useState } from 'preact/hooks';
import * as api from './api';
import * as acc from './accounts_api';
import './accounts.css';

type Pending =
  | { kind: 'reset'; account: acc.Account }
  | { kind: 'disable'; account: acc.Account }
  | { kind: 'enable'; account: acc.Account }
  | { kind: 'role'; account: acc.Account };

function stateText(a: acc.Account): string {
  if (a.disabled) return '無効';
  if (a.state === 'locked') return `ロック中（${a.locked_until} まで）`;
  if (a.must_change_password) return '有効（仮パスワード：次のログインで変更）';
  return '有効';
}

function when(s: string): string {
  return s ? s.replace('T', ' ').replace(/\+09:00$/, '') : 'まだありません';
}

export function AccountsScreen(props: { me: string }) {
  const [list, setList] = useState<acc.Account[] | null>(null);
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const [pending, setPending] = useState<Pending | null>(null);
  const [issued, setIssued] = useState<{ username: string; password: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [newRole, setNewRole] = useState<acc.Role>('clerk');
  const [name, setName] = useState('');
  const [pw, setPw] = useState('');
  const [pw2, setPw2] = useState('');
  const [role, setRole] = useState<acc.Role>('clerk');
  const [formError, setFormError] = useState('');
  const panel = useRef<HTMLHeadingElement>(null);
  const issuedRef = useRef<HTMLHeadingElement>(null);

  const reload = () =>
    acc
      .accounts()
      .then((l) => setList(l))
      .catch((e) => setError((e as api.ApiError).messageJa));

  useEffect(() => {
    document.title = '利用者の管理｜申請書確認端末';
    reload();
  }, []);
  useEffect(() => {
    if (pending) panel.current?.focus();
  }, [pending]);
  useEffect(() => {
    if (issued) issuedRef.current?.focus();
  }, [issued]);

  const open = (p: Pending) => {
    setError('');
    setStatus('');
    setIssued(null);
    if (p.kind === 'role') setNewRole(p.account.role);
    setPending(p);
  };

  const run = async () => {
    if (!pending || busy) return;
    const who = pending.account.username;
    setBusy(true);
    setError('');
    try {
      if (pending.kind === 'reset') {
        const r = await acc.resetPassword(who);
        setIssued({ username: r.username, password: r.one_time_password });
        setStatus(`${who} のパスワードを再発行しました。`);
      } else if (pending.kind === 'disable') {
        await acc.disableAccount(who);
        setStatus(`${who} を無効にしました。この利用者はログインできません。`);
      } else if (pending.kind === 'enable') {
        await acc.enableAccount(who);
        setStatus(`${who} を有効に戻しました。`);
      } else {
        await acc.setRole(who, newRole);
        setStatus(`${who} の役割を変えました。`);
      }
      setPending(null);
      await reload();
    } catch (e) {
      setError((e as api.ApiError).messageJa);
    } finally {
      setBusy(false);
    }
  };

  const create = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setFormError('');
    setStatus('');
    if (pw !== pw2) {
      setFormError('最初のパスワードが2回の入力で一致しません。もう一度入力してください。');
      return;
    }
    setBusy(true);
    try {
      await acc.createAccount(name.trim(), pw, role);
      setStatus(`${name.trim()} を登録しました。最初のパスワードは本人に直接伝えてください。`);
      setName('');
      setPw('');
      setPw2('');
      await reload();
    } catch (err) {
      setFormError((err as api.ApiError).messageJa);
    } finally {
      setBusy(false);
    }
  };

  const title = (p: Pending) =>
    p.kind === 'reset'
      ? `${p.account.username} のパスワードを再発行しますか？`
      : p.kind === 'disable'
        ? `${p.account.username} を無効にしますか？`
        : p.kind === 'enable'
          ? `${p.account.username} を有効に戻しますか？`
          : `${p.account.username} の役割を変える`;

  return (
    <main id="accounts-screen">
      <h1>利用者の管理</h1>
      <p class="sr-status" role="status" id="accounts-status">
        {status}
      </p>
      {error && (
        <p class="alert error" role="alert" id="accounts-error">
          {error}
        </p>
      )}
      {issued && (
        <section class="card otp" aria-labelledby="otp-title" id="otp-panel">
          <h2 id="otp-title" tabIndex={-1} ref={issuedRef}>
            {issued.username} の仮パスワード
          </h2>
          <p class="otp-value" id="otp-value">
            {issued.password}
          </p>
          <p>
            この仮パスワードは<strong>この画面で一度だけ</strong>表示します。本人に<strong>直接会って</strong>
            渡してください（メールやメモの置き忘れは不可）。本人は次のログインで新しいパスワードに変更します。
          </p>
          <button type="button" onClick={() => setIssued(null)} id="otp-done">
            渡したので閉じる
          </button>
        </section>
      )}
      {pending && (
        <section class="card confirm" aria-labelledby="confirm-title" id="confirm-panel">
          <h2 id="confirm-title" tabIndex={-1} ref={panel}>
            {title(pending)}
          </h2>
          {pending.kind === 'reset' && (
            <p>今のパスワードは使えなくなり、ログイン中の画面も終了します。仮パスワードをこのあと一度だけ表示します。</p>
          )}
          {pending.kind === 'disable' && <p>無効にすると、この利用者はログインできなくなり、ログイン中の画面も終了します。</p>}
          {pending.kind === 'enable' && <p>有効に戻すと、今のパスワードでまたログインできるようになります。</p>}
          {pending.kind === 'role' && (
            <fieldset class="roles">
              <legend>新しい役割</legend>
              {acc.kRoles.map((r) => (
                <label key={r.value} class="choice">
                  <input type="radio" name="new-role" value={r.value} checked={newRole === r.value}
                         onChange={() => setNewRole(r.value)} />
                  {r.label}
                </label>
              ))}
            </fieldset>
          )}
          <div class="actions">
            <button type="button" id="confirm-run" disabled={busy} onClick={run}>
              {pending.kind === 'reset'
                ? '再発行する'
                : pending.kind === 'disable'
                  ? '無効にする'
                  : pending.kind === 'enable'
                    ? '有効に戻す'
                    : '役割を変える'}
            </button>
            <button type="button" class="secondary" id="confirm-cancel" onClick={() => setPending(null)}>
              やめる
            </button>
          </div>
        </section>
      )}
      {list === null && !error && <p>読み込み中です…</p>}
      {list !== null && (
        <table class="list" id="accounts-table">
          <caption>登録されている利用者と、その状態・最後のログイン・ログインの失敗回数</caption>
          <thead>
            <tr>
              <th scope="col">ユーザー名</th>
              <th scope="col">役割</th>
              <th scope="col">状態</th>
              <th scope="col">最後のログイン</th>
              <th scope="col">続けて失敗した回数</th>
              <th scope="col">操作</th>
            </tr>
          </thead>
          <tbody>
            {list.map((a) => (
              <tr key={a.username} data-user={a.username}>
                <th scope="row">{a.username}</th>
                <td>{a.role_ja}</td>
                <td class="state">{stateText(a)}</td>
                <td>{when(a.last_login_at)}</td>
                <td class="num">{a.failed_attempts}</td>
                <td>
                  <div class="actions">
                    {a.username === props.me ? (
                      <a href="#/password" class="button secondary small">自分のパスワードを変更</a>
                    ) : (
                      <button type="button" class="secondary small" onClick={() => open({ kind: 'reset', account: a })}
                              aria-label={`パスワードを再発行（${a.username}）`}>
                        パスワードを再発行
                      </button>
                    )}
                    {a.username !== props.me &&
                      (a.disabled ? (
                        <button type="button" class="secondary small" onClick={() => open({ kind: 'enable', account: a })}
                                aria-label={`有効に戻す（${a.username}）`}>
                          有効に戻す
                        </button>
                      ) : (
                        <button type="button" class="secondary small" onClick={() => open({ kind: 'disable', account: a })}
                                aria-label={`無効にする（${a.username}）`}>
                          無効にする
                        </button>
                      ))}
                    <button type="button" class="secondary small" onClick={() => open({ kind: 'role', account: a })}
                            aria-label={`役割を変える（${a.username}）`}>
                      役割を変える
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <section class="card new-account" aria-labelledby="new-title">
        <h2 id="new-title">利用者を登録する</h2>
        <p>一人に一つのユーザー名を登録してください（共用しないこと）。最初のパスワードは本人に直接伝えてください。</p>
        {formError && (
          <p class="alert error" role="alert" id="new-error">
            {formError}
          </p>
        )}
        <form onSubmit={create} class="form-grid">
          <label for="new-username">ユーザー名（半角英数字と - _ .）</label>
          <input id="new-username" type="text" autocomplete="off" value={name}
                 onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          <fieldset class="roles">
            <legend>役割</legend>
            {acc.kRoles.map((r) => (
              <label key={r.value} class="choice">
                <input type="radio" name="role" value={r.value} checked={role === r.value} onChange={() => setRole(r.value)} />
                {r.label}
              </label>
            ))}
          </fieldset>
          <label for="acct-password">最初のパスワード</label>
          <input id="acct-password" type="password" autocomplete="new-password" value={pw}
                 onInput={(e) => setPw((e.target as HTMLInputElement).value)} />
          <label for="acct-password2">最初のパスワード（確認のためもう一度）</label>
          <input id="acct-password2" type="password" autocomplete="new-password" value={pw2}
                 onInput={(e) => setPw2((e.target as HTMLInputElement).value)} />
          <button type="submit" id="new-submit" disabled={busy}>
            登録する
          </button>
        </form>
      </section>
    </main>
  );
}
