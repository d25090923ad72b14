// Group verification (docs/ui.md, 「文字ごとのまとめ確認」): every doubtful character of the kinds
// asked for (e.g. 0, 6, 8, 9) across the queue's envelopes, as a grid of character crops drawn from
// each page's image (loaded once per page) with the character as read. Keyboard first: the arrow
// keys move the selection, typing a character corrects the selected cell (and moves on),
// Backspace undoes it, Enter confirms every field of the grid at once (as read, or corrected).
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import * as api from './api';
import * as gapi from './group_api';
import './group.css';

const PRESETS: { chars: string; label: string }[] = [
  { chars: '0689', label: '0・6・8・9' },
  { chars: '0123456789', label: '数字すべて' },
  { chars: '17', label: '1・7' },
];

// Full-width digits and letters typed through an input method count as their ASCII forms.
function halfWidth(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  if (code >= 0xff01 && code <= 0xff5e) return String.fromCodePoint(code - 0xfee0);
  return c;
}

const cellKey = (c: gapi.DoubtfulCell) => `${c.field_id}:${c.index}`;

export function GroupScreen() {
  const [chars, setChars] = useState('0689');
  const [typed, setTyped] = useState('0689');
  const [group, setGroup] = useState<gapi.DoubtfulGroup | null>(null);
  const [selected, setSelected] = useState(0);
  const [changes, setChanges] = useState<Map<string, string>>(new Map());
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const [refused, setRefused] = useState<{ label: string; receipt: string; reason: string }[]>([]);
  const [busy, setBusy] = useState(false);
  const [loaded, setLoaded] = useState(0);
  const images = useRef<Map<number, HTMLImageElement>>(new Map());
  const cellRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const canvases = useRef<(HTMLCanvasElement | null)[]>([]);
  const gridRef = useRef<HTMLOListElement>(null);

  const latest = useRef(0);
  const load = async (kinds: string, keepStatus = false) => {
    const ticket = ++latest.current;
    try {
      const g = await gapi.doubtfulCharacters(kinds);
      if (ticket !== latest.current) return;  // a later choice's answer wins
      setGroup(g);
      setChanges(new Map());
      setSelected(0);
      setError('');
      if (!keepStatus) setStatus('');
      // Each page's image once.
      for (const c of g.cells) {
        if (!c.page || images.current.has(c.page.id)) continue;
        const img = new Image();
        img.onload = () => setLoaded((n) => n + 1);
        img.src = c.page.image_url;
        images.current.set(c.page.id, img);
      }
    } catch (e) {
      setError((e as api.ApiError).messageJa);
    }
  };

  useEffect(() => {
    document.title = '文字ごとのまとめ確認｜申請書確認端末';
    load(chars);
  }, [chars]);

  // Each cell's crop: the character's box with a margin, from its page's one image.
  useEffect(() => {
    if (!group) return;
    group.cells.forEach((c, i) => {
      const canvas = canvases.current[i];
      const img = c.page ? images.current.get(c.page.id) : undefined;
      if (!canvas || !c.page || !img || !img.complete || img.naturalWidth === 0 || c.box.w <= 0) return;
      const s = img.naturalWidth / c.page.width;
      const m = Math.max(4, c.box.h * 0.25);
      const x0 = Math.max(0, c.box.x - m);
      const y0 = Math.max(0, c.box.y - m);
      const x1 = Math.min(c.page.width, c.box.x + c.box.w + m);
      const y1 = Math.min(c.page.height, c.box.y + c.box.h + m);
      const ctx = canvas.getContext('2d');
      if (!ctx) return;
      canvas.width = 208;
      canvas.height = 144;
      ctx.fillStyle = '#f4f4f4';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      const sw = (x1 - x0) * s;
      const sh = (y1 - y0) * s;
      const k = Math.min(canvas.width / sw, canvas.height / sh);
      const dw = sw * k;
      const dh = sh * k;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(img, x0 * s, y0 * s, sw, sh, (canvas.width - dw) / 2, (canvas.height - dh) / 2, dw, dh);
    });
  }, [group, loaded]);

  useLayoutEffect(() => {
    if (group && group.cells.length > 0) cellRefs.current[Math.min(selected, group.cells.length - 1)]?.focus();
  }, [selected, group]);

  const cells = group?.cells ?? [];

  // How many cells a row of the grid holds (for ↑ and ↓).
  const columns = () => {
    const grid = gridRef.current;
    const first = cellRefs.current[0];
    if (!grid || !first) return 1;
    return Math.max(1, Math.floor(grid.clientWidth / Math.max(1, first.getBoundingClientRect().width)));
  };

  async function confirmAll() {
    if (busy || cells.length === 0) return;
    setBusy(true);
    setError('');
    try {
      const decisions = cells.map((c) => ({ field_id: c.field_id, index: c.index, read: c.c, value: changes.get(cellKey(c)) ?? c.c }));
      const r = await gapi.decideCharacters(decisions);
      const byField = new Map(cells.map((c) => [c.field_id, c]));
      setRefused(r.refused.map((x) => ({ label: byField.get(x.field_id)?.label_ja ?? '', receipt: byField.get(x.field_id)?.receipt_no ?? '', reason: x.reason_ja })));
      setStatus(`${r.confirmed} 項目を確定しました（うち訂正 ${r.corrected} 項目）。` +
                (r.refused.length > 0 ? `${r.refused.length} 項目は確定できませんでした。入力確認の画面で直してください。` : ''));
      await load(chars, true);
    } catch (e) {
      setError((e as api.ApiError).messageJa);
    } finally {
      setBusy(false);
    }
  }

  function onKeyDown(e: KeyboardEvent, i: number) {
    if (e.isComposing || e.keyCode === 229) return;
    const c = cells[i];
    if (e.key === 'Enter') {
      e.preventDefault();
      confirmAll();
    } else if (e.key === 'ArrowRight') {
      e.preventDefault();
      setSelected(Math.min(cells.length - 1, i + 1));
    } else if (e.key === 'ArrowLeft') {
      e.preventDefault();
      setSelected(Math.max(0, i - 1));
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      setSelected(Math.min(cells.length - 1, i + columns()));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setSelected(Math.max(0, i - columns()));
    } else if (e.key === 'Backspace' || e.key === 'Delete') {
      e.preventDefault();
      const m = new Map(changes);
      m.delete(cellKey(c));
      setChanges(m);
    } else if (!e.ctrlKey && !e.altKey && !e.metaKey && [...e.key].length === 1 && e.key !== ' ') {
      e.preventDefault();
      const v = halfWidth(e.key);
      const m = new Map(changes);
      if (v === c.c) m.delete(cellKey(c));
      else m.set(cellKey(c), v);
      setChanges(m);
      setSelected(Math.min(cells.length - 1, i + 1));
    }
  }

  return (
    <main id="group-screen" class="group">
      <h1>文字ごとのまとめ確認</h1>
      <p>
        確認待ちの封筒から、確かでない文字を種類ごとに集めて一度に確認します。原本の文字と読み取り結果が同じなら
        <kbd>Enter</kbd> でまとめて確定します。違う文字は選んで正しい文字を入力してください。
      </p>
      <form class="kinds" onSubmit={(e) => { e.preventDefault(); setChars(typed.trim()); }}>
        {PRESETS.map((p) => (
          <button type="button" key={p.chars} class={`secondary${chars === p.chars ? ' current' : ''}`}
                  aria-pressed={chars === p.chars} onClick={() => { setTyped(p.chars); setChars(p.chars); }}>
            {p.label}
          </button>
        ))}
        <label>
          集める文字
          <input type="text" id="group-chars" value={typed} autocomplete="off" spellcheck={false}
                 onInput={(e) => setTyped((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" class="secondary">この文字で集める</button>
      </form>
      {error && <p class="alert error" role="alert" id="group-error">{error}</p>}
      <p class="sr-status" role="status" id="group-status">{status}</p>
      {refused.length > 0 && (
        <ul class="alert error" id="group-refused">
          {refused.map((r, i) => (
            <li key={i}>受付番号 {r.receipt}　{r.label}：{r.reason}</li>
          ))}
        </ul>
      )}
      {!group ? (
        <p>読み込み中です…</p>
      ) : cells.length === 0 ? (
        <p class="card" id="group-empty">「{group.chars}」の確かでない文字はありません。</p>
      ) : (
        <>
          <p id="group-summary">
            {group.fields} 項目の {cells.length} 文字（訂正 {changes.size} 文字）
            {group.truncated && '。多いため一部だけを表示しています。確定すると続きが表示されます'}
          </p>
          <ol class="char-grid" ref={gridRef} aria-label="確かでない文字の一覧" aria-describedby="group-keys">
            {cells.map((c, i) => {
              const v = changes.get(cellKey(c));
              return (
                <li key={cellKey(c)}>
                  <button type="button" ref={(el) => { cellRefs.current[i] = el; }}
                          class={`char-cell${i === selected ? ' selected' : ''}${v !== undefined ? ' changed' : ''}`}
                          tabIndex={i === selected ? 0 : -1}
                          data-field-id={c.field_id} data-index={c.index}
                          onClick={() => setSelected(i)}
                          onKeyDown={(e) => onKeyDown(e, i)}>
                    {/* The name is the content: the visible parts and, for screen readers, where. */}
                    <span class="sr-only">受付番号 {c.receipt_no}、{c.index + 1} 文字目、読み取り</span>
                    <canvas ref={(el) => { canvases.current[i] = el; }} aria-hidden="true" />
                    <span class="cell-read value">{c.c}</span>
                    {v !== undefined && <span class="cell-new value"><span class="sr-only">訂正</span>→ {v}</span>}
                    <span class="cell-where">{c.label_ja}</span>
                  </button>
                </li>
              );
            })}
          </ol>
          <div class="actions">
            <button type="button" id="group-confirm" onClick={() => confirmAll()} disabled={busy}>
              {changes.size > 0 ? `訂正 ${changes.size} 文字を含めてまとめて確定` : 'すべて読み取りどおりで確定'}
            </button>
          </div>
        </>
      )}
      <p class="keys" id="group-keys">
        操作：<kbd>←</kbd><kbd>→</kbd><kbd>↑</kbd><kbd>↓</kbd> 文字を選ぶ　文字キー 選んだ文字を訂正　<kbd>Backspace</kbd> 訂正を取り消す　<kbd>Enter</kbd> まとめて確定
      </p>
    </main>
  );
}
