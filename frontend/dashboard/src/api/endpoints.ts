import { http } from './http';
import type {
  CannedResponse,
  Conversation,
  ConversationPage,
  ConversationPatch,
  Invite,
  Message,
  MessagePage,
  Role,
  Settings,
  SettingsPatch,
  TenantInfo,
  User,
  VisitorConversation,
} from './types';

const enc = encodeURIComponent;

export interface ListParams {
  status?: string;
  assignee?: string;
  handoff?: string;
  q?: string;
  label?: string;
  cursor?: string;
  limit?: number;
}

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const api = {
  tenant: () => http.get<TenantInfo>('/api/v1/tenant'),
  updateTenant: (name: string) => http.patch<TenantInfo>('/api/v1/tenant', { name }),

  members: () => http.get<{ members: User[] }>('/api/v1/members').then((r) => r.members ?? []),
  updateMember: (id: string, role: Role) => http.patch<User>(`/api/v1/members/${enc(id)}`, { role }),
  removeMember: (id: string) => http.delete(`/api/v1/members/${enc(id)}`),

  invites: () => http.get<{ invites: Invite[] }>('/api/v1/invites').then((r) => r.invites ?? []),
  invite: (email: string, role: Role) => http.post<Invite>('/api/v1/invites', { email, role }),
  revokeInvite: (id: string) => http.delete(`/api/v1/invites/${enc(id)}`),

  settings: () => http.get<Settings>('/api/v1/settings'),
  updateSettings: (patch: SettingsPatch) => http.patch<Settings>('/api/v1/settings', patch),
  identitySecret: () => http.get<{ secret: string }>('/api/v1/settings/identity-secret').then((r) => r.secret),
  rotateIdentitySecret: () => http.post<{ secret: string }>('/api/v1/settings/identity-secret/rotate', {}).then((r) => r.secret),

  canned: () => http.get<{ canned_responses: CannedResponse[] }>('/api/v1/canned-responses').then((r) => r.canned_responses ?? []),
  createCanned: (shortcut: string, body: string) => http.post<CannedResponse>('/api/v1/canned-responses', { shortcut, body }),
  updateCanned: (id: string, patch: { shortcut?: string; body?: string }) => http.patch<CannedResponse>(`/api/v1/canned-responses/${enc(id)}`, patch),
  deleteCanned: (id: string) => http.delete(`/api/v1/canned-responses/${enc(id)}`),

  conversations: (p: ListParams, signal?: AbortSignal) =>
    http.get<ConversationPage>(`/api/v1/conversations${query({ ...p })}`, { signal }),
  conversation: (id: string) => http.get<Conversation>(`/api/v1/conversations/${enc(id)}`),
  updateConversation: (id: string, patch: ConversationPatch) => http.patch<Conversation>(`/api/v1/conversations/${enc(id)}`, patch),
  messages: (id: string, afterSeq: number, limit = 200) =>
    http.get<MessagePage>(`/api/v1/conversations/${enc(id)}/messages${query({ after_seq: afterSeq, limit })}`),
  /** send posts a message; attachments are ids of files the agent uploaded (the body may then be empty). */
  send: (id: string, body: string, clientMsgId: string, isPrivate: boolean, attachments: string[] = []) =>
    http.post<Message>(`/api/v1/conversations/${enc(id)}/messages`, {
      body,
      client_msg_id: clientMsgId,
      private: isPrivate,
      ...(attachments.length ? { attachments } : {}),
    }),
  read: (id: string, seq: number) => http.post<void>(`/api/v1/conversations/${enc(id)}/read`, { seq }),
  transcript: (id: string) => http.raw(`/api/v1/conversations/${enc(id)}/transcript?format=text`),
  visitorConversations: (visitorId: string) =>
    http
      .get<{ conversations: (Conversation | VisitorConversation)[] }>(`/api/v1/visitors/${enc(visitorId)}/conversations`)
      .then((r) => r.conversations ?? []),
};

/** clientMsgId is a unique id for one message the agent sends (retries reuse it). */
export function clientMsgId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
