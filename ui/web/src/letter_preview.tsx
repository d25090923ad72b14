// The correction letter (補正指示書) as it will be issued, shown before it is: the station renders
// the proposed request's letter and serves its pages as images (the policy frames no PDF).
import * as rv from './review_api';

export function LetterPreviewPages(props: { preview: rv.LetterPreview; receiptNo: string }) {
  const p = props.preview;
  return (
    <div class="letter-pages" id="letter-pages">
      <p id="preview-summary">
        第{p.round}回の補正依頼として、本日（{rv.dateJa(p.request_date)}）発行します。
        提出期限は <strong>{rv.dateJa(p.deadline)}</strong>
        {p.days_left !== null && `（${rv.daysLeftJa(p.days_left)}）`}です。
        補正指示書は {p.pages.length} ページです。
      </p>
      {p.pages.map((page) => (
        <figure class="letter-page" key={page.url}>
          <img src={page.url} width={page.width} height={page.height} class="letter-image"
               alt={`補正指示書（受付番号 ${props.receiptNo}、第${p.round}回）の ${page.number} ページ目`} />
          <figcaption>{page.number} / {p.pages.length} ページ</figcaption>
        </figure>
      ))}
    </div>
  );
}
