// The intake screen (issue #17, docs/ui.md): register an envelope and scan or import it with live
// progress and thumbnails as pages arrive, continue after a jam, confirm pages flagged blank, turn,
// reorder or move pages (buttons, and keys on a selected thumbnail), and the day's receipt log
// with its xlsx. Clerks and supervisors capture; every role but the administrator sees the log.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';
import * as intake from './intake_api';
import './intake.css';

function todayJst(): string {
  const d = new Date(Date.now() + 9 * 3600 * 1000);
  return d.toISOString().slice(0, 10);
}

// Today's date in Japan, kept current: a screen left open overnight moves to the new day at
// midnight (a receipt date or a log date the clerk picked stays as picked).
function useTodayJst(): string {
  const [today, setToday] = useState(todayJst());
  useEffect(() => {
    const msPerDay = 24 * 3600 * 1000;
    const untilMidnight = msPerDay - ((Date.now() + 9 * 3600 * 1000) % msPerDay) + 1000;
    const timer = window.setTimeout(() => setToday(todayJst()), untilMidnight);
    return () => window.clearTimeout(timer);
  }, [today]);
  return today;
}

function message(e: unknown): string {
  return e instanceof ApiError ? e.messageJa : '操作を完了できませんでした。もう一度操作してください。';
}

const kSources: { value: string; label: string }[] = [
  { value: '', label: 'スキャナーの設定どおり' },
  { value: 'adf', label: '自動給紙（片面）' },
  { value: 'adf-duplex', label: '自動給紙（両面）' },
  { value: 'flatbed', label: '原稿台' },
];

interface StartFormProps {
  busy: boolean;
  onStart: (r: intake.StartRequest) => void;
}

function StartForm({ busy, onStart }: StartFormProps) {
  const [kind, setKind] = useState<'scan' | 'import'>('scan');
  const today = useTodayJst();
  const [picked, setPicked] = useState<string | null>(null);
  const date = picked ?? today;
  const [enclosures, setEnclosures] = useState('0');
  const [device, setDevice] = useState('');
  const [source, setSource] = useState('');
  const [separate, setSeparate] = useState(false);
  const [folder, setFolder] = useState('');
  const [scanners, setScanners] = useState<intake.Scanner[]>([]);
  const [note, setNote] = useState('');
  const [error, setError] = useState('');

  useEffect(() => {
    intake
      .scanners()
      .then((r) => {
        setScanners(r.scanners);
        setNote(r.note_ja);
      })
      .catch((e) => setNote(message(e)));
  }, []);

  const submit = (ev: Event) => {
    ev.preventDefault();
    const n = Number(enclosures);
    if (!/^\d{1,3}$/.test(enclosures) || n < 0) {
      setError('同封書類数は 0 から 999 までの数で入力してください。');
      return;
    }
    if (kind === 'import' && folder.trim() === '') {
      setError('取り込むフォルダーの場所を入力してください。');
      return;
    }
    setError('');
    onStart({ kind, received_date: picked ?? todayJst(), enclosures: n, device, source, separate, folder: folder.trim() });
  };

  return (
    <form class="card intake-form" id="intake-form" onSubmit={submit} aria-labelledby="intake-form-title">
      <h2 id="intake-form-title">封筒の受付と読み取り</h2>
      {error && (
        <p class="alert error" role="alert">
          {error}
        </p>
      )}
      <div class="intake-row">
        <label>
          受付日
          <input type="date" id="received-date" value={date} required
                 onInput={(e) => setPicked((e.target as HTMLInputElement).value || null)} />
        </label>
        <label>
          同封書類数
          <input type="number" id="enclosures" min={0} max={999} value={enclosures}
                 onInput={(e) => setEnclosures((e.target as HTMLInputElement).value)} />
        </label>
      </div>
      <fieldset>
        <legend>読み取り方法</legend>
        <label class="choice">
          <input type="radio" name="kind" id="kind-scan" checked={kind === 'scan'} onChange={() => setKind('scan')} />
          スキャナーで読み取る
        </label>
        <label class="choice">
          <input type="radio" name="kind" id="kind-import" checked={kind === 'import'} onChange={() => setKind('import')} />
          この端末のフォルダーから取り込む
        </label>
      </fieldset>
      {kind === 'scan' ? (
        <fieldset>
          <legend>スキャナー</legend>
          {note && <p class="alert info">{note}</p>}
          <label>
            スキャナー
            <select id="device" value={device} onChange={(e) => setDevice((e.target as HTMLSelectElement).value)}>
              <option value="">設定のスキャナー（なければ最初の1台）</option>
              {scanners.map((d) => (
                <option value={d.name} key={d.name}>
                  {d.vendor} {d.model}（{d.name}）
                </option>
              ))}
            </select>
          </label>
          <label>
            給紙
            <select id="source" value={source} onChange={(e) => setSource((e.target as HTMLSelectElement).value)}>
              {kSources.map((s) => (
                <option value={s.value} key={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
          <label class="choice">
            <input type="checkbox" id="separate" checked={separate} onChange={(e) => setSeparate((e.target as HTMLInputElement).checked)} />
            区切り用紙ごとに別の封筒として受け付ける
          </label>
        </fieldset>
      ) : (
        <fieldset>
          <legend>フォルダーから取り込む</legend>
          <label>
            フォルダー
            <input type="text" id="folder" value={folder} autocomplete="off"
                   onInput={(e) => setFolder((e.target as HTMLInputElement).value)} />
          </label>
          <p class="meta">JPEG・PNG・TIFF・PDF のページ画像が入ったフォルダー1つが封筒1通です。</p>
        </fieldset>
      )}
      <button type="submit" id="intake-start" disabled={busy}>
        開始
      </button>
    </form>
  );
}

interface PagesProps {
  envelope: intake.IntakeEnvelope;
  live: boolean;
  onChanged: () => void;
}

// One envelope's pages as thumbnails. A thumbnail is selected by click or focus; on it, ← → choose
// another, Shift+← Shift+→ move the page earlier or later, R turns it right, L left.
function EnvelopePages({ envelope, live, onChanged }: PagesProps) {
  const [selected, setSelected] = useState<number | null>(null);
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const [target, setTarget] = useState('');
  const [pending, setPending] = useState(false);
  const refs = useRef<Map<number, HTMLButtonElement>>(new Map());
  const pages = envelope.page_list;
  const editable = envelope.changeable && !live;
  const index = pages.findIndex((p) => p.id === selected);
  const current = index >= 0 ? pages[index] : null;

  const focusPage = (id: number) => {
    setSelected(id);
    window.setTimeout(() => refs.current.get(id)?.focus(), 0);
  };

  const run = async (what: () => Promise<unknown>, done: string, focusId?: number) => {
    setPending(true);
    setError('');
    try {
      await what();
      setStatus(done);
      onChanged();
      if (focusId !== undefined) focusPage(focusId);
    } catch (e) {
      setError(message(e));
    } finally {
      setPending(false);
    }
  };

  const rotate = (p: intake.IntakePage, degrees: 90 | 270) =>
    run(() => intake.rotate(p.id, degrees), `${p.seq}ページ目を${degrees === 90 ? '右' : '左'}に回転しました。`, p.id);

  const shift = (p: intake.IntakePage, by: -1 | 1) => {
    const i = pages.findIndex((x) => x.id === p.id);
    const j = i + by;
    if (i < 0 || j < 0 || j >= pages.length) return;
    const ids = pages.map((x) => x.id);
    [ids[i], ids[j]] = [ids[j], ids[i]];
    return run(() => intake.reorder(envelope.id, ids), `${p.seq}ページ目を${j + 1}番目に移しました。`, p.id);
  };

  const blank = (p: intake.IntakePage, isBlank: boolean) =>
    run(() => intake.confirmBlank(p.id, isBlank), isBlank ? `${p.seq}ページ目を白紙として確認しました。` : `${p.seq}ページ目は白紙ではないとしました。`, p.id);

  const moveTo = (p: intake.IntakePage) => {
    if (target.trim() === '') {
      setError('移動先の受付番号を入力してください。');
      return;
    }
    return run(() => intake.move(p.id, target.trim()), `${p.seq}ページ目を受付番号 ${target.trim()} の封筒へ移しました。`);
  };

  const onKey = (ev: KeyboardEvent, p: intake.IntakePage) => {
    const i = pages.findIndex((x) => x.id === p.id);
    if (ev.key === 'ArrowRight' || ev.key === 'ArrowLeft') {
      ev.preventDefault();
      const by = ev.key === 'ArrowRight' ? 1 : -1;
      if (ev.shiftKey) {
        if (editable && !pending) void shift(p, by);
      } else if (pages[i + by]) {
        focusPage(pages[i + by].id);
      }
    } else if ((ev.key === 'r' || ev.key === 'R') && editable && !pending) {
      ev.preventDefault();
      void rotate(p, 90);
    } else if ((ev.key === 'l' || ev.key === 'L') && editable && !pending) {
      ev.preventDefault();
      void rotate(p, 270);
    }
  };

  return (
    <section class="card intake-envelope" aria-labelledby={`env-${envelope.id}-title`} data-envelope-id={envelope.id}>
      <h3 id={`env-${envelope.id}-title`}>
        受付番号 {envelope.receipt_no}（{envelope.page_list.length} ページ・{envelope.state_ja}）
      </h3>
      {(envelope.problems_ja ?? []).map((t) => (
        <p class="alert info" key={t}>
          {t}
        </p>
      ))}
      {envelope.blank_pages > 0 && (
        <p class="alert info">白紙の可能性があるページが {envelope.blank_pages} ページあります。画像を見て「白紙」か「白紙ではない」を選んでください。</p>
      )}
      {!envelope.changeable && !live && (
        <p class="meta">
          {envelope.state === 'captured' || envelope.state === 'recognizing'
            ? '文字認識が終わるまで、ページの回転・並べ替え・移動はできません（終わると自動で操作できるようになります）。'
            : 'この封筒は取り込み中か、内容の確認が始まっているため、ページの回転・並べ替え・移動はできません。'}
        </p>
      )}
      {editable && (
        <p class="meta" id={`env-${envelope.id}-keys`}>
          ページを選んで、← → で選択を移し、Shift＋← Shift＋→ で順番を入れ替え、R で右に、L で左に回転します。
        </p>
      )}
      {error && (
        <p class="alert error" role="alert">
          {error}
        </p>
      )}
      <p class="visually-hidden" role="status" aria-live="polite">
        {status}
      </p>
      <ol class="thumbs">
        {pages.map((p) => (
          <li key={p.id} class={`thumb${p.id === selected ? ' selected' : ''}${p.blank ? ' blank' : ''}`}>
            <button
              type="button"
              class="thumb-button"
              id={`page-${p.id}`}
              ref={(el) => {
                if (el) refs.current.set(p.id, el);
                else refs.current.delete(p.id);
              }}
              aria-pressed={p.id === selected}
              aria-describedby={editable ? `env-${envelope.id}-keys` : undefined}
              onClick={() => setSelected(p.id)}
              onFocus={() => setSelected(p.id)}
              onKeyDown={(ev) => onKey(ev, p)}
            >
              <img src={p.thumbnail_url} alt="" loading="lazy" />
              <span class="thumb-caption">
                {p.seq}ページ目 {p.kind_ja}
              </span>
              {p.flags.map((f) => (
                <span class={`badge ${f.code === 'blank' ? 'attention' : ''}`} key={f.code}>
                  {f.text_ja}
                </span>
              ))}
            </button>
            {p.blank && !live && (
              <span class="blank-actions">
                <button type="button" class="small confirm-blank" disabled={pending} onClick={() => blank(p, true)}>
                  白紙<span class="visually-hidden">（{p.seq}ページ目）</span>
                </button>
                <button type="button" class="small secondary not-blank" disabled={pending} onClick={() => blank(p, false)}>
                  白紙ではない<span class="visually-hidden">（{p.seq}ページ目）</span>
                </button>
              </span>
            )}
          </li>
        ))}
      </ol>
      {current && editable && (
        <div class="page-tools" role="group" aria-label={`${current.seq}ページ目の操作`}>
          <button type="button" class="small secondary" id="page-earlier" disabled={pending || index === 0} onClick={() => shift(current, -1)}>
            前へ
          </button>
          <button type="button" class="small secondary" id="page-later" disabled={pending || index === pages.length - 1}
                  onClick={() => shift(current, 1)}>
            後ろへ
          </button>
          <button type="button" class="small secondary" id="page-rotate-left" disabled={pending} onClick={() => rotate(current, 270)}>
            左に回転
          </button>
          <button type="button" class="small secondary" id="page-rotate-right" disabled={pending} onClick={() => rotate(current, 90)}>
            右に回転
          </button>
          <label>
            移動先の受付番号
            <input type="text" id="move-target" value={target} autocomplete="off"
                   onInput={(e) => setTarget((e.target as HTMLInputElement).value)} />
          </label>
          <button type="button" class="small secondary" id="page-move" disabled={pending} onClick={() => moveTo(current)}>
            別の封筒へ移動
          </button>
        </div>
      )}
    </section>
  );
}

function JobPanel({ job, onContinue, onChanged }: { job: intake.Job; onContinue: () => void; onChanged: () => void }) {
  const running = job.state === 'running';
  return (
    <section class="card intake-job" id="intake-job" aria-labelledby="intake-job-title" data-state={job.state} data-kind={job.kind}>
      <h2 id="intake-job-title">
        {job.kind === 'scan' ? 'スキャン' : '取り込み'}（<span id="job-state">{job.state_ja}</span>）
      </h2>
      <dl class="summary" aria-live="polite">
        <dt>ページ数</dt>
        <dd>
          <span id="job-pages">{job.pages}</span> ページ
        </dd>
        <dt>速さ</dt>
        <dd>毎分 {job.pages_per_minute} ページ</dd>
        <dt>封筒</dt>
        <dd>{job.envelope_count} 通</dd>
        {!running && (
          <>
            <dt>白紙の可能性</dt>
            <dd id="job-blank">{job.blank_pages} ページ</dd>
          </>
        )}
      </dl>
      {running && <p class="meta">表示は自動で更新されます。ページは読み取った順に下に並びます。</p>}
      {job.state !== 'running' && job.problem_ja && (
        <p class={`alert ${job.state === 'done' ? 'info' : 'error'}`} role="alert" id="job-problem">
          {job.problem_ja}
        </p>
      )}
      {job.state === 'done' && !job.problem_ja && (
        <p class="alert info" id="job-done">
          {job.kind === 'scan' ? '読み取り' : '取り込み'}が終わりました。{job.pages} ページを保存しました。
        </p>
      )}
      {job.continue_envelope_id !== null && !running && (
        <div class="continue">
          <p>詰まった用紙を取り除き、まだ読み取られていない用紙をセットしてから押してください。同じ封筒の続きのページとして保存します。</p>
          <button type="button" id="continue-scan" onClick={onContinue}>
            続けてスキャン
          </button>
        </div>
      )}
      {job.envelopes.map((e) => (
        <EnvelopePages envelope={e} live={running} onChanged={onChanged} key={e.id} />
      ))}
    </section>
  );
}

function IntakeLog({ refresh, onOpen }: { refresh: number; onOpen: ((id: number) => void) | null }) {
  const today = useTodayJst();
  const [picked, setPicked] = useState<string | null>(null);
  const date = picked ?? today;
  const [rows, setRows] = useState<intake.LogRow[] | null>(null);
  const [xlsx, setXlsx] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    // Only the latest request's answer is shown: an earlier one answered late (the station busy
    // reading) would put back a log without the envelopes received since.
    let current = true;
    intake
      .log(date)
      .then((r) => {
        if (!current) return;
        setRows(r.rows);
        setXlsx(r.xlsx_url);
        setError('');
      })
      .catch((e) => {
        if (current) setError(message(e));
      });
    return () => {
      current = false;
    };
  }, [date, refresh]);
  return (
    <section class="card" id="intake-log" aria-labelledby="intake-log-title">
      <h2 id="intake-log-title">受付簿</h2>
      <div class="intake-row">
        <label>
          受付日
          <input type="date" id="log-date" value={date} onInput={(e) => setPicked((e.target as HTMLInputElement).value || null)} />
        </label>
        {xlsx && (
          <a class="button secondary" id="intake-xlsx" href={xlsx} download>
            Excel でダウンロード
          </a>
        )}
      </div>
      {error && (
        <p class="alert error" role="alert">
          {error}
        </p>
      )}
      {rows !== null && rows.length === 0 && <p>この日に受け付けた封筒はありません。</p>}
      {rows !== null && rows.length > 0 && (
        <table class="list">
          <caption>{date} の受付（{rows.length} 通）</caption>
          <thead>
            <tr>
              <th scope="col">受付番号</th>
              <th scope="col">受付時刻</th>
              <th scope="col">受付担当</th>
              <th scope="col">同封書類数</th>
              <th scope="col">ページ数</th>
              <th scope="col">白紙の可能性</th>
              <th scope="col">方法</th>
              <th scope="col">状態</th>
              {onOpen && <th scope="col">ページ</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.envelope_id}>
                <td>{r.receipt_no}</td>
                <td>{r.received_at.slice(11, 16)}</td>
                <td class="value">{r.clerk}</td>
                <td class="num">{r.enclosures}</td>
                <td class="num">{r.pages}</td>
                <td class="num">{r.blank_pages}</td>
                <td>{r.source_ja}</td>
                <td>{r.status_ja}</td>
                {onOpen && (
                  <td>
                    <button type="button" class="small secondary open-pages" onClick={() => onOpen(r.envelope_id)}>
                      ページを見る<span class="visually-hidden">（受付番号 {r.receipt_no}）</span>
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function IntakeScreen({ canCapture }: { canCapture: boolean }) {
  const [jobId, setJobId] = useState<number | null>(null);
  const [job, setJob] = useState<intake.Job | null>(null);
  const [error, setError] = useState('');
  const [opened, setOpened] = useState<intake.IntakeEnvelope | null>(null);
  const [logRefresh, setLogRefresh] = useState(0);
  const [tick, setTick] = useState(0);
  const [lastScan, setLastScan] = useState<intake.StartRequest | null>(null);

  useEffect(() => {
    document.title = '受付｜申請書確認端末';
  }, []);

  // Poll the job while it runs (thumbnails appear as pages arrive); once more after it ends.
  useEffect(() => {
    if (jobId === null) return;
    let stopped = false;
    let timer = 0;
    const poll = () => {
      intake
        .job(jobId)
        .then((j) => {
          if (stopped) return;
          setJob(j);
          if (j.state === 'running') {
            timer = window.setTimeout(poll, 700);
            return;
          }
          setLogRefresh((n) => n + 1);
          // Its envelopes are read in the background: follow their state until they are read
          // (their pages can be changed again then).
          if (j.envelopes.some((e) => e.state === 'captured' || e.state === 'recognizing'))
            timer = window.setTimeout(poll, 2000);
        })
        .catch((e) => {
          if (stopped) return;
          setError(message(e));
          timer = window.setTimeout(poll, 2000);
        });
    };
    poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [jobId, tick]);

  const start = async (r: intake.StartRequest) => {
    setError('');
    try {
      const id = await intake.startJob(r);
      if (r.kind === 'scan') setLastScan(r);
      setOpened(null);
      setJob(null);
      setJobId(id);
    } catch (e) {
      setError(message(e));
    }
  };

  const continueScan = () => {
    if (!job || job.continue_envelope_id === null) return;
    // The same settings as the run that stopped, into the same envelope.
    void start({ ...(lastScan ?? { kind: 'scan' }), kind: 'scan', continue_envelope_id: job.continue_envelope_id });
  };

  const open = async (id: number) => {
    try {
      setOpened(await intake.envelope(id));
      setError('');
    } catch (e) {
      setError(message(e));
    }
  };

  const changed = () => {
    setTick((n) => n + 1);
    setLogRefresh((n) => n + 1);
    if (opened) void open(opened.id);
  };

  return (
    <main id="intake" class="intake">
      <h1>受付</h1>
      {error && (
        <p class="alert error" role="alert" id="intake-error">
          {error}
        </p>
      )}
      {canCapture && <StartForm busy={job?.state === 'running'} onStart={start} />}
      {job && <JobPanel job={job} onContinue={continueScan} onChanged={changed} />}
      {opened && canCapture && <EnvelopePages envelope={opened} live={false} onChanged={changed} />}
      <IntakeLog refresh={logRefresh} onOpen={canCapture ? open : null} />
    </main>
  );
}
