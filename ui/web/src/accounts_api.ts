// The account screens' calls (docs/ui.md, /api/v1/accounts and /api/v1/me/password).
import { request, User } from './api';

export type Role = User['role'];

export interface Account {
  username: string;
  role: Role;
  role_ja: string;
  state: 'active' | 'locked' | 'disabled';
  disabled: boolean;
  must_change_password: boolean;
  failed_attempts: number;
  locked_until: string;
  last_login_at: string;
  created_at: string;
}

export const kRoles: { value: Role; label: string }[] = [
  { value: 'clerk', label: '受付担当' },
  { value: 'reviewer', label: '審査担当' },
  { value: 'supervisor', label: '責任者' },
  { value: 'admin', label: '管理者' },
];

export async function accounts(): Promise<Account[]> {
  return (await request<{ accounts: Account[] }>('GET', '/api/v1/accounts')).accounts;
}

export function createAccount(username: string, password: string, role: Role): Promise<{ account: Account }> {
  return request('POST', '/api/v1/accounts', { username, password, role });
}

const path = (name: string, action: string) => `/api/v1/accounts/${encodeURIComponent(name)}/${action}`;

export function resetPassword(username: string): Promise<{ username: string; one_time_password: string }> {
  return request('POST', path(username, 'reset'));
}

export function disableAccount(username: string): Promise<unknown> {
  return request('POST', path(username, 'disable'));
}

export function enableAccount(username: string): Promise<unknown> {
  return request('POST', path(username, 'enable'));
}

export function setRole(username: string, role: Role): Promise<{ user: User }> {
  return request('POST', path(username, 'role'), { role });
}

export function changeOwnPassword(current_password: string, new_password: string): Promise<unknown> {
  return request('POST', '/api/v1/me/password', { current_password, new_password });
}
