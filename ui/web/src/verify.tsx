// The verification screen (docs/ui.md, "Keys"): one envelope's values beside the original.
// The page image is loaded once per page (one <img>, kept mounted); the zoomed crop of the field
// under work is drawn on a canvas from that same image (no new request, no new decode). The first
// field is ready as early as the browser allows (issue #17: ≤ 300 ms after opening): the
// verification data is asked for while the screen first renders (not after its first paint), the
// crop is drawn in the frame that allows it, and the other pages' images wait until the browser is
// idle after it. Fields needing attention come first on each page and are highlighted; doubtful
// characters are marked.
// Keyboard first: Enter accepts and moves to the next field needing attention (or confirms the
// rest of the page when only confident fields are left); typing corrects; no shortcut fires
// while an IME composes.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import * as api from './api';

const KIND_JA: Record<string, string> = {
  application: '申請書',
  pledge: '誓約書',
  officers: '役員等一覧',
  passbook: '通帳の写し',
  envelope: '封筒',
  unknown: '種類不明',
};

const ZOOMS = [1, 1.5, 2, 3, 4];

function codePoints(s: string): string[] {
  return Array.from(s);
}

// The work order: page by page (scan order); on each page the fields needing attention first
// (least confident first), then the others as the form lists them.
function workOrder(v: api.Verification): number[] {
  const seq = new Map(v.pages.map((p) => [p.id, p.seq]));
  const indexed = v.fields.map((f, i) => ({ f, i }));
  indexed.sort((a, b) => {
    const pa = seq.get(a.f.page_id) ?? 1e9;
    const pb = seq.get(b.f.page_id) ?? 1e9;
    if (pa !== pb) return pa - pb;
    const aa = a.f.needs_attention ? 0 : 1;
    const ab = b.f.needs_attention ? 0 : 1;
    if (aa !== ab) return aa - ab;
    if (aa === 0 && a.f.confidence !== b.f.confidence) return a.f.confidence - b.f.confidence;
    return a.i - b.i;
  });
  return indexed.map((x) => x.f.id);
}

export function VerifyScreen(props: { envelopeId: number }) {
  const [data, setData] = useState<api.Verification | null>(null);
  const [fields, setFields] = useState<Map<number, api.Field>>(new Map());
  const [order, setOrder] = useState<number[]>([]);
  const [currentId, setCurrentId] = useState<number | null>(null);
  const [draft, setDraft] = useState('');
  const [zoom, setZoom] = useState(2);
  const [showAlts, setShowAlts] = useState(false);
  const [caret, setCaret] = useState(0);
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const [loaded, setLoaded] = useState<Set<number>>(new Set());
  const inputRef = useRef<HTMLInputElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const images = useRef<Map<number, HTMLImageElement>>(new Map());
  const [drawn, setDrawn] = useState(false);
  const composing = useRef(false);
  // The verification data is asked for during the first render, not after the first paint (when
  // effects run): the request is on its way some tens of ms earlier. load() takes it once.
  const early = useRef<Promise<api.Verification> | undefined>(undefined);
  const asked = useRef(false);
  if (!asked.current) {
    asked.current = true;
    early.current = api.verification(props.envelopeId);
    early.current.catch(() => {});  // handled by load(); this only keeps an early unmount quiet
  }

  // ---- loading

  const load = async () => {
    try {
      const request = early.current ?? api.verification(props.envelopeId);
      early.current = undefined;  // the polls after it ask again
      const v = await request;
      setData(v);
      setFields(new Map(v.fields.map((f) => [f.id, f])));
      const o = workOrder(v);
      setOrder(o);
      const first = o.find((id) => { const f = v.fields.find((x) => x.id === id); return !!f && f.status !== 'confirmed' && !f.double_entry; }) ?? o[0] ?? null;
      select(first, new Map(v.fields.map((f) => [f.id, f])));
      setError('');
      return v;
    } catch (e) {
      setError((e as api.ApiError).messageJa);
      return null;
    }
  };

  useEffect(() => {
    document.title = '入力確認｜申請書確認端末';
    let timer = 0;
    let stopped = false;
    const poll = async () => {
      const v = await load();
      if (!stopped && v && v.recognition_pending) timer = window.setTimeout(poll, 2000);
    };
    poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [props.envelopeId]);

  const current = currentId !== null ? fields.get(currentId) ?? null : null;
  const pages = data?.pages ?? [];
  const currentPage = current ? pages.find((p) => p.id === current.page_id) ?? null : pages[0] ?? null;

  function select(id: number | null, map: Map<number, api.Field> = fields) {
    if (id !== currentId) setError('');
    setCurrentId(id);
    setShowAlts(false);
    setDraft(id !== null ? map.get(id)?.value ?? '' : '');
  }

  // The input of the field under work has the focus, its text selected: typing replaces it.
  useLayoutEffect(() => {
    const input = inputRef.current;
    if (!input) return;
    input.focus();
    input.select();
    setCaret(0);
  }, [currentId]);

  // ---- the zoomed crop, drawn from the page's one loaded image

  // Redrawn when the current page's own image arrives, not when another page's does.
  const currentLoaded = !!currentPage && loaded.has(currentPage.id);

  // A layout effect: drawn in the same frame as the render that allows it, not a frame later.
  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !current || !currentPage) return;
    const img = images.current.get(currentPage.id);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    if (!img || !img.complete || img.naturalWidth === 0) {
      canvas.width = 1;
      canvas.height = 1;
      return;
    }
    const s = img.naturalWidth / currentPage.width;  // page pixels -> image pixels
    const b = current.box;
    const margin = Math.max(12, b.h * 0.35);
    const x0 = Math.max(0, b.x - margin);
    const y0 = Math.max(0, b.y - margin);
    const x1 = Math.min(currentPage.width, b.x + b.w + margin);
    const y1 = Math.min(currentPage.height, b.y + b.h + margin);
    const sw = Math.max(1, (x1 - x0) * s);
    const sh = Math.max(1, (y1 - y0) * s);
    // Drawn at `zoom` times the page's on-screen scale (at most 2400 px wide; CSS fits it in).
    const shown = img.clientWidth > 0 ? img.clientWidth / img.naturalWidth : 1;
    const k = Math.min(2400 / sw, zoom * shown) || 1;
    canvas.width = Math.max(1, Math.round(sw * k));
    canvas.height = Math.max(1, Math.round(sh * k));
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(img, x0 * s, y0 * s, sw, sh, 0, 0, canvas.width, canvas.height);
    // The box itself, outlined.
    ctx.strokeStyle = '#c45500';
    ctx.lineWidth = 3;
    ctx.strokeRect((b.x - x0) * s * k, (b.y - y0) * s * k, b.w * s * k, b.h * s * k);
    // The other pages' images wait until this frame is on the screen and the browser is idle:
    // their loads and renders would otherwise delay the first field's frame.
    if (!drawn) {
      const allow = () => setDrawn(true);
      if (typeof window.requestIdleCallback === 'function') window.requestIdleCallback(allow, { timeout: 1000 });
      else setTimeout(allow, 200);
    }
  }, [currentId, zoom, currentLoaded, currentPage?.id]);

  // ---- moving and confirming

  // Still to confirm here: a field under blind double entry is keyed on its own screen
  // (#/entries), so Enter passes over it.
  const pending = (f: api.Field) => f.status !== 'confirmed' && !f.double_entry;

  const pageFields = (pageId: number, map = fields) =>
    order.map((id) => map.get(id)!).filter((f) => f && f.page_id === pageId);

  // After `afterId`, the next field needing attention on its page; else the page's first field
  // still unconfirmed (Enter then confirms the page); else the next page's first unconfirmed.
  function nextTarget(afterId: number, map: Map<number, api.Field>): number | null {
    const after = map.get(afterId);
    if (!after) return null;
    const onPage = pageFields(after.page_id, map);
    const pos = onPage.findIndex((f) => f.id === afterId);
    const rotated = [...onPage.slice(pos + 1), ...onPage.slice(0, pos + 1)];
    const attention = rotated.find((f) => pending(f) && f.needs_attention);
    if (attention) return attention.id;
    const rest = onPage.find((f) => pending(f));
    if (rest) return rest.id;
    const seqOf = (id: number) => pages.find((p) => p.id === id)?.seq ?? 0;
    const here = seqOf(after.page_id);
    const later = [...pages].sort((a, b) => ((a.seq - here + 1000) % 1000) - ((b.seq - here + 1000) % 1000));
    for (const p of later) {
      const f = pageFields(p.id, map).find((x) => pending(x));
      if (f) return f.id;
    }
    return null;
  }

  function merge(updated: api.Field[]): Map<number, api.Field> {
    const map = new Map(fields);
    for (const f of updated) map.set(f.id, f);
    setFields(map);
    return map;
  }

  const remainingOnPage = (pageId: number) => pageFields(pageId).filter(pending);
  const attentionOnPage = (pageId: number) => remainingOnPage(pageId).filter((f) => f.needs_attention);

  // Whether Enter on the current field confirms the rest of its page at once.
  const pageConfirmable =
    !!current &&
    draft === current.value &&
    !current.needs_attention &&
    remainingOnPage(current.page_id).length > 0 &&
    attentionOnPage(current.page_id).length === 0;

  // `typed`: the value to send instead of the value box's (an alternative just picked).
  async function accept(typed?: string) {
    if (!current || busy || !data) return;
    const value = typed ?? draft;
    setBusy(true);
    setError('');
    try {
      let map: Map<number, api.Field>;
      if (pageConfirmable && value === draft) {
        const r = await api.confirmPage(data.envelope.id, current.page_id);
        map = merge(r.fields);
        const page = pages.find((p) => p.id === current.page_id);
        setStatus(
          `${page?.seq ?? ''}ページ目の ${r.confirmed} 項目を確定しました。` +
            (r.remaining > 0 ? `${r.remaining} 項目は確認が必要です。` : ''),
        );
      } else if (current.status === 'confirmed' && value === current.value) {
        map = fields;
      } else {
        const f = value === current.value ? await api.confirmField(current.id) : await api.correctField(current.id, value);
        map = merge([f]);
        setStatus(`${f.label_ja}を「${f.value}」で確定しました。`);
      }
      const next = nextTarget(current.id, map);
      if (next === null) {
        setStatus('すべての項目を確定しました。');
        select(current.id, map);
      } else {
        select(next, map);
      }
    } catch (e) {
      const err = e as api.ApiError;
      setError(err.messageJa);
      // A value the station refuses stays under work, marked as needing attention.
      if (err.status === 400 && current) {
        merge([{ ...current, needs_attention: true,
                 attention: [...current.attention.filter((a) => a.code !== 'refused'), { code: 'refused', text_ja: err.messageJa }] }]);
      }
    } finally {
      setBusy(false);
    }
  }

  function move(delta: number) {
    if (currentId === null || order.length === 0) return;
    const i = order.indexOf(currentId);
    const j = Math.min(order.length - 1, Math.max(0, i + delta));
    select(order[j]);
  }

  const zoomBy = (d: number) => {
    setZoom((z) => {
      const i = ZOOMS.indexOf(z);
      return ZOOMS[Math.min(ZOOMS.length - 1, Math.max(0, (i < 0 ? 2 : i) + d))];
    });
  };

  // The character the alternatives are for: the doubtful one at the caret, else the first doubtful.
  const chars = current?.chars ?? [];
  const markIndex = (() => {
    if (chars.length === 0) return -1;
    if (caret < chars.length && chars[caret].doubtful) return caret;
    return chars.findIndex((c) => c.doubtful);
  })();
  const marked = markIndex >= 0 ? chars[markIndex] : null;

  // Picking an alternative corrects the value at once (the normal correct call) and moves on, as
  // Enter does; when the value box no longer lines up with the reading, the pick only edits it.
  function chooseAlternative(alt: string) {
    if (!current || markIndex < 0) return;
    const cps = codePoints(draft);
    setShowAlts(false);
    inputRef.current?.focus();
    if (cps.length !== chars.length) return;
    cps[markIndex] = alt;
    const value = cps.join('');
    setDraft(value);
    accept(value);
  }

  function onKeyDown(e: KeyboardEvent) {
    // The IME is composing: its keys (Enter commits the conversion) are not ours.
    if (e.isComposing || composing.current || e.keyCode === 229) return;
    if (showAlts && marked && /^[1-9]$/.test(e.key)) {
      const alt = marked.alternatives[Number(e.key) - 1];
      if (alt !== undefined) {
        e.preventDefault();
        chooseAlternative(alt);
        return;
      }
    }
    if (e.key === 'Enter') {
      e.preventDefault();
      accept();
    } else if (e.key === 'Tab') {
      // Past the first or last field, Tab leaves the value box as usual (to the buttons and lists).
      const i = currentId !== null ? order.indexOf(currentId) : -1;
      if ((e.shiftKey && i <= 0) || (!e.shiftKey && i >= order.length - 1)) return;
      e.preventDefault();
      move(e.shiftKey ? -1 : 1);
    } else if (e.key === 'ArrowDown' && e.altKey) {
      e.preventDefault();
      setShowAlts((s) => !s);
    } else if (e.key === 'F2') {
      e.preventDefault();
      setShowAlts((s) => !s);
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      move(1);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      move(-1);
    } else if (e.key === 'Escape') {
      // Closes the alternatives; otherwise leaves the value box for the buttons (Tab from there).
      if (showAlts) setShowAlts(false);
      else document.getElementById('accept-button')?.focus();
    } else if (e.altKey && (e.key === '+' || e.key === '=' || e.key === ';' || e.code === 'NumpadAdd')) {
      e.preventDefault();
      zoomBy(1);
    } else if (e.altKey && (e.key === '-' || e.code === 'NumpadSubtract')) {
      e.preventDefault();
      zoomBy(-1);
    }
  }

  // + and − zoom anywhere outside the value box (inside it, with Alt: values may hold a '-').
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (e.isComposing || (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA'))) return;
      if (e.key === '+' || e.code === 'NumpadAdd') zoomBy(1);
      else if (e.key === '-' || e.code === 'NumpadSubtract') zoomBy(-1);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const total = useMemo(() => [...fields.values()], [fields]);
  const confirmedCount = total.filter((f) => f.status === 'confirmed').length;
  const attentionCount = total.filter((f) => f.status !== 'confirmed' && f.needs_attention).length;

  if (error && !data)
    return (
      <main id="verify-screen">
        <h1>入力確認</h1>
        <p class="alert error" role="alert">
          {error}
        </p>
        <a class="button" href="#/">受付一覧に戻る</a>
      </main>
    );
  if (!data) return <main id="verify-screen"><p>読み込み中です…</p></main>;

  return (
    <main id="verify-screen" class="verify">
      <div class="verify-head">
        <h1>
          入力確認 <span class="receipt">受付番号 {data.envelope.receipt_no}</span>
        </h1>
        <p class="progress" id="verify-progress" aria-live="polite">
          確定 {confirmedCount} / {total.length} 項目　要確認 {attentionCount} 項目
        </p>
        <a class="button secondary small" href="#/">受付一覧に戻る</a>
      </div>
      {data.recognition_pending && (
        <p class="alert info" role="status">
          この封筒はまだ読み取り中です。読み取りが終わると項目が表示されます。
        </p>
      )}
      {error && (
        <p class="alert error" role="alert" id="verify-error">
          {error}
        </p>
      )}
      <p class="sr-status" role="status" id="verify-status">
        {status}
      </p>
      <nav class="page-tabs" aria-label="ページの切り替え">
        {pages.map((p) => {
          const left = remainingOnPage(p.id).length;
          const att = attentionOnPage(p.id).length;
          const first = pageFields(p.id).find(pending) ?? pageFields(p.id)[0];
          return (
            <button type="button" key={p.id}
                    class={`page-tab${currentPage?.id === p.id ? ' current' : ''}${att > 0 ? ' attention' : ''}`}
                    aria-current={currentPage?.id === p.id ? 'page' : undefined}
                    disabled={!first}
                    onClick={() => first && select(first.id)}>
              {p.seq}ページ目（{KIND_JA[p.kind] ?? KIND_JA.unknown}）
              <span class="tab-count">{first ? (left === 0 ? '確定済み' : `残り ${left}`) : '項目なし'}</span>
            </button>
          );
        })}
      </nav>
      <div class="verify-body">
        <section class="page-view" aria-label="原本" tabIndex={0}>
          {/* The current page's image first; the others once it is shown and the first crop drawn
              (each loaded once). */}
          {pages.map((p) => (
            <div key={p.id} class={`page-frame${currentPage?.id === p.id ? '' : ' hidden'}`}>
              <img src={currentPage?.id === p.id || (currentPage && loaded.has(currentPage.id) && (drawn || !current)) ? p.image_url : undefined} alt={`${p.seq}ページ目（${KIND_JA[p.kind] ?? KIND_JA.unknown}）の原本画像`}
                   width={p.image_width} height={Math.round((p.height * p.image_width) / Math.max(1, p.width))}
                   ref={(el) => {
                     if (el) images.current.set(p.id, el);
                   }}
                   onLoad={() => setLoaded((s) => new Set(s).add(p.id))} />
              {pageFields(p.id).map((f) =>
                f.box.w > 0 && f.box.h > 0 ? (
                  <div key={f.id} aria-hidden="true"
                       class={`box${f.id === currentId ? ' current' : ''}${f.status === 'confirmed' ? ' confirmed' : f.needs_attention ? ' attention' : ''}`}
                       style={{
                         left: `${(100 * f.box.x) / p.width}%`,
                         top: `${(100 * f.box.y) / p.height}%`,
                         width: `${(100 * f.box.w) / p.width}%`,
                         height: `${(100 * f.box.h) / p.height}%`,
                       }} />
                ) : null,
              )}
            </div>
          ))}
        </section>
        <section class="work" aria-label="作業中の項目">
          {current ? (
            <div class={`current-field${current.needs_attention ? ' attention' : ''}${current.status === 'confirmed' ? ' confirmed' : ''}`}>
              <div class="crop-tools">
                <span class="crop-title">原本の拡大（{zoom}倍）</span>
                <button type="button" class="secondary small" onClick={() => zoomBy(-1)} aria-label="縮小（拡大率を下げる）">
                  縮小
                </button>
                <button type="button" class="secondary small" onClick={() => zoomBy(1)} aria-label="拡大（拡大率を上げる）">
                  拡大
                </button>
              </div>
              <canvas ref={canvasRef} class="crop" role="img" aria-label={`${current.label_ja}の原本の拡大（${zoom}倍）`} />
              <label for="value-input" class="field-label">
                {current.label_ja}
                {current.status === 'confirmed' && <span class="badge confirmed">確定済み</span>}
                {current.status !== 'confirmed' && current.needs_attention && <span class="badge attention">要確認</span>}
              </label>
              <input id="value-input" type="text" class="value-input" value={draft} ref={inputRef} data-field-id={current.id}
                     autocomplete="off" spellcheck={false}
                     aria-describedby="value-help"
                     onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
                     onKeyDown={onKeyDown}
                     onKeyUp={(e) => setCaret((e.target as HTMLInputElement).selectionStart ?? 0)}
                     onClick={(e) => setCaret((e.target as HTMLInputElement).selectionStart ?? 0)}
                     onCompositionStart={() => {
                       composing.current = true;
                     }}
                     onCompositionEnd={() => {
                       composing.current = false;
                     }} />
              <p class="read-value" id="read-value">
                <span class="read-label">読み取り結果：</span>
                {chars.length === 0 ? (
                  <span class="empty">（読み取れませんでした）</span>
                ) : (
                  <span class="value chars">
                    {chars.map((c, i) =>
                      c.doubtful ? (
                        <mark key={i} class={`doubt${i === markIndex ? ' marked' : ''}`} title="確かでない文字">
                          {c.c}
                        </mark>
                      ) : (
                        <span key={i}>{c.c}</span>
                      ),
                    )}
                  </span>
                )}
                <span class="confidence">確かさ {Math.round(current.confidence * 100)}%</span>
              </p>
              {current.attention.map((a) => (
                <p class="attention-reason" key={a.code}>
                  {a.text_ja}
                </p>
              ))}
              {showAlts && (
                <div class="alternatives" role="dialog" aria-label="文字の候補" id="alternatives">
                  {marked ? (
                    marked.alternatives.length > 0 ? (
                      <>
                        <p>「<span class="value">{marked.c}</span>」の候補（数字キーで選びます）</p>
                        <ol>
                          {marked.alternatives.map((a, i) => (
                            <li key={i}>
                              <button type="button" class="secondary" onClick={() => chooseAlternative(a)}
                                      aria-label={`候補 ${i + 1}：${a}`}>
                                {i + 1}：<span class="value">{a}</span>
                              </button>
                            </li>
                          ))}
                        </ol>
                      </>
                    ) : (
                      <p>
                        「<span class="value">{marked.c}</span>」には読み取りの候補がありません。原本を見て入力してください。
                      </p>
                    )
                  ) : (
                    <p>確かでない文字はありません。</p>
                  )}
                </div>
              )}
              <p class="enter-hint" id="enter-hint">
                {pageConfirmable
                  ? `Enter でこのページの未確定 ${remainingOnPage(current.page_id).length} 項目をまとめて確定します。`
                  : draft !== current.value
                    ? 'Enter で入力した値に訂正して確定します。'
                    : 'Enter でこの値を確定して、次の要確認項目へ進みます。'}
              </p>
              <div class="actions">
                <button type="button" onClick={() => accept()} disabled={busy} id="accept-button">
                  {pageConfirmable ? 'ページをまとめて確定' : '確定して次へ'}
                </button>
                <button type="button" class="secondary" onClick={() => move(-1)}>
                  前の項目
                </button>
                <button type="button" class="secondary" onClick={() => move(1)}>
                  次の項目
                </button>
                <button type="button" class="secondary" onClick={() => setShowAlts((s) => !s)}>
                  文字の候補
                </button>
              </div>
              <p class="keys" id="value-help">
                操作：<kbd>Enter</kbd> 確定して次へ　<kbd>Tab</kbd>・<kbd>↓</kbd> 次の項目　<kbd>Shift</kbd>＋<kbd>Tab</kbd>・<kbd>↑</kbd> 前の項目　<kbd>F2</kbd> 文字の候補　<kbd>Alt</kbd>＋<kbd>+</kbd>／<kbd>−</kbd> 拡大・縮小
              </p>
            </div>
          ) : (
            <p class="card">この封筒には確認する項目がありません。</p>
          )}
          {currentPage && (
            <ol class="field-list" aria-label={`${currentPage.seq}ページ目の項目`}>
              {pageFields(currentPage.id).map((f) => (
                <li key={f.id}>
                  <button type="button"
                          class={`field-item${f.id === currentId ? ' current' : ''}${f.status === 'confirmed' ? ' confirmed' : f.needs_attention ? ' attention' : ''}`}
                          aria-current={f.id === currentId ? 'true' : undefined}
                          onClick={() => select(f.id)}>
                    <span class="item-label">{f.label_ja}</span>
                    <span class="value item-value">{pending(f) || !f.double_entry || f.status === 'confirmed' ? (f.value === '' ? '（空欄）' : f.value) : '（二重入力）'}</span>
                    <span class="item-state">{f.status === 'confirmed' ? '確定済み' : f.double_entry ? '二重入力待ち' : f.needs_attention ? '要確認' : '未確定'}</span>
                  </button>
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>
    </main>
  );
}
