// Blind double entry's calls (docs/ui.md: /api/v1/entries...).
import { request, PageInfo } from './api';

export interface EntryTask {
  field_id: number;
  envelope_id: number;
  receipt_no: string;
  key: string;
  label_ja: string;
  type: string;
  type_ja: string;
  state: 'awaiting_first' | 'awaiting_second' | 'disputed' | 'decided';
  state_ja: string;
  round: number;
  page_id: number;
  box: { x: number; y: number; w: number; h: number };
  page: PageInfo | null;
}

export interface EntryRecord {
  round: number;
  round_ja: string;
  value: string;
  user: string;
  at: string;
}

export interface Dispute extends EntryTask {
  entries: EntryRecord[];
}

export interface Outcome {
  field_id: number;
  state: EntryTask['state'];
  state_ja: string;
  confirmed: boolean;
  value?: string;
}

export interface Settings {
  types: { type: string; label_ja: string }[];
  known: { type: string; label_ja: string; on: boolean }[];
}

export function settings(): Promise<Settings> {
  return request('GET', '/api/v1/entries/settings');
}

export function tasks(queue: 'key' | 'decide'): Promise<{ queue: string; fields: EntryTask[] }> {
  return request('GET', `/api/v1/entries?queue=${queue}`);
}

export function submit(fieldId: number, round: number, value: string): Promise<Outcome> {
  return request('POST', `/api/v1/entries/${fieldId}`, { round, value });
}

export function dispute(fieldId: number): Promise<Dispute> {
  return request('GET', `/api/v1/entries/${fieldId}/dispute`);
}

export function decide(fieldId: number, value: string): Promise<Outcome> {
  return request('POST', `/api/v1/entries/${fieldId}/decide`, { value });
}
