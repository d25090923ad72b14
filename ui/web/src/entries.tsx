// Blind double entry (docs/ui.md, 「二重入力」): a field whose type is under double entry is keyed
// by two people who see only the field's crop and an empty input (never the value as read or the
// other person's entry); Enter submits and the next field comes. When the two differ, a third
// person (neither keyer) sees both entries beside the crop and decides (「判定」). Keyboard only:
// Enter submits (not while an input method is composing), Escape puts the field off till later.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import * as api from './api';
import * as eapi from './entries_api';
import './entries.css';

// The field's crop (its box with a margin) from its page's image, drawn on `canvas`.
function drawCrop(canvas: HTMLCanvasElement | null, img: HTMLImageElement | undefined, task: eapi.EntryTask) {
  if (!canvas || !task.page || !img || !img.complete || img.naturalWidth === 0 || task.box.w <= 0) return;
  const p = task.page;
  const s = img.naturalWidth / p.width;
  const m = Math.max(8, task.box.h * 0.4);
  const x0 = Math.max(0, task.box.x - m);
  const y0 = Math.max(0, task.box.y - m);
  const x1 = Math.min(p.width, task.box.x + task.box.w + m);
  const y1 = Math.min(p.height, task.box.y + task.box.h + m);
  const sw = (x1 - x0) * s;
  const sh = (y1 - y0) * s;
  const k = Math.min(4, 960 / sw);
  canvas.width = Math.max(1, Math.round(sw * k));
  canvas.height = Math.max(1, Math.round(sh * k));
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(img, x0 * s, y0 * s, sw, sh, 0, 0, canvas.width, canvas.height);
}

// The page image of a task, loaded once per page; `onLoad` redraws.
function usePageImages(onLoad: () => void) {
  const images = useRef<Map<number, HTMLImageElement>>(new Map());
  return (task: eapi.EntryTask | null): HTMLImageElement | undefined => {
    if (!task || !task.page) return undefined;
    let img = images.current.get(task.page.id);
    if (!img) {
      img = new Image();
      img.onload = onLoad;
      img.src = task.page.image_url;
      images.current.set(task.page.id, img);
    }
    return img;
  };
}

function Crop(props: { task: eapi.EntryTask; img: HTMLImageElement | undefined; loaded: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => drawCrop(ref.current, props.img, props.task), [props.task, props.img, props.loaded]);
  return (
    <canvas ref={ref} class="crop" id="entry-crop" role="img"
            aria-label={`受付番号 ${props.task.receipt_no} の「${props.task.label_ja}」の記入欄の画像`} />
  );
}

function Modes(props: { decide: boolean }) {
  return (
    <nav class="modes" aria-label="二重入力の切り替え">
      <a class="button secondary small" href="#/entries" id="entries-mode-key" aria-current={props.decide ? undefined : 'page'}>入力</a>
      <a class="button secondary small" href="#/entries/decide" id="entries-mode-decide" aria-current={props.decide ? 'page' : undefined}>判定</a>
    </nav>
  );
}

function TypesNote(props: { settings: eapi.Settings | null }) {
  if (!props.settings) return null;
  return (
    <p class="types" id="entries-types">
      二重入力の対象：{props.settings.types.length === 0 ? 'なし（設定されていません）' : props.settings.types.map((t) => t.label_ja).join('、')}
    </p>
  );
}

export function EntriesScreen(props: { decide: boolean }) {
  const [settings, setSettings] = useState<eapi.Settings | null>(null);
  const [tasks, setTasks] = useState<eapi.EntryTask[] | null>(null);
  const [index, setIndex] = useState(0);
  const [value, setValue] = useState('');
  const [dispute, setDispute] = useState<eapi.Dispute | null>(null);
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const [loaded, setLoaded] = useState(0);
  const composing = useRef(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const imageOf = usePageImages(() => setLoaded((n) => n + 1));

  const load = async (keepStatus = false) => {
    try {
      const t = await eapi.tasks(props.decide ? 'decide' : 'key');
      setTasks(t.fields);
      setIndex(0);
      setValue('');
      setError('');
      if (!keepStatus) setStatus('');
    } catch (e) {
      setError((e as api.ApiError).messageJa);
    }
  };

  useEffect(() => {
    document.title = (props.decide ? '二重入力の判定' : '二重入力') + '｜申請書確認端末';
    eapi.settings().then(setSettings).catch(() => setSettings(null));
    load();
  }, [props.decide]);

  const list = tasks ?? [];
  const task = list.length > 0 ? list[Math.min(index, list.length - 1)] : null;

  // The decision needs both entries: fetched for the field under work.
  useEffect(() => {
    setDispute(null);
    if (!props.decide || !task) return;
    eapi.dispute(task.field_id).then(setDispute).catch((e) => setError((e as api.ApiError).messageJa));
  }, [props.decide, task?.field_id]);

  useLayoutEffect(() => {
    inputRef.current?.focus();
  }, [task?.field_id, tasks]);

  async function submit(v: string) {
    if (!task || busy) return;
    setBusy(true);
    setError('');
    try {
      const r = props.decide ? await eapi.decide(task.field_id, v) : await eapi.submit(task.field_id, task.round, v);
      const where = `受付番号 ${task.receipt_no} の「${task.label_ja}」`;
      setStatus(r.confirmed ? `${where}を確定しました。`
                : r.state === 'disputed' ? `${where}を入力しました。1人目の入力と違うため、判定に回りました。`
                : `${where}を入力しました。別の方の入力を待ちます。`);
      await load(true);
    } catch (e) {
      setError((e as api.ApiError).messageJa);
    } finally {
      setBusy(false);
    }
  }

  function later() {
    if (list.length === 0) return;
    setIndex((i) => (i + 1) % list.length);
    setValue('');
    setError('');
  }

  function onKeyDown(e: KeyboardEvent) {
    // The IME is composing: its Enter commits the conversion, not the entry.
    if (e.isComposing || composing.current || e.keyCode === 229) return;
    if (e.key === 'Enter') {
      e.preventDefault();
      submit(value);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      later();
    }
  }

  const img = imageOf(task);
  return (
    <main id="entries-screen" class="entries">
      <h1>{props.decide ? '二重入力の判定' : '二重入力'}</h1>
      <Modes decide={props.decide} />
      <TypesNote settings={settings} />
      <p>
        {props.decide
          ? '2人の入力が食い違った項目です。原本の画像と2人の入力を見比べて、正しい値を入力してください（入力した方は判定できません）。'
          : '原本の画像だけを見て値を入力してください。読み取り結果やほかの方の入力は表示しません。2人の入力が一致すると確定します。'}
      </p>
      {error && <p class="alert error" role="alert" id="entries-error">{error}</p>}
      <p class="sr-status" role="status" id="entries-status">{status}</p>
      {!tasks ? (
        <p>読み込み中です…</p>
      ) : !task ? (
        <p class="card" id="entries-empty">
          {props.decide ? '判定を待っている項目はありません。' : 'いま入力できる項目はありません。'}
        </p>
      ) : (
        <section class="entry-task" aria-labelledby="entry-title">
          <h2 id="entry-title" class="entry-where">
            受付番号 {task.receipt_no}　{task.label_ja}（{task.type_ja}）　{props.decide ? '判定' : `${task.round}人目の入力`}
          </h2>
          <p id="entries-count">残り {list.length} 項目</p>
          <Crop task={task} img={img} loaded={loaded} />
          {props.decide && dispute && dispute.field_id === task.field_id && (
            <div class="both" id="entries-both">
              {dispute.entries.map((en) => (
                <div class="card" key={en.round} id={`entry-round-${en.round}`}>
                  <span>{en.round_ja}の入力（{en.user}）</span>
                  <span class="value entry-value">{en.value === '' ? '（空欄）' : en.value}</span>
                  <button type="button" class="secondary" id={`entry-take-${en.round}`} disabled={busy}
                          onClick={() => submit(en.value)}>
                    {en.round_ja}の値で確定
                  </button>
                </div>
              ))}
            </div>
          )}
          <form class="entry-form" onSubmit={(e) => e.preventDefault()}>
            <label>
              {props.decide ? '正しい値' : '値'}
              <input type="text" id="entry-value" ref={inputRef} value={value} autocomplete="off" spellcheck={false}
                     aria-describedby="entries-keys"
                     onInput={(e) => setValue((e.target as HTMLInputElement).value)}
                     onCompositionStart={() => { composing.current = true; }}
                     onCompositionEnd={() => { composing.current = false; }}
                     onKeyDown={onKeyDown} />
            </label>
            <button type="button" id="entry-submit" disabled={busy} onClick={() => submit(value)}>
              {props.decide ? 'この値で確定' : '入力する'}
            </button>
            <button type="button" class="secondary" id="entry-later" disabled={busy || list.length < 2} onClick={later}>
              あとで
            </button>
          </form>
        </section>
      )}
      <p class="keys" id="entries-keys">
        操作：<kbd>Enter</kbd> 入力して次へ　<kbd>Esc</kbd> あとで（次の項目へ）
      </p>
    </main>
  );
}
