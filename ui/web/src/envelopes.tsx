// The work queue: envelopes with their state and how many values are confirmed; reviewers and
// supervisors open the verification screen from here.
import { useEffect, useState } from 'preact/hooks';
import * as api from './api';

export function EnvelopeList() {
  const [list, setList] = useState<api.EnvelopeSummary[] | null>(null);
  const [canVerify, setCanVerify] = useState(false);
  const [error, setError] = useState('');

  useEffect(() => {
    document.title = '受付一覧｜申請書確認端末';
    api
      .envelopes()
      .then((r) => {
        setList(r.envelopes);
        setCanVerify(r.can_verify);
      })
      .catch((e) => setError((e as api.ApiError).messageJa));
  }, []);

  return (
    <main id="envelope-list">
      <h1>受付一覧</h1>
      {error && (
        <p class="alert error" role="alert">
          {error}
        </p>
      )}
      {list === null && !error && <p>読み込み中です…</p>}
      {list !== null && list.length === 0 && <p class="card">受け付けた封筒はまだありません。</p>}
      {list !== null && list.length > 0 && (
        <table class="list">
          <caption>受け付けた封筒と確認の進み具合</caption>
          <thead>
            <tr>
              <th scope="col">受付番号</th>
              <th scope="col">受付日</th>
              <th scope="col">ページ数</th>
              <th scope="col">確認済み／項目数</th>
              <th scope="col">状態</th>
              {canVerify && <th scope="col">入力確認</th>}
              {canVerify && <th scope="col">審査</th>}
            </tr>
          </thead>
          <tbody>
            {list.map((e) => (
              <tr key={e.id}>
                <td>{e.receipt_no}</td>
                <td>{e.received_date}</td>
                <td class="num">{e.pages}</td>
                <td class="num">
                  {e.fields_confirmed} / {e.fields_total}
                </td>
                <td>{e.state_ja}</td>
                {canVerify && (
                  <td>
                    <a class="button verify-open" href={`#/envelopes/${e.id}`}
                       aria-label={`確認する（受付番号 ${e.receipt_no}）`}>
                      確認する
                    </a>
                  </td>
                )}
                {canVerify && (
                  <td>
                    {e.fields_total > 0 && e.fields_confirmed === e.fields_total && (
                      <a class="button secondary review-open" href={`#/envelopes/${e.id}/review`}
                         aria-label={`審査する（受付番号 ${e.receipt_no}）`}>
                        審査する
                      </a>
                    )}
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
