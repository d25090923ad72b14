// The intake screen's calls (docs/ui.md, /api/v1/intake/...): scanners, capture jobs and their
// progress, an envelope's pages, the blank-page check, turning, ordering and moving pages, and
// the day's receipt log.
import { request } from './api';

export interface Scanner {
  name: string;
  vendor: string;
  model: string;
  profile: string;
}

export interface PageFlag {
  code: string;
  text_ja: string;
}

export interface IntakePage {
  id: number;
  seq: number;
  kind: string;
  kind_ja: string;
  width: number;
  height: number;
  flags: PageFlag[];
  blank: boolean;
  blank_confirmed: boolean;
  thumbnail_url: string;
}

export interface IntakeEnvelope {
  id: number;
  receipt_no: string;
  received_date: string;
  pages: number;
  state: string;
  state_ja: string;
  text_ja: string;
  changeable: boolean;
  blank_pages: number;
  page_list: IntakePage[];
  problems_ja?: string[];
}

export interface Job {
  id: number;
  kind: 'scan' | 'import';
  state: 'running' | 'done' | 'interrupted' | 'failed';
  state_ja: string;
  pages: number;
  pages_per_minute: number;
  envelope_count: number;
  blank_pages: number;
  flagged_pages: number;
  problem_ja: string;
  error: string;
  continue_envelope_id: number | null;
  envelopes: IntakeEnvelope[];
}

export interface StartRequest {
  kind: 'scan' | 'import';
  device?: string;
  source?: string;
  separate?: boolean;
  received_date?: string;
  enclosures?: number;
  folder?: string;
  continue_envelope_id?: number;
}

export interface LogRow {
  envelope_id: number;
  receipt_no: string;
  received_date: string;
  received_at: string;
  clerk: string;
  enclosures: number;
  pages: number;
  blank_pages: number;
  flagged_pages: number;
  source: string;
  source_ja: string;
  status: string;
  status_ja: string;
}

export function scanners(): Promise<{ scanners: Scanner[]; note_ja: string }> {
  return request('GET', '/api/v1/intake/scanners');
}

export async function startJob(r: StartRequest): Promise<number> {
  return (await request<{ job_id: number }>('POST', '/api/v1/intake/jobs', r)).job_id;
}

export function job(id: number): Promise<Job> {
  return request('GET', `/api/v1/intake/jobs/${id}`);
}

export async function envelope(id: number): Promise<IntakeEnvelope> {
  return (await request<{ envelope: IntakeEnvelope }>('GET', `/api/v1/intake/envelopes/${id}`)).envelope;
}

export function confirmBlank(pageId: number, blank: boolean): Promise<unknown> {
  return request('POST', `/api/v1/intake/pages/${pageId}/blank`, { blank });
}

export function rotate(pageId: number, degrees: 90 | 180 | 270): Promise<unknown> {
  return request('POST', `/api/v1/intake/pages/${pageId}/rotate`, { degrees });
}

export async function reorder(envelopeId: number, pageIds: number[]): Promise<IntakeEnvelope> {
  return (await request<{ envelope: IntakeEnvelope }>('POST', `/api/v1/intake/envelopes/${envelopeId}/order`, { page_ids: pageIds }))
    .envelope;
}

export function move(pageId: number, toReceiptNo: string): Promise<{ to_envelope_id: number }> {
  return request('POST', `/api/v1/intake/pages/${pageId}/move`, { to_receipt_no: toReceiptNo });
}

export function log(date: string): Promise<{ date: string; rows: LogRow[]; xlsx_url: string }> {
  return request('GET', `/api/v1/intake/log?date=${encodeURIComponent(date)}`);
}
