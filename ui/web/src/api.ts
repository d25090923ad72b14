// The JSON API v1 (docs/ui.md): the only way the screens talk to the station. Writes carry the
// session's CSRF token in X-CSRF-Token; the session itself is the HttpOnly cookie.

export interface User {
  username: string;
  role: 'clerk' | 'reviewer' | 'supervisor' | 'admin';
  role_ja: string;
}

export interface SessionInfo {
  user: User;
  csrf: string;
  idle_minutes: number;
}

export interface EnvelopeSummary {
  id: number;
  receipt_no: string;
  received_date: string;
  pages: number;
  fields_total: number;
  fields_confirmed: number;
  state: string;
  state_ja: string;
}

export interface PageInfo {
  id: number;
  seq: number;
  kind: string;
  width: number;
  height: number;
  image_url: string;
  image_width: number;
}

export interface CharInfo {
  c: string;
  confidence: number;
  alternatives: string[];
  doubtful: boolean;
}

export interface Attention {
  code: string;
  text_ja: string;
}

export interface Field {
  id: number;
  key: string;
  label_ja: string;
  value: string;
  read_value: string;
  // Blind double entry: "" when the field is not under it, else its entry state (the value and
  // reading are then hidden until it is decided; it is keyed on the 二重入力 screen).
  double_entry?: string;
  confidence: number;
  needs_attention: boolean;
  attention: Attention[];
  status: 'suggested' | 'confirmed';
  confirmed_by: string;
  confirmed_at: string;
  page_id: number;
  box: { x: number; y: number; w: number; h: number };
  chars: CharInfo[];
  chars_source: 'reader' | 'value';
  export_value: string;
  export_note_ja: string;
}

export interface Verification {
  envelope: EnvelopeSummary;
  recognition_pending: boolean;
  threshold: number;
  pages: PageInfo[];
  fields: Field[];
}

export class ApiError extends Error {
  constructor(public status: number, public code: string, public messageJa: string) {
    super(messageJa);
  }
}

let csrfToken = '';
export function setCsrf(token: string): void {
  csrfToken = token;
}

// Called on 401: the session ended (idle lock, logout elsewhere, account changed).
let onSessionEnded: () => void = () => {};
export function whenSessionEnds(callback: () => void): void {
  onSessionEnded = callback;
}

const kUnreachable = '端末のサーバーに接続できませんでした。しばらく待ってから、もう一度操作してください。';

export async function request<T>(method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', cache: 'no-store', headers: { ...headers } };
  if (method === 'POST') {
    (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
    if (!('X-CSRF-Token' in headers)) (init.headers as Record<string, string>)['X-CSRF-Token'] = csrfToken;
    init.body = JSON.stringify(body ?? {});
  }
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch {
    throw new ApiError(0, 'unreachable', kUnreachable);
  }
  let json: unknown = null;
  try {
    json = await res.json();
  } catch {
    json = null;
  }
  if (!res.ok) {
    const j = (json ?? {}) as { error?: string; message_ja?: string; reason_ja?: string };
    const text = [j.message_ja, j.reason_ja].filter((s) => !!s).join(' ') || kUnreachable;
    if (res.status === 401 && !url.startsWith('/api/v1/login') && url !== '/api/v1/session') onSessionEnded();
    throw new ApiError(res.status, j.error ?? 'error', text);
  }
  return json as T;
}

export async function session(): Promise<SessionInfo> {
  const s = await request<SessionInfo>('GET', '/api/v1/session');
  setCsrf(s.csrf);
  return s;
}

export async function login(username: string, password: string, newPassword?: string): Promise<SessionInfo> {
  const form = await request<{ login_token: string }>('GET', '/api/v1/login');
  const body: Record<string, string> = { username, password };
  if (newPassword !== undefined) body.new_password = newPassword;
  const s = await request<SessionInfo>('POST', '/api/v1/login', body, { 'X-CSRF-Token': form.login_token });
  setCsrf(s.csrf);
  return s;
}

export async function logout(): Promise<void> {
  await request<unknown>('POST', '/api/v1/logout');
  setCsrf('');
}

export function envelopes(): Promise<{ envelopes: EnvelopeSummary[]; can_verify: boolean }> {
  return request('GET', '/api/v1/envelopes');
}

export function verification(envelopeId: number): Promise<Verification> {
  return request('GET', `/api/v1/envelopes/${envelopeId}/verification`);
}

export async function confirmField(fieldId: number): Promise<Field> {
  return (await request<{ field: Field }>('POST', `/api/v1/fields/${fieldId}/confirm`)).field;
}

export async function correctField(fieldId: number, value: string): Promise<Field> {
  return (await request<{ field: Field }>('POST', `/api/v1/fields/${fieldId}/correct`, { value })).field;
}

export function confirmPage(envelopeId: number, pageId: number): Promise<{ confirmed: number; remaining: number; fields: Field[] }> {
  return request('POST', `/api/v1/envelopes/${envelopeId}/pages/${pageId}/confirm`);
}
