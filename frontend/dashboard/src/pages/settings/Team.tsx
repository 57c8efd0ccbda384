import { useState } from 'react';
import { accountApi } from '../../api/account';
import { api } from '../../api/endpoints';
import type { Invite, Role, User } from '../../api/types';
import { session, useSession } from '../../app/session';
import { Alert, Avatar, Button, CopyButton, ErrorState, InputField, PageHeader, SelectField, SkeletonList, useConfirm, useToast } from '../../components/ui';
import { t } from '../../i18n';
import { errorMessage } from '../../lib/fieldErrors';
import { formatDate } from '../../lib/format';
import { useAsync, useSubmit } from '../../lib/hooks';

export function TeamSection({ title }: { title: string }) {
  const s = useSession();
  const toast = useToast();
  const [confirm, confirmNode] = useConfirm();
  const members = useAsync(() => api.members(), []);
  const invites = useAsync(() => api.invites(), []);
  const emailStatus = useAsync(() => accountApi.emailStatus(), []);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [created, setCreated] = useState<Invite | null>(null);
  const [rowBusy, setRowBusy] = useState<string | null>(null);
  const owner = s.user?.role === 'owner';

  const { submit: invite, busy, errors } = useSubmit(async () => {
    setCreated(null);
    const inv = await api.invite(email.trim(), role);
    setCreated(inv);
    setEmail('');
    invites.setData((list) => [inv, ...(list ?? []).filter((x) => x.id !== inv.id)]);
  }, ['email', 'role']);
  const changeRole = async (m: User, r: Role) => {
    setRowBusy(m.id);
    try {
      const u = await api.updateMember(m.id, r);
      members.setData((list) => (list ?? []).map((x) => (x.id === u.id ? u : x)));
      if (u.id === s.user?.id) session.update({ user: u });
      toast(t('team.roleChanged', { name: u.name, role: t(`team.role.${u.role}`) }));
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setRowBusy(null);
    }
  };
  const remove = async (m: User) => {
    if (!(await confirm(t('team.removeConfirm', { name: m.name }), t('team.remove')))) return;
    setRowBusy(m.id);
    try {
      await api.removeMember(m.id);
      members.setData((list) => (list ?? []).filter((x) => x.id !== m.id));
      toast(t('team.removed', { name: m.name }));
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setRowBusy(null);
    }
  };
  const revoke = async (inv: Invite) => {
    setRowBusy(inv.id);
    try {
      await api.revokeInvite(inv.id);
      invites.setData((list) => (list ?? []).filter((x) => x.id !== inv.id));
      if (created?.id === inv.id) setCreated(null);
      toast(t('team.revoked', { email: inv.email }));
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setRowBusy(null);
    }
  };
  const inviteUrl = created ? created.url || `${location.origin}/accept-invite#${created.token ?? ''}` : '';

  return (
    <>
      <PageHeader title={title} lead={t('team.lead')} />
      <section className="card" aria-labelledby="team-invite">
        <h2 id="team-invite">{t('team.invite')}</h2>
        <form className="inline-form invite-form" onSubmit={invite} noValidate>
          {errors.form && <Alert>{errors.form}</Alert>}
          <InputField label={t('team.inviteEmail')} type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} error={errors.fields.email} required />
          <SelectField label={t('team.inviteRole')} value={role} onChange={(e) => setRole(e.target.value as Role)} error={errors.fields.role}>
            <option value="agent">{t('team.role.agent')}</option>
            <option value="admin">{t('team.role.admin')}</option>
          </SelectField>
          <Button type="submit" variant="primary" busy={busy}>
            {busy ? t('team.inviteSubmitting') : t('team.inviteSubmit')}
          </Button>
        </form>
        <p className="field-hint">{t('team.roleHelp')}</p>
        {created && (
          <div className="invite-created" role="status">
            <p>
              {emailStatus.data?.email_enabled
                ? t('team.emailSent', { email: created.email })
                : emailStatus.data
                  ? t('team.emailOff', { email: created.email })
                  : t('team.invited', { email: created.email })}
            </p>
            <div className="snippet">
              <label className="sr-only" htmlFor="invite-link">
                {t('team.inviteLink')}
              </label>
              <input id="invite-link" readOnly value={inviteUrl} onFocus={(e) => e.currentTarget.select()} data-testid="invite-link" />
              <CopyButton text={inviteUrl} />
            </div>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="team-members">
        <h2 id="team-members">{t('team.members')}</h2>
        {members.loading && !members.data ? (
          <SkeletonList rows={3} />
        ) : members.error ? (
          <ErrorState error={members.error} onRetry={members.reload} />
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('team.name')}</th>
                <th scope="col">{t('team.email')}</th>
                <th scope="col">{t('team.role')}</th>
                <th scope="col">
                  <span className="sr-only">{t('common.remove')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(members.data ?? []).map((m) => {
                const self = m.id === s.user?.id;
                const locked = self || (m.role === 'owner' && !owner);
                return (
                  <tr key={m.id}>
                    <td>
                      <span className="member">
                        <Avatar name={m.name} seed={m.id} size={28} src={m.avatar_url} />
                        {m.name}
                        {self && <span className="muted"> ({t('common.you')})</span>}
                      </span>
                    </td>
                    <td className="break">{m.email}</td>
                    <td>
                      {locked ? (
                        t(`team.role.${m.role}`)
                      ) : (
                        <select aria-label={t('team.roleFor', { name: m.name })} value={m.role} disabled={rowBusy === m.id} onChange={(e) => void changeRole(m, e.target.value as Role)}>
                          {owner && <option value="owner">{t('team.role.owner')}</option>}
                          <option value="admin">{t('team.role.admin')}</option>
                          <option value="agent">{t('team.role.agent')}</option>
                        </select>
                      )}
                    </td>
                    <td className="cell-actions">
                      {!locked && (
                        <Button small variant="ghost" disabled={rowBusy === m.id} onClick={() => void remove(m)} aria-label={`${t('team.remove')} ${m.name}`}>
                          {t('team.remove')}
                        </Button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>

      <section className="card" aria-labelledby="team-pending">
        <h2 id="team-pending">{t('team.pending')}</h2>
        {invites.loading && !invites.data ? (
          <SkeletonList rows={2} />
        ) : invites.error ? (
          <ErrorState error={invites.error} onRetry={invites.reload} />
        ) : (invites.data ?? []).length === 0 ? (
          <p className="muted">{t('team.noPending')}</p>
        ) : (
          <ul className="domain-list">
            {(invites.data ?? []).map((inv) => (
              <li key={inv.id}>
                <span>
                  <strong>{inv.email}</strong> · {t(`team.role.${inv.role}`)} · <span className="muted">{t('team.expires', { date: formatDate(inv.expires_at) })}</span>
                </span>
                <Button small variant="ghost" disabled={rowBusy === inv.id} onClick={() => void revoke(inv)} aria-label={t('team.revokeLabel', { email: inv.email })}>
                  {t('team.revoke')}
                </Button>
              </li>
            ))}
          </ul>
        )}
      </section>
      {confirmNode}
    </>
  );
}
