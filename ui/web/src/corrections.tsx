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
              <th scope="col">状況</th>
              {props.canReview && <th scope="col">審査</th>}
            </tr>
          </thead>
          <tbody>
            {list.map((r) => (
              <tr key={`${r.envelope_id}-${r.round}`} class={r.overdue ? 'overdue' : ''}>
                <td>{r.receipt_no}</td>
                <td class="num">第{r.round}回</td>
                <td>{r.request_date}</td>
                <td>{r.deadline}</td>
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
    </main>
  );
}
