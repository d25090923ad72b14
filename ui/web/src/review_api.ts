// The review screen's calls (docs/ui.md: /api/v1/envelopes/{id}/review, /decision,
// /api/v1/corrections and the correction letter).
import { request, EnvelopeSummary, PageInfo } from './api';

export interface Finding {
  code: string;
  severity: 'block' | 'warn' | string;
  message_ja: string;
  field: string | null;
  page: number | null;
  page_id: number | null;
  box: { x: number; y: number; w: number; h: number } | null;
  related: string;
}

export interface Candidate {
  facility_id: string;
  name: string;
  address: string;
  jigyosho_no: string;
  reasons_ja: string[];
}

export interface Transition {
  from: string;
  from_ja: string;
  to: string;
  to_ja: string;
  event: string;
  event_ja: string;
  text_ja: string;
  at: string;
  by: string;
  reason: string;
  override_reason: string;
}

export interface Defect {
  code: string;
  field_key: string;
  text: string;
}

export interface Round {
  envelope_id: number;
  receipt_no: string;
  round: number;
  request_date: string;
  deadline: string;
  requested_by: string;
  note: string;
  defects: Defect[];
  open: boolean;
  overdue: boolean;
  received_date: string;
  letter_url: string;
  days_left: number | null;
  reply_receipt_no: string;
  received_by: string;
}

export interface Review {
  envelope: EnvelopeSummary;
  list_version: number;
  facility_id: string;
  findings: Finding[];
  blocking: number;
  candidates: Candidate[];
  facility_values: { key: string; label_ja: string; value: string }[];
  pages: PageInfo[];
  history: Transition[];
  rounds: Round[];
  can_override: boolean;
}

export type DecisionKind = 'accept' | 'request_correction' | 'refer' | 'reject' | 'resume';

export interface DecisionBody {
  decision: DecisionKind;
  reason: string;
  note: string;
  defects: Defect[];
  override: boolean;
}

export interface DecisionResult {
  envelope_id: number;
  state: string;
  state_ja: string;
  round: number;
  deadline: string;
  blocking_findings: number;
  letter_url?: string;
}

export function review(envelopeId: number): Promise<Review> {
  return request('GET', `/api/v1/envelopes/${envelopeId}/review`);
}

export function decide(envelopeId: number, body: DecisionBody): Promise<DecisionResult> {
  return request('POST', `/api/v1/envelopes/${envelopeId}/decision`, body);
}

export async function corrections(overdueOnly: boolean): Promise<Round[]> {
  return (await request<{ corrections: Round[] }>('GET', `/api/v1/corrections${overdueOnly ? '?overdue=1' : ''}`)).corrections;
}

// ---- the correction workflow around the review (docs/ui.md "review"): the letter previewed before
// it is issued, the applicant's reply received, agreed changes.

export interface PreviewPage {
  number: number;
  url: string;
  width: number;
  height: number;
}

export interface LetterPreview {
  envelope_id: number;
  round: number;
  request_date: string;
  deadline: string;
  days_left: number | null;
  pages: PreviewPage[];
}

export function previewLetter(envelopeId: number, defects: Defect[], note: string): Promise<LetterPreview> {
  return request('POST', `/api/v1/envelopes/${envelopeId}/corrections/preview`, { defects, note });
}

export function receiveReply(envelopeId: number, replyEnvelopeId: number): Promise<{ round: Round; envelope: EnvelopeSummary }> {
  return request('POST', `/api/v1/envelopes/${envelopeId}/corrections/receive`, { reply_envelope_id: replyEnvelopeId });
}

export interface AgreedChange {
  id: number;
  envelope_id: number;
  receipt_no: string;
  round: number;
  field_key: string;
  label_ja: string;
  old_value: string;
  new_value: string;
  agreed_on: string;
  how: string;
  recorded_by: string;
  recorded_at: string;
}

export interface AgreedChanges {
  agreed_changes: AgreedChange[];
  fields: { key: string; label_ja: string; value: string }[];
  today: string;
}

export function agreedChanges(envelopeId: number): Promise<AgreedChanges> {
  return request('GET', `/api/v1/envelopes/${envelopeId}/agreed-changes`);
}

export function recordAgreedChange(envelopeId: number, change: { field_key: string; new_value: string; agreed_on: string; how: string; round?: number }): Promise<AgreedChange> {
  return request('POST', `/api/v1/envelopes/${envelopeId}/agreed-changes`, change);
}

export async function agreedChangesReport(from: string, to: string): Promise<AgreedChange[]> {
  const q = new URLSearchParams({ from, to }).toString();
  return (await request<{ agreed_changes: AgreedChange[] }>('GET', `/api/v1/agreed-changes?${q}`)).agreed_changes;
}

const WEEKDAYS_JA = ['日', '月', '火', '水', '木', '金', '土'];

// 2026-12-15 → 2026年12月15日（火）; the text as it is when it is not a date.
export function dateJa(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日（${WEEKDAYS_JA[d.getUTCDay()]}）`;
}

// What is left before a deadline, in words: あと3日 / 本日が期限 / 期限を2日過ぎています.
export function daysLeftJa(days: number | null): string {
  if (days === null) return '';
  if (days > 0) return `あと${days}日`;
  if (days === 0) return '本日が期限';
  return `期限を${-days}日過ぎています`;
}
