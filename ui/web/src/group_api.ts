// Group verification's calls (docs/ui.md: /api/v1/doubtful-characters and its decide).
import { request, PageInfo } from './api';

export interface DoubtfulCell {
  field_id: number;
  envelope_id: number;
  receipt_no: string;
  page_id: number;
  key: string;
  label_ja: string;
  index: number;
  length: number;
  c: string;
  confidence: number;
  alternatives: string[];
  box: { x: number; y: number; w: number; h: number };
  page: PageInfo | null;
}

export interface DoubtfulGroup {
  chars: string;
  threshold: number;
  fields: number;
  truncated: boolean;
  cells: DoubtfulCell[];
}

export interface Decision {
  field_id: number;
  index: number;
  read: string;
  value: string;
}

export interface DecideResult {
  confirmed: number;
  corrected: number;
  refused: { field_id: number; reason_ja: string }[];
}

export function doubtfulCharacters(chars: string): Promise<DoubtfulGroup> {
  return request('GET', `/api/v1/doubtful-characters?chars=${encodeURIComponent(chars)}`);
}

export function decideCharacters(cells: Decision[]): Promise<DecideResult> {
  return request('POST', '/api/v1/doubtful-characters/decide', { cells });
}
