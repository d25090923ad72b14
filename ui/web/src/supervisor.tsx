// 「監督」: the supervisor's dashboard (issue #17). Today's counts by state, the overdue correction
// requests (each linking to its review), the day's throughput per hour as an SVG chart with the same
// figures in a table beside it, and the sync and backup status. Loaded on opening and on 更新 (each
// look reads the audit log, which records the look).
import { useEffect, useState } from 'preact/hooks';
import * as api from './api';
import * as sv from './supervisor_api';
import * as eapi from './entries_api';
import './supervisor.css';

type Series = 'received' | 'confirmed' | 'decisions';
const kSeries: { key: Series; label: string; unit: string }[] = [
  { key: 'received', label: '受け付けた封筒', unit: '通' },
  { key: 'confirmed', label: '確認した値', unit: '件' },
  { key: 'decisions', label: '審査の判断', unit: '件' },
];

// The hours to show: the working day (8–18 時) widened to any hour with work.
function shownHours(hours: sv.HourCount[]): sv.HourCount[] {
  const active = hours.filter((h) => h.received + h.confirmed + h.decisions > 0).map((h) => h.hour);
  const from = Math.min(8, ...active);
  const to = Math.max(18, ...active);
  return hours.filter((h) => h.hour >= from && h.hour <= to);
}

// One series as bars, one per hour; the figures are in the table below as well.
function HourChart(props: { hours: sv.HourCount[]; series: (typeof kSeries)[number]; date: string }) {
  const { hours, series } = props;
  const max = Math.max(1, ...hours.map((h) => h[series.key]));
  const w = 40;
  const height = 150;
  const top = 20;
  const bottom = 26;
  const width = hours.length * w + 10;
  const id = `chart-${series.key}`;
  const total = hours.reduce((n, h) => n + h[series.key], 0);
  return (
    <figure class="chart">
      <svg role="img" aria-labelledby={`${id}-title ${id}-desc`} viewBox={`0 0 ${width} ${height}`} class="chart-svg" id={id}>
        <title id={`${id}-title`}>{`${series.label}（${props.date}、1時間ごと）`}</title>
        <desc id={`${id}-desc`}>
          {`合計 ${total}${series.unit}。` +
            hours.filter((h) => h[series.key] > 0).map((h) => `${h.hour}時台 ${h[series.key]}${series.unit}`).join('、')}
        </desc>
        <line class="axis" x1={5} y1={height - bottom} x2={width - 5} y2={height - bottom} />
        {hours.map((h, i) => {
          const v = h[series.key];
          const barH = Math.round(((height - top - bottom) * v) / max);
          const x = 5 + i * w + 6;
          return (
            <g key={h.hour}>
              <rect class={`bar ${series.key}`} x={x} y={height - bottom - barH} width={w - 12} height={barH} />
              {v > 0 && (
                <text class="bar-value" x={x + (w - 12) / 2} y={height - bottom - barH - 4} text-anchor="middle">
                  {v}
                </text>
              )}
              <text class="hour" x={x + (w - 12) / 2} y={height - 8} text-anchor="middle">
                {h.hour}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        {series.label}（合計 {total}
        {series.unit}）
      </figcaption>
    </figure>
  );
}

function syncText(s: sv.SyncStatus): string {
  if (!s.configured) return '本庁システムとの同期は設定されていません。';
  const last = s.last_success_at ? `最後に成功した同期: ${sv.when(s.last_success_at)}。` : 'まだ同期に成功していません。';
  const pending = s.pending > 0 ? `送信待ちの変更 ${s.pending}件（${sv.when(s.oldest_pending_at)} から）。` : '送信待ちの変更はありません。';
  const err = s.last_error ? `前回の同期は失敗しました（${s.last_error}）。` : '';
  return last + pending + err;
}

export function SupervisorScreen() {
  const [data, setData] = useState<sv.Dashboard | null>(null);
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(false);

  const load = () => {
    setLoading(true);
    sv.dashboard()
      .then((d) => {
        setData(d);
        setError('');
      })
      .catch((e) => setError((e as api.ApiError).messageJa))
      .finally(() => setLoading(false));
  };
  const [entryTypes, setEntryTypes] = useState<eapi.Settings | null>(null);
  useEffect(() => {
    document.title = '監督｜申請書確認端末';
    load();
    eapi.settings().then(setEntryTypes).catch(() => setEntryTypes(null));
  }, []);

  const hours = data ? shownHours(data.throughput.hours) : [];
  const nonzero = data ? data.states.filter((s) => s.count > 0) : [];
  return (
    <main id="supervisor-screen">
      <div class="screen-head">
        <h1>監督{data ? `（${data.date}）` : ''}</h1>
        <button type="button" class="secondary small" onClick={load} disabled={loading} id="dashboard-refresh">
          最新の状態に更新する
        </button>
      </div>
      <p role="status" class="sr-status">
        {loading ? '読み込み中です…' : data ? '最新の状態を表示しています。' : ''}
      </p>
      {error && <p class="alert error" role="alert">{error}</p>}
      {data && (
        <div class="dash-grid">
          <section class="card" aria-labelledby="counts-h">
            <h2 id="counts-h">状態ごとの件数</h2>
            <p id="counts-summary">
              全部で {data.envelopes_total}通、うち {data.date} の受付 {data.received_that_day}通
            </p>
            <table class="list" id="state-counts">
              <caption>封筒の今の状態ごとの件数（件数のある状態）</caption>
              <thead>
                <tr>
                  <th scope="col">状態</th>
                  <th scope="col">件数</th>
                  <th scope="col">{data.date} の受付分</th>
                </tr>
              </thead>
              <tbody>
                {nonzero.length === 0 && (
                  <tr>
                    <td colSpan={3}>封筒はまだありません。</td>
                  </tr>
                )}
                {nonzero.map((s) => (
                  <tr key={s.state}>
                    <th scope="row">{s.state_ja}</th>
                    <td class="num">{s.count}</td>
                    <td class="num">{s.received_that_day}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>

          <section class="card" aria-labelledby="overdue-h">
            <h2 id="overdue-h">期限切れの補正依頼</h2>
            {data.overdue.length === 0 ? (
              <p id="overdue-none">期限切れの補正依頼はありません。</p>
            ) : (
              <ul class="overdue-list" id="overdue-list">
                {data.overdue.map((r) => (
                  <li key={`${r.envelope_id}-${r.round}`}>
                    <a class="button small" href={`#/envelopes/${r.envelope_id}/review`}
                       aria-label={`審査画面を開く（受付番号 ${r.receipt_no}、第${r.round}回、提出期限 ${r.deadline}）`}>
                      {r.receipt_no} 第{r.round}回（期限 {r.deadline}）
                    </a>
                  </li>
                ))}
              </ul>
            )}
            <a href="#/corrections">補正依頼の一覧を開く</a>
          </section>

          <section class="card wide" aria-labelledby="throughput-h">
            <h2 id="throughput-h">1時間ごとの処理件数（{data.date}）</h2>
            <div class="charts">
              {kSeries.map((s) => (
                <HourChart key={s.key} hours={hours} series={s} date={data.date} />
              ))}
            </div>
            <table class="list compact" id="throughput-table">
              <caption>同じ数字の表（監査ログの記録から数えています）</caption>
              <thead>
                <tr>
                  <th scope="col">時間帯</th>
                  {kSeries.map((s) => (
                    <th scope="col" key={s.key}>{s.label}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {hours.map((h) => (
                  <tr key={h.hour}>
                    <th scope="row">{h.hour}時台</th>
                    {kSeries.map((s) => (
                      <td class="num" key={s.key}>{h[s.key]}</td>
                    ))}
                  </tr>
                ))}
                <tr class="total">
                  <th scope="row">合計</th>
                  {kSeries.map((s) => (
                    <td class="num" key={s.key}>{data.throughput.total[s.key]}</td>
                  ))}
                </tr>
              </tbody>
            </table>
          </section>

          <section class="card" aria-labelledby="sync-h">
            <h2 id="sync-h">同期とバックアップ</h2>
            <p id="sync-status">{syncText(data.sync)}</p>
            <p id="backup-status" class={data.backup.stale ? 'alert error' : ''}>
              {data.backup.last_backup_at
                ? `最後の正常なバックアップ: ${sv.when(data.backup.last_backup_at)}。`
                : 'まだ正常なバックアップがありません。'}
              {data.backup.stale ? '1日以上バックアップがありません。管理者に作成を依頼してください。' : ''}
            </p>
            <a class="button" href="#/export" id="go-export">出力の画面を開く</a>
          </section>

          {entryTypes && (
            <section class="card" aria-labelledby="double-entry-h">
              <h2 id="double-entry-h">二重入力の対象</h2>
              <p id="double-entry-types">
                {entryTypes.types.length === 0
                  ? 'なし（すべての項目を1人の確認で確定します）。'
                  : entryTypes.types.map((t) => t.label_ja).join('、')}
              </p>
              <p>設定は端末の設定ファイル（[verification] double_entry）で変更します。</p>
              <a class="button secondary" href="#/entries/decide" id="go-entries-decide">二重入力の判定を開く</a>
            </section>
          )}
        </div>
      )}
    </main>
  );
}
