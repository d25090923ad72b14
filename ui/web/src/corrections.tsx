// 「補正依頼の一覧」: open correction requests with their deadlines, overdue first (the server's
// order); reviewers and supervisors open the application's review from here.
import { useEffect, useState } from 'preact/hooks';
import * as api from './api';
import * as rv from './review_api';
import './review.css';

export function CorrectionsScreen(props: { canReview: boolean }) {
  const [list, setList] = useState<rv.Round[] | null>(null);
  const [overdueOnly, setOverdueOnly] = useState(false);
  const [error, setError] = useState('');

  useEffect(() => {
    document.title = '補正依頼の一覧｜申請書確認端末';
    setList(null);
    rv.corrections(overdueOnly)
      .then((l) => {
        setList(l);
        setError('');
      })
      .catch((e) => setError((e as api.ApiError).messageJa));
  }, [overdueOnly]);

  const overdue = list?.filter((r) => r.overdue).length ?? 0;
  return (
    <main id="corrections-screen">
      <h1>補正依頼の一覧</h1>
      <label class="choice">
        <input type="checkbox" id="overdue-only" checked={overdueOnly}
               onChange={(e) => setOverdueOnly((e.target as HTMLInputElement).checked)} />
        期限切れのものだけを表示する
      </label>
      {error && <p class="alert error" role="alert">{error}</p>}
      {list === null && !error && <p>読み込み中です…</p>}
      {list !== null && (
        <p role="status" id="corrections-count">
          回答待ちの補正依頼 {list.length}件{overdue > 0 ? `（うち期限切れ ${overdue}件）` : ''}
        </p>
      )}
      {list !== null && list.length > 0 && (
        <table class="list" id="corrections">
          <caption>回答待ちの補正依頼（期限切れが先、次に提出期限の早い順）</caption>
          <thead>
            <tr>
              <th scope="col">受付番号</th>
              <th scope="col">回</th>
              <th scope="col">依頼日</th>
              <th scope="col">提出期限</th>
              <th scope="col">残り日数</th>
              <th scope="col">状況</th>
              {props.canReview && <th scope="col">審査</th>}
            </tr>
          </thead>
          <tbody>
            {list.map((r) => (
              <tr key={`${r.envelope_id}-${r.round}`} class={r.overdue ? 'overdue' : ''}>
                <td>{r.receipt_no}</td>
                <td class="num">第{r.round}回</td>
                <td>{rv.dateJa(r.request_date)}</td>
                <td>{rv.dateJa(r.deadline)}</td>
                <td class="days-left">{rv.daysLeftJa(r.days_left)}</td>
                <td>{r.overdue ? <span class="badge attention">期限切れ</span> : '回答待ち'}</td>
                {props.canReview && (
                  <td>
                    <a class="button small" href={`#/envelopes/${r.envelope_id}/review`}
                       aria-label={`審査画面を開く（受付番号 ${r.receipt_no}）`}>審査画面を開く</a>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.canReview && <AgreedReport />}
    </main>
  );
}

// 「申請者が同意した変更（県への報告）」: every application's agreed changes by the date agreed.
function AgreedReport() {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [list, setList] = useState<rv.AgreedChange[] | null>(null);
  const [error, setError] = useState('');

  async function show(e?: Event) {
    e?.preventDefault();
    try {
      setList(await rv.agreedChangesReport(from, to));
      setError('');
    } catch (err) {
      setError((err as api.ApiError).messageJa);
    }
  }
  useEffect(() => {
    show();
  }, []);

  return (
    <section class="card" aria-labelledby="agreed-report-title" id="agreed-report">
      <h2 id="agreed-report-title">申請者が同意した変更（県への報告）</h2>
      <form class="agreed-filter" onSubmit={show} noValidate>
        <label for="agreed-from">同意した日（から）</label>
        <input id="agreed-from" type="date" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} />
        <label for="agreed-to">同意した日（まで）</label>
        <input id="agreed-to" type="date" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
        <button type="submit" id="agreed-report-show">表示する</button>
      </form>
      {error && <p class="alert error" role="alert">{error}</p>}
      {list !== null && list.length === 0 && <p id="agreed-report-empty">該当する変更はありません。</p>}
      {list !== null && list.length > 0 && (
        <table class="list" id="agreed-report-list">
          <caption>同意した日の順（{list.length}件）</caption>
          <thead>
            <tr><th scope="col">受付番号</th><th scope="col">項目</th><th scope="col">変更前</th><th scope="col">変更後</th><th scope="col">同意した日</th><th scope="col">方法</th></tr>
          </thead>
          <tbody>
            {list.map((c) => (
              <tr key={c.id}>
                <td>{c.receipt_no}</td>
                <td>{c.label_ja}</td>
                <td class="value">{c.old_value || '（空欄）'}</td>
                <td class="value">{c.new_value}</td>
                <td>{rv.dateJa(c.agreed_on)}</td>
                <td>{c.how}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
