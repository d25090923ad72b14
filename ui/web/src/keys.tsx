// 「鍵と証明書」: the administrator's keys screen (issue #17). The prefecture's certificate the
// daily sets are encrypted to (shown, and replaced from an uploaded PEM), the station's own
// signing certificate, the audit chain (its signed head; verify it now), whether a key file is
// registered, the passphrase change (the secrets typed here go to the station only, never to a
// log), and the terminal commands for what a browser must not do (the master-key rotation, key
// files on removable media).
import { useEffect, useState } from 'preact/hooks';
import * as api from './api';
import * as sv from './supervisor_api';
import './supervisor.css';

function CertificateCard(props: { title: string; id: string; cert: sv.Certificate | null; none: string }) {
  return (
    <section class="card" aria-labelledby={`${props.id}-h`} id={props.id}>
      <h2 id={`${props.id}-h`}>{props.title}</h2>
      {props.cert ? (
        <dl class="facts">
          <dt>名義（subject）</dt>
          <dd class="value subject">{props.cert.subject}</dd>
          <dt>有効期限</dt>
          <dd>{props.cert.not_after}</dd>
          <dt>指紋（SHA-256）</dt>
          <dd><code class="fingerprint">{props.cert.fingerprint}</code></dd>
        </dl>
      ) : (
        <p class="alert error">{props.none}</p>
      )}
    </section>
  );
}

export function KeysScreen() {
  const [keys, setKeys] = useState<sv.KeysOverview | null>(null);
  const [error, setError] = useState('');
  const [certStatus, setCertStatus] = useState('');
  const [certError, setCertError] = useState('');
  const [verify, setVerify] = useState<sv.AuditVerify | null>(null);
  const [verifyError, setVerifyError] = useState('');
  const [busy, setBusy] = useState(false);
  const [cur, setCur] = useState('');
  const [next, setNext] = useState('');
  const [next2, setNext2] = useState('');
  const [passStatus, setPassStatus] = useState('');
  const [passError, setPassError] = useState('');

  const load = () =>
    sv
      .keys()
      .then((k) => {
        setKeys(k);
        setError('');
      })
      .catch((e) => setError((e as api.ApiError).messageJa));
  useEffect(() => {
    document.title = '鍵と証明書｜申請書確認端末';
    load();
  }, []);

  const upload = (e: Event) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setCertStatus('');
    setCertError('');
    if (file.size > 512 * 1024) {
      setCertError('ファイルが大きすぎます。県から届いた証明書（PEM 形式）を選んでください。');
      return;
    }
    setBusy(true);
    file
      .text()
      .then((pem) => sv.setRecipient(pem))
      .then((c) => {
        setCertStatus(`県の証明書を設定しました（指紋 ${c.fingerprint}）。`);
        return load();
      })
      .catch((err) => setCertError((err as api.ApiError).messageJa ?? String(err)))
      .finally(() => {
        setBusy(false);
        input.value = '';
      });
  };

  const runVerify = () => {
    setBusy(true);
    setVerifyError('');
    sv.verifyAudit()
      .then((v) => setVerify(v))
      .catch((e) => setVerifyError((e as api.ApiError).messageJa))
      .finally(() => setBusy(false));
  };

  const changePass = (e: Event) => {
    e.preventDefault();
    setPassStatus('');
    setPassError('');
    if (!cur || !next) {
      setPassError('今のパスフレーズと新しいパスフレーズを入力してください。');
      return;
    }
    if (next !== next2) {
      setPassError('新しいパスフレーズが2回の入力で一致しません。もう一度入力してください。');
      return;
    }
    setBusy(true);
    sv.changePassphrase(cur, next)
      .then(() => {
        setPassStatus('パスフレーズを変更しました。次に端末を起動するときから新しいパスフレーズを使います。');
        setCur('');
        setNext('');
        setNext2('');
      })
      .catch((err) => setPassError((err as api.ApiError).messageJa))
      .finally(() => setBusy(false));
  };

  const head = keys?.audit_head as { last_id?: number; hash?: string; at?: string } | null;
  return (
    <main id="keys-screen">
      <h1>鍵と証明書</h1>
      {error && <p class="alert error" role="alert">{error}</p>}
      {keys && (
        <div class="dash-grid">
          <CertificateCard title="県の暗号化用証明書（送付ファイルの暗号化先）" id="recipient-card" cert={keys.recipient}
                           none="まだ設定されていません。県から届いた証明書を下から設定してください。" />
          <section class="card" aria-labelledby="upload-h">
            <h2 id="upload-h">県の証明書を設定する</h2>
            <p>県から届いた証明書のファイル（PEM 形式）を選ぶと、すぐに設定します。以後の出力はこの証明書あてに暗号化されます。</p>
            <label class="field-label" for="recipient-file">証明書のファイル</label>
            <input type="file" id="recipient-file" accept=".pem,.crt,.cer,application/x-pem-file" onChange={upload} disabled={busy} />
            {certStatus && <p role="status" class="alert info" id="recipient-status">{certStatus}</p>}
            {certError && <p role="alert" class="alert error" id="recipient-error">{certError}</p>}
          </section>
          <CertificateCard title="この端末の署名用証明書（県での検証用）" id="station-card" cert={keys.station_certificate}
                           none="署名用証明書を読めませんでした。" />
          <section class="card" aria-labelledby="audit-h">
            <h2 id="audit-h">監査ログ</h2>
            <p id="audit-head">
              署名済みの最新の記録: {head && typeof head.last_id === 'number' ? `${head.last_id}番` : '読めませんでした'}
            </p>
            <button type="button" id="audit-verify" onClick={runVerify} disabled={busy}>
              監査ログを検証する
            </button>
            {verify && (
              <p role="status" id="audit-result" class={verify.ok ? 'alert info' : 'alert error'}>
                {verify.ok
                  ? `改ざんは見つかりませんでした（記録 ${verify.entries}件、署名済みの区切り ${verify.checkpoints}件）。`
                  : `問題が見つかりました（${verify.problems.length}件）。すぐに責任者に知らせ、端末の操作を止めてください。`}
              </p>
            )}
            {verifyError && <p role="alert" class="alert error">{verifyError}</p>}
          </section>
          <section class="card" aria-labelledby="keyfile-h">
            <h2 id="keyfile-h">鍵ファイル</h2>
            <p id="keyfile-status">
              {keys.key_file_registered
                ? '鍵ファイル（USB メモリ）が登録されています。パスフレーズの代わりに保管庫を開けます。'
                : '鍵ファイルは登録されていません。保管庫はパスフレーズで開きます。'}
            </p>
          </section>
          <section class="card" aria-labelledby="pass-h">
            <h2 id="pass-h">保管庫のパスフレーズの変更</h2>
            <form onSubmit={changePass} id="passphrase-form">
              <label class="field-label" for="pass-current">今のパスフレーズ</label>
              <input type="password" id="pass-current" autocomplete="off" value={cur}
                     onInput={(e) => setCur((e.target as HTMLInputElement).value)} />
              <label class="field-label" for="pass-new">新しいパスフレーズ</label>
              <input type="password" id="pass-new" autocomplete="off" value={next}
                     onInput={(e) => setNext((e.target as HTMLInputElement).value)} />
              <label class="field-label" for="pass-new2">新しいパスフレーズ（もう一度）</label>
              <input type="password" id="pass-new2" autocomplete="off" value={next2}
                     onInput={(e) => setNext2((e.target as HTMLInputElement).value)} />
              <button type="submit" disabled={busy} id="pass-submit">パスフレーズを変更する</button>
            </form>
            {passStatus && <p role="status" class="alert info">{passStatus}</p>}
            {passError && <p role="alert" class="alert error" id="pass-error">{passError}</p>}
          </section>
          <section class="card wide" aria-labelledby="cli-h">
            <h2 id="cli-h">端末で実行する操作</h2>
            <p>次の操作は、ほかの人が端末を使っていないときに、端末のコマンドで実行してください（画面からはできません）。</p>
            <dl class="facts" id="key-commands">
              {keys.commands.map((c) => (
                <div class="fact" key={c.command}>
                  <dt>{c.what_ja}</dt>
                  <dd><kbd>{c.command}</kbd></dd>
                </div>
              ))}
            </dl>
          </section>
        </div>
      )}
    </main>
  );
}
