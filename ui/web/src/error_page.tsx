// The front-end's error screen. The server builds no HTML (issue #17): a request for a page that
// fails (an unknown path, a refused form, an internal error) gets one of the bundle's static error
// pages (the shell index.html with the code on its <html>, made by embed_bundle.cmake) with its
// HTTP status; the page carries only a code (<html data-error="NOT_FOUND">) and this screen shows
// its Japanese message.
import { useEffect } from 'preact/hooks';

type ErrorText = { title: string; message: string };

// By the codes of the static error pages (and of the API's errors where they share a meaning).
const kErrorTexts: Record<string, ErrorText> = {
  NOT_FOUND: {
    title: 'ページが見つかりません',
    message: 'お探しのページはありません。アドレスを確かめるか、受付一覧から開き直してください。',
  },
  FORBIDDEN: {
    title: 'この操作はできません',
    message: 'この操作を行う権限がありません。担当の方に依頼してください。',
  },
  STALE_FORM: {
    title: '操作を受け付けられませんでした',
    message: '画面の有効期限が切れたか、別の画面からの送信です。画面を開き直してから、もう一度操作してください。',
  },
  BAD_REQUEST: {
    title: '要求を受け付けられませんでした',
    message: '送られた内容を読み取れませんでした。画面を開き直してから、もう一度操作してください。',
  },
  INTERNAL: {
    title: 'エラーが発生しました',
    message: '内部エラーが発生しました。画面の内容を控えて管理者に連絡してください。',
  },
};

export function errorText(code: string): ErrorText {
  return kErrorTexts[code] ?? kErrorTexts.INTERNAL;
}

export function ErrorScreen(props: { code: string }) {
  const text = errorText(props.code);
  useEffect(() => {
    document.title = `${text.title}｜申請書確認端末`;
  }, [text.title]);
  return (
    <div class="shell">
      <header class="bar">
        <a class="title" href="/app">申請書確認端末</a>
      </header>
      <main id="error-screen" data-code={props.code}>
        <h1>{text.title}</h1>
        <p class="alert error" role="alert" id="error-message">
          {text.message}
        </p>
        <p>
          <a class="button" href="/app" id="error-back">
            受付一覧へ戻る
          </a>
        </p>
      </main>
    </div>
  );
}
