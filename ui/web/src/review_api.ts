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
