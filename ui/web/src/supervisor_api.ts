// The supervisor's and administrator's calls (docs/ui.md: /api/v1/supervisor/dashboard,
// /api/v1/export..., /api/v1/admin/...).
import { request } from './api';
import { Round } from './review_api';

export interface StateCount {
  state: string;
  state_ja: string;
  count: number;
  received_that_day: number;
}
export interface HourCount {
  hour: number;
  received: number;
  confirmed: number;
  decisions: number;
}
export interface SyncStatus {
  configured: boolean;
  pending: number;
  delivered: number;
  oldest_pending_at: string;
  last_attempt_at: string;
  last_success_at: string;
  last_error: string;
  worker_running: boolean;
}
export interface Dashboard {
  date: string;
  today: string;
  envelopes_total: number;
  received_that_day: number;
  states: StateCount[];
  overdue: Round[];
  throughput: { hours: HourCount[]; total: { received: number; confirmed: number; decisions: number } };
  sync: SyncStatus;
  backup: { last_backup_at: string; stale: boolean };
}
export interface Certificate {
  subject: string;
  not_after: string;
  fingerprint: string;
}
export interface ExportResult {
  file_no: string;
  date: string;
  file_name: string;
  bytes: number;
  sha256: string;
  recipient_fingerprint: string;
  station_fingerprint: string;
  applications: number;
  files: string[];
}
export interface ExportJob {
  id: number;
  stage: 'preparing' | 'writing' | 'done' | 'failed';
  stage_ja: string;
  stages: string[];
  total: number;
  done: number;
  date: string;
  finished: boolean;
  result: ExportResult | null;
  error: { error: string; message_ja: string; reason_ja?: string } | null;
  download_url?: string;
}
export interface ExportOverview {
  recipient: Certificate | null;
  waiting: number;
  running: boolean;
  last_job: ExportJob | null;
}
export interface KeysOverview {
  recipient: Certificate | null;
  station_certificate: Certificate | null;
  key_file_registered: boolean;
  audit_head: { [key: string]: unknown } | null;
  commands: { what_ja: string; command: string }[];
}
export interface AuditVerify {
  ok: boolean;
  entries: number;
  checkpoints: number;
  last_id: number;
  head_hash: string;
  public_key: string;
  key_pinned: boolean;
  problems: string[];
}

export function dashboard(): Promise<Dashboard> {
  return request('GET', '/api/v1/supervisor/dashboard');
}
export function exportOverview(): Promise<ExportOverview> {
  return request('GET', '/api/v1/export');
}
export async function startExport(): Promise<ExportJob> {
  return (await request<{ job: ExportJob }>('POST', '/api/v1/export/jobs', {})).job;
}
export async function exportJob(id: number): Promise<ExportJob> {
  return (await request<{ job: ExportJob }>('GET', `/api/v1/export/jobs/${id}`)).job;
}
export function keys(): Promise<KeysOverview> {
  return request('GET', '/api/v1/admin/keys');
}
export async function setRecipient(pem: string): Promise<Certificate> {
  return (await request<{ recipient: Certificate }>('POST', '/api/v1/admin/recipient', { pem })).recipient;
}
export function verifyAudit(): Promise<AuditVerify> {
  return request('POST', '/api/v1/admin/audit/verify', {});
}
export function changePassphrase(current_passphrase: string, new_passphrase: string): Promise<unknown> {
  return request('POST', '/api/v1/admin/passphrase', { current_passphrase, new_passphrase });
}

// "2026-12-02T10:15:30+09:00" → "2026-12-02 10:15"
export function when(s: string): string {
  return s ? s.replace('T', ' ').replace(/:\d\d(\.\d+)?\+09:00$/, '').replace(/\+09:00$/, '') : '';
}
export function size(bytes: number): string {
  if (bytes >= 1048576) return `${(bytes / 1048576).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} バイト`;
}
