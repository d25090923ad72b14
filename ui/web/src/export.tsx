// 「出力」: the daily export (issue #17). What waits and the prefecture's certificate it will be
// encrypted to; 出力する starts the station's export as a background job, whose stages are shown
// as they pass, with a bar of the applications written so far (「N / M 件」); at its end the set's name, size, applications and fingerprints, and the one
// download the kiosk allows: the encrypted set.
import { useEffect, useRef, useState } from 'preact/hooks';
import * as api from './api';
import * as sv from './supervisor_api';
import './supervisor.css';

const kStageNames: { key: string; label: string }[] = [
  { key: 'preparing', label: '出力する申請を数える' },
  { key: 'writing', label: 'PDF と一覧表を作り、署名して県の証明書で暗号化する' },
  { key: 'done', label: '終了' },
];

// The applications written into the set so far, as a bar and as 「N / M 件」 (the job's done and
// total, which the station reports per application).
function ApplicationsBar(props: { done: number; total: number }) {
  const total = Math.max(0, props.total);
  const done = Math.min(Math.max(0, props.done), total);
  const text = `${done} / ${total} 件`;
  const fill = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Through the CSSOM (the CSP allows no style attribute).
    if (fill.current) fill.current.style.width = `${total > 0 ? (100 * done) / total : 0}%`;
  }, [done, total]);
  return (
    <div class="applications-progress">
      <div id="export-progress" class="bar-track" role="progressbar" aria-label="出力した申請の件数"
           aria-valuemin={0} aria-valuemax={total} aria-valuenow={done} aria-valuetext={text}>
        <div class="bar-fill" ref={fill} />
      </div>
      <span id="export-progress-text" aria-hidden="true">{text}</span>
    </div>
  );
}

export function ExportScreen() {
  const [overview, setOverview] = useState<sv.ExportOverview | null>(null);
  const [job, setJob] = useState<sv.ExportJob | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const result = useRef<HTMLHeadingElement>(null);
  const timer = useRef(0);

  const load = () =>
    sv
      .exportOverview()
      .then((o) => {
        setOverview(o);
        if (o.last_job && !job) setJob(o.last_job);
        if (o.last_job && !o.last_job.finished) follow(o.last_job.id);
      })
      .catch((e) => setError((e as api.ApiError).messageJa));

  const follow = (id: number) => {
    window.clearTimeout(timer.current);
    const tick = () =>
      sv
        .exportJob(id)
        .then((j) => {
          setJob(j);
          if (!j.finished) timer.current = window.setTimeout(tick, 400);
          else {
            setBusy(false);
            sv.exportOverview().then(setOverview).catch(() => {});
          }
        })
        .catch((e) => {
          setBusy(false);
          setError((e as api.ApiError).messageJa);
        });
    tick();
  };

  useEffect(() => {
    document.title = '出力｜申請書確認端末';
    load();
    return () => window.clearTimeout(timer.current);
  }, []);
  useEffect(() => {
    if (job?.finished) result.current?.focus();
  }, [job?.finished]);

  const start = () => {
    setError('');
    setBusy(true);
    sv.startExport()
      .then((j) => {
        setJob(j);
        follow(j.id);
      })
      .catch((e) => {
        setBusy(false);
        setError((e as api.ApiError).messageJa);
      });
  };

  const stageIndex = job ? Math.max(0, kStageNames.findIndex((s) => s.key === job.stage)) : 0;
  const running = !!job && !job.finished;
  return (
    <main id="export-screen">
      <h1>出力（県への郵送分の送付ファイル）</h1>
      {error && <p class="alert error" role="alert" id="export-error">{error}</p>}
      {overview && (
        <section class="card" aria-labelledby="export-before-h">
          <h2 id="export-before-h">出力するもの</h2>
          <p id="export-waiting">出力を待つ受理済みの申請: {overview.waiting}件</p>
          {overview.recipient ? (
            <p id="export-recipient">
              暗号化先（県の証明書）: <span class="value">{overview.recipient.subject}</span>
              <br />
              指紋（SHA-256）: <code class="fingerprint">{overview.recipient.fingerprint}</code>
              <br />
              有効期限: {overview.recipient.not_after}
            </p>
          ) : (
            <p class="alert error" id="export-no-recipient">
              県の暗号化用証明書が設定されていません。管理者に「鍵と証明書」の画面で設定を依頼してください。
            </p>
          )}
          <button type="button" id="export-start" onClick={start}
                  disabled={busy || running || overview.waiting === 0 || !overview.recipient}>
            本日分を出力する（{overview.waiting}件）
          </button>
        </section>
      )}
      {job && (
        <section class="card" aria-labelledby="export-progress-h">
          <h2 id="export-progress-h">進み具合</h2>
          <ApplicationsBar done={job.done} total={job.total} />
          <ol class="stages" id="export-stages">
            {kStageNames.map((s, i) => (
              <li key={s.key} class={i < stageIndex || job.stage === 'done' ? 'passed' : i === stageIndex && running ? 'current' : ''}
                  aria-current={i === stageIndex && running ? 'step' : undefined}>
                {s.label}
                {(i < stageIndex || job.stage === 'done') && '（済）'}
                {i === stageIndex && running && '（実行中）'}
              </li>
            ))}
          </ol>
          <p role="status" id="export-status">
            {job.stage_ja}。申請 {job.done} / {job.total}件
          </p>
          {job.stage === 'failed' && job.error && (
            <p class="alert error" role="alert" id="export-failed">
              {[job.error.message_ja, job.error.reason_ja].filter((s) => !!s).join(' ')}
            </p>
          )}
          {job.result && (
            <div id="export-result">
              <h3 tabIndex={-1} ref={result}>出力したファイル</h3>
              <dl class="facts">
                <dt>ファイル名</dt>
                <dd id="export-file-name" class="value">{job.result.file_name}</dd>
                <dt>大きさ</dt>
                <dd id="export-file-size">{sv.size(job.result.bytes)}</dd>
                <dt>ファイルナンバー</dt>
                <dd>{job.result.file_no}</dd>
                <dt>申請の件数</dt>
                <dd id="export-applications">{job.result.applications}件</dd>
                <dt>暗号化先の証明書の指紋</dt>
                <dd><code class="fingerprint">{job.result.recipient_fingerprint}</code></dd>
                <dt>署名した端末の証明書の指紋</dt>
                <dd><code class="fingerprint">{job.result.station_fingerprint}</code></dd>
                <dt>中身（{job.result.files.length}ファイル）</dt>
                <dd>
                  <ul class="files">
                    {job.result.files.map((f) => (
                      <li key={f} class="value">{f}</li>
                    ))}
                  </ul>
                </dd>
              </dl>
              {job.download_url && (
                <a class="button" href={job.download_url} download={job.result.file_name} id="export-download">
                  暗号化した送付ファイルを保存する
                </a>
              )}
            </div>
          )}
        </section>
      )}
    </main>
  );
}
