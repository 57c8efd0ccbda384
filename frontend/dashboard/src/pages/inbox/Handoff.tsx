import { useState } from 'react';
import { botApi } from '../../api/bot';
import type { Conversation, Message } from '../../api/types';
import { Icon } from '../../components/Icon';
import { Button, useToast } from '../../components/ui';
import { t } from '../../i18n';
import { useInbox } from '../../inbox/store';
import { waitText } from '../../inbox/rich';
import { errorMessage } from '../../lib/fieldErrors';
import './handoff.css';

/** HandoffTag marks conversations the bot has, or that wait for a person, in the list. */
export function HandoffTag({ c }: { c: Conversation }) {
  if (c.handoff === 'bot') return <span className="tag tag-bot">{t('handoff.tag.bot')}</span>;
  if (c.handoff === 'queued') {
    return <span className="tag tag-queued">{c.queue?.position ? t('handoff.tag.queued', { position: c.queue.position }) : t('inbox.filter.queued')}</span>;
  }
  return null;
}

/** handoffText says who has the conversation: the bot, the queue (with place and wait) or an agent. */
export function handoffText(c: Conversation, agentName: string | undefined): string {
  switch (c.handoff) {
    case 'bot':
      return t('handoff.bot');
    case 'queued': {
      if (!c.queue?.position) return t('handoff.queuedNoPlace');
      const wait = waitText(c.queue.wait_seconds);
      return wait ? t('handoff.queuedWait', { position: c.queue.position, wait }) : t('handoff.queued', { position: c.queue.position });
    }
    case 'agent':
      return agentName ? t('handoff.agent', { name: agentName }) : t('handoff.agentTeam');
    default:
      return '';
  }
}

/**
 * HandoffBar shows where the conversation stands on the hand-off path
 * (bot → queued → agent → back to bot) with the actions that move it: take
 * over from the bot or the queue, or hand back to the bot. A conversation
 * no bot ever touched shows nothing.
 */
export function HandoffBar({ c, messages }: { c: Conversation; messages: Message[] | undefined }) {
  const inbox = useInbox();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const botInvolved = c.handoff === 'bot' || c.handoff === 'queued' || (messages ?? []).some((m) => m.author.type === 'bot');
  if (!c.handoff || !botInvolved) return null;
  const me = inbox.me;
  const agentName =
    c.assignee_id && c.assignee_id === me?.id
      ? t('common.you')
      : c.assignee?.name || inbox.members.find((m) => m.id === c.assignee_id)?.name || undefined;
  const move = async (to: 'agent' | 'bot') => {
    setBusy(true);
    try {
      inbox.upsert(await botApi.handoff(c.id, to));
      toast(to === 'agent' ? t('handoff.tookOver') : t('handoff.handedBack'));
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className={`handoff handoff-${c.handoff}`} role="group" aria-label={t('handoff.label')} data-handoff={c.handoff}>
      <span className="handoff-icon" aria-hidden="true">
        <Icon name={c.handoff === 'agent' ? 'user' : c.handoff === 'queued' ? 'clock' : 'bot'} size={16} />
      </span>
      <span className="handoff-text" role="status">
        {handoffText(c, agentName)}
      </span>
      {(c.handoff === 'bot' || c.handoff === 'queued') && (
        <Button small variant="primary" busy={busy} onClick={() => void move('agent')}>
          {t('handoff.takeOver')}
        </Button>
      )}
      {c.handoff === 'agent' && (
        <Button small busy={busy} onClick={() => void move('bot')}>
          {t('handoff.handBack')}
        </Button>
      )}
    </div>
  );
}
