import { http } from './http';
import type { EmailStatus, InviteLookup, NotifyPreferences, User } from './types';

// Accounts by email: invitations, password reset, email change and the
// member's notification settings.
export const accountApi = {
  lookupInvite: (token: string) => http.get<InviteLookup>(`/api/v1/invites/lookup?token=${encodeURIComponent(token)}`, { auth: false }),
  forgotPassword: (email: string) => http.post<void>('/api/v1/auth/password/forgot', { email }, { auth: false }),
  resetPassword: (token: string, password: string) => http.post<void>('/api/v1/auth/password/reset', { token, password }, { auth: false }),
  confirmEmail: (token: string) => http.post<User>('/api/v1/auth/email/confirm', { token }, { auth: false }),
  emailStatus: () => http.get<EmailStatus>('/api/v1/email/status', { auth: false }),

  updateProfile: (patch: { name?: string; locale?: string }) => http.patch<User>('/api/v1/me', patch),
  changeEmail: (email: string, password: string) => http.post<void>('/api/v1/me/email', { email, password }),
  changePassword: (current_password: string, new_password: string) => http.post<void>('/api/v1/me/password', { current_password, new_password }),
  notifications: () => http.get<NotifyPreferences>('/api/v1/me/notifications'),
  updateNotifications: (p: NotifyPreferences) => http.request<NotifyPreferences>('PUT', '/api/v1/me/notifications', { body: p }),
};
