// Files in the chat: uploads and their policy, renewing an attachment's
// signed URLs, deleting a message, the member's photo and the tenant's logo.
import { http, type UploadOptions } from './http';
import type { Attachment, Message, Settings, UploadPolicy, User } from './types';

const enc = encodeURIComponent;

export const filesApi = {
  policy: () => http.get<UploadPolicy>('/api/v1/uploads/policy'),
  /** upload stores a file for a message the caller sends next (its id goes in `attachments`). */
  upload: (file: File, opts?: UploadOptions) => http.upload<Attachment>('POST', '/api/v1/uploads', file, file.name, opts),
  /** file returns an attachment with fresh signed URLs. */
  file: (conversationId: string, fileId: string) => http.get<Attachment>(`/api/v1/conversations/${enc(conversationId)}/files/${enc(fileId)}`),
  deleteMessage: (conversationId: string, messageId: string) =>
    http.delete<Message>(`/api/v1/conversations/${enc(conversationId)}/messages/${enc(messageId)}`),

  setAvatar: (file: File, opts?: UploadOptions) => http.upload<User>('PUT', '/api/v1/me/avatar', file, file.name, opts),
  removeAvatar: () => http.delete<User>('/api/v1/me/avatar'),
  setLogo: (file: File, opts?: UploadOptions) => http.upload<Settings>('PUT', '/api/v1/settings/logo', file, file.name, opts),
  removeLogo: () => http.delete<Settings>('/api/v1/settings/logo'),
};
