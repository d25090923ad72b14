// 「審査」: one application's findings with their page regions drawn on the page image (the
// verification screen's page view and boxes), the facility list's candidates beside the
// application's own facility values, the decision with its reason, the correction letter's
// contents shown before the request is issued, the history and the correction rounds.
import { useEffect, useRef, useState } from 'preact/hooks';
import * as api from './api';
import * as rv from './review_api';
import './review.css';

const DECISIONS: { value: rv.DecisionKind; label: string; hint: string }[] = [
  { value: 'accept', label: '受理', hint: '不備がなく、申請を受け付けます。' },
  { value: 'request_correction', label: '補正依頼', hint: '申請者に不備の補正を求めます（補正指示書を発行します）。' },
  { value: 'refer', label: '県へ照会', hint: '判断できない点を県に照会します。' },
  { value: 'reject', label: '不受理', hint: '申請を受け付けません。' },
  { value: 'resume', label: '審査の再開', hint: '照会や補正の後、審査を再開します。' },
];

const SEVERITY_JA: Record<string, string> = { block: '要補正', warn: '要確認' };

function needsReason(kind: rv.DecisionKind, override: boolean): boolean {
  return kind === 'refer' || kind === 'reject' || kind === 'resume' || (kind === 'accept' && override);
}

export function ReviewScreen(props: { envelopeId: number }) {
  const [data, setData] = useState<rv.Review | null>(null);
  const [error, setError] = useState('');
  const [selected, setSelected] = useState<number | null>(null);
  const [pageId, setPageId] = useState<number | null>(null);
  const [kind, setKind] = useState<rv.DecisionKind>('accept');
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const [extra, setExtra] = useState('');
  const [override, setOverride] = useState(false);
  const [chosen, setChosen] = useState<Set<number>>(new Set());
  const [previewing, setPreviewing] = useState(false);
  const [formError, setFormError] = useState('');
  const [result, setResult] = useState<rv.DecisionResult | null>(null);
  const [busy, setBusy] = useState(false);
  const previewRef = useRef<HTMLElement>(null);
  const resultRef = useRef<HTMLDivElement>(null);

  const load = async () => {
    try {
      const r = await rv.review(props.envelopeId);
      setData(r);
      setChosen(new Set(r.findings.flatMap((f, i) => (f.severity === 'block' ? [i] : []))));
      setPageId((p) => p ?? r.pages[0]?.id ?? null);
      setError('');
    } catch (e) {
      setError((e as api.ApiError).messageJa);
    }
  };

  useEffect(() => {
    document.title = '審査｜申請書確認端末';
    load();
  }, [props.envelopeId]);

  // The chosen finding's region in view inside the page view (not the whole screen).
  useEffect(() => {
    document.querySelector('.page-frame .box.current')?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [selected, pageId]);
  useEffect(() => {
    if (previewing) previewRef.current?.focus();
  }, [previewing]);
  useEffect(() => {
    if (result) resultRef.current?.focus();
  }, [result]);

  if (error && !data)
    return (
      <main id="review-screen">
        <p class="alert error" role="alert">{error}</p>
        <a class="button" href="#/">受付一覧に戻る</a>
      </main>
    );
  if (!data) return <main id="review-screen"><p>読み込み中です…</p></main>;

  const findings = data.findings;
  const page = data.pages.find((p) => p.id === pageId) ?? data.pages[0] ?? null;
  const current = selected !== null ? findings[selected] ?? null : null;

  function selectFinding(i: number) {
    setSelected(i);
    const f = findings[i];
    if (f && f.page_id !== null) setPageId(f.page_id);
  }

  function defects(): rv.Defect[] {
    const out: rv.Defect[] = findings
      .filter((_, i) => chosen.has(i))
      .map((f) => ({ code: f.code, field_key: f.field ?? '', text: f.message_ja }));
    const more = extra.trim();
    if (more) out.push({ code: '', field_key: '', text: more });
    return out;
  }

  // What the form lacks, in Japanese; '' when it can be sent.
  function problem(): string {
    if (kind === 'request_correction' && defects().length === 0)
      return '補正を求める不備を一つ以上選ぶか、「その他の不備」に書いてください。';
    if (needsReason(kind, override) && !reason.trim()) return '理由を入力してください。';
    return '';
  }

  async function send() {
    const p = problem();
    if (p) {
      setFormError(p);
      return;
    }
    setBusy(true);
    setFormError('');
    try {
      const r = await rv.decide(props.envelopeId, { decision: kind, reason: reason.trim(), note: note.trim(), defects: kind === 'request_correction' ? defects() : [], override: kind === 'accept' && override });
      setResult(r);
      setPreviewing(false);
      await load();
    } catch (e) {
      setFormError((e as api.ApiError).messageJa);
    } finally {
      setBusy(false);
    }
  }

  function onSubmit(e: Event) {
    e.preventDefault();
    if (kind === 'request_correction' && !previewing) {
      const p = problem();
      if (p) {
        setFormError(p);
        return;
      }
      setFormError('');
      setPreviewing(true);
      return;
    }
    send();
  }

  const state = data.envelope.state_ja;
  return (
    <main id="review-screen" class="review">
      <div class="verify-head">
        <h1>
          審査 <span class="receipt">受付番号 {data.envelope.receipt_no}</span>
        </h1>
        <p class="progress">状態：{state}</p>
        <a class="button secondary small" href={`#/envelopes/${props.envelopeId}`}>入力確認へ</a>
        <a class="button secondary small" href="#/corrections">補正依頼の一覧</a>
        <a class="button secondary small" href="#/">受付一覧に戻る</a>
      </div>
      {error && <p class="alert error" role="alert">{error}</p>}

      <div class="review-body">
        <section class="findings" aria-labelledby="findings-title">
          <h2 id="findings-title">
            審査の指摘（{findings.length}件{data.blocking > 0 ? `、うち要補正 ${data.blocking}件` : ''}）
          </h2>
          {data.list_version === 0 && <p class="alert info">施設リストが読み込まれていません。施設の照合はできません。</p>}
          {findings.length === 0 ? (
            <p class="card" id="no-findings">指摘はありません。</p>
          ) : (
            <ol class="finding-list" id="finding-list">
              {findings.map((f, i) => (
                <li key={i}>
                  <button type="button" class={`finding ${f.severity}${selected === i ? ' current' : ''}`}
                          aria-pressed={selected === i} data-code={f.code}
                          onClick={() => selectFinding(i)}>
                    <span class={`badge ${f.severity === 'block' ? 'attention' : 'note'}`}>{SEVERITY_JA[f.severity] ?? '確認'}</span>
                    <span class="finding-text">{f.message_ja}</span>
                    <span class="finding-where">
                      {f.page !== null ? `${f.page}ページ目` : '原本上の位置なし'}
                      {f.related ? `／関連する申請 ${f.related}` : ''}
                    </span>
                  </button>
                </li>
              ))}
            </ol>
          )}
        </section>

        <section class="page-view" aria-label="原本と指摘の位置" tabIndex={0}>
          {data.pages.length > 1 && (
            <nav class="page-tabs" aria-label="ページの切り替え">
              {data.pages.map((p) => (
                <button type="button" key={p.id} class={`page-tab${page?.id === p.id ? ' current' : ''}`}
                        aria-pressed={page?.id === p.id} onClick={() => setPageId(p.id)}>
                  {p.seq}ページ目
                </button>
              ))}
            </nav>
          )}
          {page && (
            <div class="page-frame" key={page.id}>
              <img src={page.image_url} alt={`${page.seq}ページ目の原本画像`} width={page.image_width}
                   height={Math.round((page.height * page.image_width) / Math.max(1, page.width))} />
              {findings.map((f, i) =>
                f.page_id === page.id && f.box && f.box.w > 0 && f.box.h > 0 ? (
                  <div key={i} aria-hidden="true" class={`box${f.severity === 'block' ? ' attention' : ''}${selected === i ? ' current' : ''}`}
                       style={{
                         left: `${(100 * f.box.x) / page.width}%`,
                         top: `${(100 * f.box.y) / page.height}%`,
                         width: `${(100 * f.box.w) / page.width}%`,
                         height: `${(100 * f.box.h) / page.height}%`,
                       }} />
                ) : null,
              )}
            </div>
          )}
          {current && <p class="sr-status" role="status">{`選択中の指摘：${current.message_ja}`}</p>}
        </section>
      </div>

      <section class="candidates" aria-labelledby="candidates-title">
        <h2 id="candidates-title">施設の照合</h2>
        <div class="side-by-side">
          <div class="card">
            <h3>申請書の記載</h3>
            {data.facility_values.length === 0 ? <p>施設の記載はありません。</p> : (
              <dl id="facility-values">
                {data.facility_values.map((v) => [<dt key={`t${v.key}`}>{v.label_ja}</dt>, <dd key={`d${v.key}`} class="value">{v.value || '（空欄）'}</dd>])}
              </dl>
            )}
          </div>
          <div class="card">
            <h3>施設リストの候補</h3>
            {data.candidates.length === 0 ? (
              <p id="no-candidates">{data.facility_id ? `施設リストの施設（${data.facility_id}）と一致しました。` : '候補はありません。'}</p>
            ) : (
              <ol id="candidate-list">
                {data.candidates.map((c) => (
                  <li key={c.facility_id}>
                    <strong class="value">{c.name}</strong>（事業所番号 <span class="value">{c.jigyosho_no}</span>）<br />
                    <span class="value">{c.address}</span>
                    {c.reasons_ja.length > 0 && <ul>{c.reasons_ja.map((r, k) => <li key={k}>{r}</li>)}</ul>}
                  </li>
                ))}
              </ol>
            )}
          </div>
        </div>
      </section>

      <section class="decision card" aria-labelledby="decision-title">
        <h2 id="decision-title">判断</h2>
        {result && (
          <div class="alert info" role="status" tabIndex={-1} ref={resultRef} id="decision-result">
            判断を記録しました。状態：{result.state_ja}
            {result.round > 0 && `（補正依頼 第${result.round}回、提出期限 ${result.deadline}）`}
            {result.letter_url && (
              <>
                {' '}
                <a href={result.letter_url} target="_blank" rel="noopener" id="letter-link">補正指示書（PDF）を開く</a>
              </>
            )}
          </div>
        )}
        <form onSubmit={onSubmit} class="form-grid" id="decision-form" noValidate>
          <fieldset class="roles">
            <legend>判断の種類</legend>
            {DECISIONS.map((d) => (
              <label class="choice" key={d.value} title={d.hint}>
                <input type="radio" name="decision" value={d.value} checked={kind === d.value}
                       onChange={() => {
                         setKind(d.value);
                         setPreviewing(false);
                         setFormError('');
                       }} />
                {d.label}
              </label>
            ))}
          </fieldset>
          <p class="hint" id="decision-hint">{DECISIONS.find((d) => d.value === kind)?.hint}</p>

          {kind === 'accept' && data.blocking > 0 && (
            data.can_override ? (
              <label class="choice">
                <input type="checkbox" id="override" checked={override} onChange={(e) => setOverride((e.target as HTMLInputElement).checked)} />
                要補正の指摘があるまま受理する（責任者の判断。理由が必要です）
              </label>
            ) : (
              <p class="alert info" id="override-note">要補正の指摘があるため、受理できるのは責任者だけです。補正依頼か県への照会を選んでください。</p>
            )
          )}

          {kind === 'request_correction' && (
            <fieldset class="roles" id="defects">
              <legend>補正を求める不備</legend>
              {findings.length === 0 && <p>指摘はありません。「その他の不備」に書いてください。</p>}
              {findings.map((f, i) => (
                <label class="choice defect" key={i}>
                  <input type="checkbox" checked={chosen.has(i)}
                         onChange={(e) => {
                           const next = new Set(chosen);
                           if ((e.target as HTMLInputElement).checked) next.add(i);
                           else next.delete(i);
                           setChosen(next);
                           setPreviewing(false);
                         }} />
                  {f.message_ja}
                </label>
              ))}
              <label for="extra-defect">その他の不備（任意）</label>
              <textarea id="extra-defect" rows={2} value={extra}
                        onInput={(e) => { setExtra((e.target as HTMLTextAreaElement).value); setPreviewing(false); }} />
              <label for="decision-note">補正指示書に添える連絡事項（任意）</label>
              <textarea id="decision-note" rows={2} value={note}
                        onInput={(e) => { setNote((e.target as HTMLTextAreaElement).value); setPreviewing(false); }} />
            </fieldset>
          )}

          {(needsReason(kind, override) || kind === 'accept') && (
            <>
              <label for="decision-reason">
                理由{needsReason(kind, override) ? '（必須）' : '（任意）'}
              </label>
              <textarea id="decision-reason" rows={2} value={reason} aria-required={needsReason(kind, override)}
                        onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
            </>
          )}

          {previewing && (
            <section class="letter-preview" id="letter-preview" aria-labelledby="preview-title" tabIndex={-1} ref={previewRef}>
              <h3 id="preview-title">補正指示書の内容（発行前の確認）</h3>
              <p>受付番号 {data.envelope.receipt_no} の申請について、次の点の補正をお願いします。</p>
              <ol>{defects().map((d, k) => <li key={k}>{d.text}</li>)}</ol>
              {note.trim() && <p>連絡事項：{note.trim()}</p>}
              <p class="hint">提出期限は発行の日から数えて業務日で決まり、発行時に補正指示書（PDF）に記載されます。</p>
            </section>
          )}

          {formError && <p class="alert error" role="alert" id="decision-error">{formError}</p>}
          <div class="actions">
            {kind === 'request_correction' && !previewing ? (
              <button type="submit" id="preview-letter" disabled={busy}>補正指示書の内容を確認する</button>
            ) : (
              <button type="submit" id="decide" disabled={busy}>
                {kind === 'request_correction' ? 'この内容で補正依頼を発行する' : `「${DECISIONS.find((d) => d.value === kind)?.label}」で記録する`}
              </button>
            )}
            {previewing && (
              <button type="button" class="secondary" onClick={() => setPreviewing(false)}>修正する</button>
            )}
          </div>
        </form>
      </section>

      {data.rounds.length > 0 && (
        <section class="card" aria-labelledby="rounds-title">
          <h2 id="rounds-title">補正依頼</h2>
          <table class="list" id="rounds">
            <caption>この申請の補正依頼と提出期限</caption>
            <thead>
              <tr><th scope="col">回</th><th scope="col">依頼日</th><th scope="col">提出期限</th><th scope="col">状況</th><th scope="col">補正指示書</th></tr>
            </thead>
            <tbody>
              {data.rounds.map((r) => (
                <tr key={r.round}>
                  <td class="num">第{r.round}回</td>
                  <td>{r.request_date}</td>
                  <td>{r.deadline}</td>
                  <td>{r.open ? (r.overdue ? <span class="badge attention">期限切れ</span> : '回答待ち') : `回答受付 ${r.received_date}`}</td>
                  <td><a href={r.letter_url} target="_blank" rel="noopener">第{r.round}回の補正指示書（PDF）</a></td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      <section class="card" aria-labelledby="history-title">
        <h2 id="history-title">経過</h2>
        <ol id="history">
          {data.history.map((t, k) => (
            <li key={k}>
              {t.at}　{t.text_ja}{t.by && <>（<span class="value">{t.by}</span>）</>}{t.reason && `　理由：${t.reason}`}
              {t.override_reason && `　責任者の判断：${t.override_reason}`}
            </li>
          ))}
        </ol>
      </section>
    </main>
  );
}
