// The correction workflow after the request (on the review screen): the applicant's reply received
// (the returned papers imported as an envelope of their own, linked to the open round: the
// application goes back to review) and the changes the applicant agreed to.
import { useEffect, useState } from 'preact/hooks';
import * as api from './api';
import * as rv from './review_api';

// States of an envelope that can be the returned papers: imported, not (yet) an application under review.
const REPLY_STATES = new Set(['captured', 'recognizing', 'recognized', 'recognition_failed', 'reviewed']);

export function ReplySection(props: { envelopeId: number; rounds: rv.Round[]; onReceived: (message: string) => void }) {
  const [candidates, setCandidates] = useState<api.EnvelopeSummary[] | null>(null);
  const [chosen, setChosen] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const open = props.rounds.find((r) => r.open) ?? null;

  useEffect(() => {
    api
      .envelopes()
      .then((l) => setCandidates(l.envelopes.filter((e) => e.id !== props.envelopeId && REPLY_STATES.has(e.state))))
      .catch((e) => setError((e as api.ApiError).messageJa));
  }, [props.envelopeId]);

  async function receive(e: Event) {
    e.preventDefault();
    if (!chosen) {
      setError('返送書類として取り込んだ封筒を選んでください。');
      return;
    }
    setBusy(true);
    setError('');
    try {
      const r = await rv.receiveReply(props.envelopeId, Number(chosen));
      props.onReceived(
        `第${r.round.round}回補正の返送書類（受付番号 ${r.round.reply_receipt_no}、受付日 ${rv.dateJa(r.round.received_date)}）を受領しました。申請は「${r.envelope.state_ja}」に戻りました。`,
      );
    } catch (err) {
      setError((err as api.ApiError).messageJa);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card" aria-labelledby="reply-title" id="reply-section">
      <h2 id="reply-title">補正書類の受領</h2>
      {open && (
        <p>
          第{open.round}回の補正依頼（提出期限 {rv.dateJa(open.deadline)}、{rv.daysLeftJa(open.days_left)}）への返送書類を受け付けます。
          返送書類は、受付画面で1通の封筒として取り込んでから、ここで選んでください。受付日は、その封筒の受付日です。
        </p>
      )}
      {candidates === null && !error && <p>読み込み中です…</p>}
      {candidates !== null && candidates.length === 0 && (
        <p class="alert info" id="no-reply-candidates">
          返送書類の封筒がまだ取り込まれていません。受付画面で返送書類を取り込んでから、この画面を開き直してください。
        </p>
      )}
      {candidates !== null && candidates.length > 0 && (
        <form class="form-grid" id="reply-form" onSubmit={receive} noValidate>
          <label for="reply-envelope">返送書類の封筒</label>
          <select id="reply-envelope" value={chosen} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
            <option value="">選んでください</option>
            {candidates.map((c) => (
              <option key={c.id} value={String(c.id)}>
                受付番号 {c.receipt_no}（受付日 {rv.dateJa(c.received_date)}、{c.pages}ページ、{c.state_ja}）
              </option>
            ))}
          </select>
          {error && <p class="alert error" role="alert" id="reply-error">{error}</p>}
          <div class="actions">
            <button type="submit" id="receive-reply" disabled={busy}>返送書類の受領を記録する</button>
          </div>
        </form>
      )}
      {candidates === null && error && <p class="alert error" role="alert">{error}</p>}
    </section>
  );
}

const HOW = ['補正書類', '電話', '電子メール', '来所'];
const EDITABLE_STATES = new Set(['under_review', 'awaiting_correction', 'referred']);

export function AgreedChangesSection(props: { envelopeId: number; state: string; rounds: rv.Round[]; onRecorded: () => void }) {
  const [data, setData] = useState<rv.AgreedChanges | null>(null);
  const [field, setField] = useState('');
  const [value, setValue] = useState('');
  const [agreedOn, setAgreedOn] = useState('');
  const [how, setHow] = useState(HOW[0]!);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);

  const load = async () => {
    try {
      const d = await rv.agreedChanges(props.envelopeId);
      setData(d);
      setAgreedOn((a) => a || d.today);
    } catch (e) {
      setError((e as api.ApiError).messageJa);
    }
  };
  useEffect(() => {
    load();
  }, [props.envelopeId]);

  const editable = EDITABLE_STATES.has(props.state);
  const current = data?.fields.find((f) => f.key === field) ?? null;
  const lastRound = props.rounds.length > 0 ? props.rounds[props.rounds.length - 1]!.round : 0;

  async function record(e: Event) {
    e.preventDefault();
    if (!field) return setError('変更する項目を選んでください。');
    if (!value.trim()) return setError('変更後の値を入力してください。');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(agreedOn)) return setError('申請者が同意した日を入力してください。');
    setBusy(true);
    setError('');
    setDone('');
    try {
      const c = await rv.recordAgreedChange(props.envelopeId, {
        field_key: field, new_value: value.trim(), agreed_on: agreedOn, how, ...(lastRound > 0 ? { round: lastRound } : {}),
      });
      setDone(`「${c.label_ja}」の変更（${rv.dateJa(c.agreed_on)}、${c.how}で同意）を記録しました。`);
      setValue('');
      setField('');
      await load();
      props.onRecorded();
    } catch (err) {
      setError((err as api.ApiError).messageJa);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card" aria-labelledby="agreed-title" id="agreed-section">
      <h2 id="agreed-title">申請者が同意した変更</h2>
      {data === null && !error && <p>読み込み中です…</p>}
      {data !== null && data.agreed_changes.length === 0 && <p id="no-agreed">記録された変更はありません。</p>}
      {data !== null && data.agreed_changes.length > 0 && (
        <table class="list" id="agreed-changes">
          <caption>この申請で申請者が同意した変更（県への報告に載ります）</caption>
          <thead>
            <tr><th scope="col">項目</th><th scope="col">変更前</th><th scope="col">変更後</th><th scope="col">同意した日</th><th scope="col">方法</th><th scope="col">回</th></tr>
          </thead>
          <tbody>
            {data.agreed_changes.map((c) => (
              <tr key={c.id}>
                <td>{c.label_ja}</td>
                <td class="value">{c.old_value || '（空欄）'}</td>
                <td class="value">{c.new_value}</td>
                <td>{rv.dateJa(c.agreed_on)}</td>
                <td>{c.how}</td>
                <td class="num">{c.round > 0 ? `第${c.round}回` : '―'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {done && <p class="alert info" role="status" id="agreed-result">{done}</p>}
      {data !== null && editable && (
        <form class="form-grid" id="agreed-form" onSubmit={record} noValidate>
          <label for="agreed-field">変更する項目</label>
          <select id="agreed-field" value={field} onChange={(e) => setField((e.target as HTMLSelectElement).value)}>
            <option value="">選んでください</option>
            {data.fields.map((f) => <option key={f.key} value={f.key}>{f.label_ja}</option>)}
          </select>
          {current && <p class="hint" id="agreed-current">現在の値：<span class="value">{current.value || '（空欄）'}</span></p>}
          <label for="agreed-value">変更後の値</label>
          <input id="agreed-value" type="text" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
          <label for="agreed-on">申請者が同意した日</label>
          <input id="agreed-on" type="date" value={agreedOn} onInput={(e) => setAgreedOn((e.target as HTMLInputElement).value)} />
          <label for="agreed-how">同意の方法</label>
          <select id="agreed-how" value={how} onChange={(e) => setHow((e.target as HTMLSelectElement).value)}>
            {HOW.map((h) => <option key={h} value={h}>{h}</option>)}
          </select>
          {error && <p class="alert error" role="alert" id="agreed-error">{error}</p>}
          <div class="actions">
            <button type="submit" id="record-agreed" disabled={busy}>同意した変更を記録する</button>
          </div>
        </form>
      )}
      {data !== null && !editable && (
        <p class="hint">変更を記録できるのは、審査中・補正待ち・県へ照会中の申請です。</p>
      )}
      {(data === null || !editable) && error && <p class="alert error" role="alert">{error}</p>}
    </section>
  );
}
