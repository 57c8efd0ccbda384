import { useEffect, useMemo, useRef, useState, type DragEvent, type FormEvent } from 'react';
import { RatingDetail } from './RatingBadge';
import { api, clientMsgId } from '../../api/endpoints';
import { ApiError } from '../../api/http';
import type { Conversation, ConversationStatus, Message } from '../../api/types';
import { Alert, Avatar, Button, ErrorState, Spinner, useConfirm, useToast } from '../../components/ui';
import { filesApi } from '../../api/files';
import { canDelete } from '../../files/logic';
import { MessageAttachments } from './Attachments';
import { useUploads } from './Uploads';
import { t } from '../../i18n';
import { useInbox } from '../../inbox/store';
import { errorMessage } from '../../lib/fieldErrors';
import { formatDateTime, formatTime } from '../../lib/format';
import { Link } from '../../lib/router';
import { Composer } from './Composer';
import { Icon } from '../../components/Icon';
import { LinkedText } from '../../components/LinkedText';
import { HandoffBar } from './Handoff';
import { RichPayload } from './RichPayload';
import { chosenLabel } from '../../inbox/rich';
import { authorName, visitorName } from './names';

interface Pending {
  clientMsgId: string;
  body: string;
  private: boolean;
  /** Uploaded files' ids, and their names to show while sending. */
  attachments: string[];
  names: string[];
  failed?: string;
}

export function ConversationView({ id, onToggleVisitor, visitorOpen }: { id: string; onToggleVisitor: () => void; visitorOpen: boolean }) {
  const inbox = useInbox();
  const toast = useToast();
  const c = inbox.state.byId[id];
  const messages = inbox.state.messages[id];
  const [loadError, setLoadError] = useState<unknown>(null);
  const [pending, setPending] = useState<Pending[]>([]);
  const logRef = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const uploads = useUploads(id);
  const [confirm, confirmDialog] = useConfirm();
  const [dragging, setDragging] = useState(false);
  const dragDepth = useRef(0);

  useEffect(() => {
    setLoadError(null);
    setPending([]);
    stick.current = true;
    inbox.openConversation(id).then(
      () => inbox.markRead(id),
      (err) => setLoadError(err),
    );
  }, [id]); // eslint-disable-line react-hooks/exhaustive-deps

  // Reading a conversation that is on screen marks it read.
  useEffect(() => {
    if (c && c.unread_count > 0 && messages) inbox.markRead(id);
  }, [c?.unread_count, messages?.length]); // eslint-disable-line react-hooks/exhaustive-deps

  // Follow new messages unless the agent scrolled up to read older ones.
  useEffect(() => {
    const el = logRef.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [messages?.length, pending.length, inbox.state.typing[id]]);

  const shown = useMemo(() => {
    const sent = new Set((messages ?? []).map((m) => m.client_msg_id).filter(Boolean));
    return pending.filter((p) => !sent.has(p.clientMsgId));
  }, [messages, pending]);

  if (loadError) {
    if (loadError instanceof ApiError && loadError.status === 404) {
      return (
        <div className="conv-empty">
          <Alert>{t('conv.notFound')}</Alert>
          <Link href="/inbox">{t('inbox.backToList')}</Link>
        </div>
      );
    }
    return <ErrorState error={loadError} onRetry={() => inbox.openConversation(id).then(() => setLoadError(null), setLoadError)} />;
  }
  if (!c) return <Spinner label={t('conv.loading')} />;

  const name = visitorName(c.visitor);
  const send = async (p: Pending) => {
    setPending((ps) => [...ps.filter((x) => x.clientMsgId !== p.clientMsgId), { ...p, failed: undefined }]);
    try {
      const m = await api.send(id, p.body, p.clientMsgId, p.private, p.attachments);
      inbox.addMessage(m);
      setPending((ps) => ps.filter((x) => x.clientMsgId !== p.clientMsgId));
    } catch (err) {
      setPending((ps) => ps.map((x) => (x.clientMsgId === p.clientMsgId ? { ...x, failed: errorMessage(err) } : x)));
    }
  };
  const lastSeen = lastSeenAgentSeq(messages, c.visitor_read_seq);
  const typing = inbox.state.typing[id];
  const remove = async (m: Message) => {
    if (!(await confirm(t('msg.deleteConfirm'), t('msg.deleteYes')))) return;
    try {
      inbox.messageDeleted(await filesApi.deleteMessage(id, m.id));
      toast(t('msg.deletedToast'));
    } catch (err) {
      toast(errorMessage(err), 'error');
    }
  };
  const hasFiles = (e: DragEvent) => !uploads.disabled && [...e.dataTransfer.types].includes('Files');

  return (
    <section
      className={`conversation${dragging ? ' conversation-drop' : ''}`}
      aria-labelledby="conv-title"
      onDragEnter={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        dragDepth.current++;
        setDragging(true);
      }}
      onDragOver={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={() => {
        dragDepth.current = Math.max(0, dragDepth.current - 1);
        if (!dragDepth.current) setDragging(false);
      }}
      onDrop={(e) => {
        dragDepth.current = 0;
        setDragging(false);
        if (!e.dataTransfer.files.length || uploads.disabled) return;
        e.preventDefault();
        uploads.add([...e.dataTransfer.files]);
      }}
    >
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          {t('files.drop')}
        </div>
      )}
      <ConversationHeader c={c} name={name} onToggleVisitor={onToggleVisitor} visitorOpen={visitorOpen} toast={toast} />
      <HandoffBar c={c} messages={messages} />
      <div
        className="messages"
        ref={logRef}
        role="log"
        aria-label={t('conv.messages')}
        aria-live="polite"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
        }}
      >
        {!messages ? (
          <Spinner label={t('conv.loading')} />
        ) : (
          messages.map((m, i) => (
            <MessageRow key={m.id || m.seq} m={m} c={c} prev={messages[i - 1]} seen={m.seq === lastSeen} chosen={chosenLabel(messages, i)} onDelete={remove} />
          ))
        )}
        {shown.map((p) => (
          <div key={p.clientMsgId} className={`msg msg-out${p.private ? ' msg-private' : ''} msg-pending`}>
            <div className="msg-bubble">
              {p.private && (
                <span className="msg-private-label">
                  <Icon name="lock" size={12} /> {t('inbox.private')}
                </span>
              )}
              {p.body && <p className="msg-body"><LinkedText text={p.body} /></p>}
              {p.names.length > 0 && (
                <ul className="msg-pending-files">
                  {p.names.map((n, i) => (
                    <li key={i}>
                      <Icon name="clip" size={12} /> {n}
                    </li>
                  ))}
                </ul>
              )}
            </div>
            <div className="msg-meta">
              {p.failed ? (
                <span className="msg-failed" role="alert">
                  {t('conv.failed')} {p.failed}{' '}
                  <button type="button" className="link-button" onClick={() => void send(p)}>
                    {t('conv.retry')}
                  </button>
                </span>
              ) : (
                t('conv.sending')
              )}
            </div>
          </div>
        ))}
        {typing && (
          <div className="typing" role="status">
            <span className="typing-dots" aria-hidden="true">
              <span />
              <span />
              <span />
            </span>
            {t('conv.typing', { name: authorName(typing.author, c.visitor, inbox.members, inbox.me?.id) })}
          </div>
        )}
      </div>
      <Composer
        conversationId={id}
        visitorName={name}
        visitorFirstName={(c.visitor?.name ?? '').split(' ')[0]}
        onSend={(body, isPrivate, attachments) => {
          const names = uploads.items.filter((x) => x.attachment && attachments.includes(x.attachment.id)).map((x) => x.name);
          void send({ clientMsgId: clientMsgId(), body, private: isPrivate, attachments, names });
        }}
        onTyping={(typing) => inbox.sendTyping(id, typing)}
        uploads={uploads}
      />
      {confirmDialog}
    </section>
  );
}

/** lastSeenAgentSeq is the seq of the last public agent message the visitor has read. */
export function lastSeenAgentSeq(messages: Message[] | undefined, visitorReadSeq: number): number {
  if (!messages) return 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.author.type !== 'visitor' && !m.private && m.seq <= visitorReadSeq) return m.seq;
  }
  return 0;
}

function MessageRow({ m, c, prev, seen, chosen, onDelete }: { m: Message; c: Conversation; prev?: Message; seen: boolean; chosen?: string; onDelete: (m: Message) => void }) {
  const inbox = useInbox();
  const who = authorName(m.author, c.visitor, inbox.members, inbox.me?.id);
  if (m.kind === 'event' || m.author.type === 'system') {
    return (
      <div className={`msg-event${m.author.type === 'system' ? ' msg-system' : ''}`} role="note" data-seq={m.seq}>
        {m.author.type === 'system' && <span className="sr-only">{t('conv.system')}: </span>}
        {m.body} · <time dateTime={m.created_at}>{formatTime(m.created_at)}</time>
      </div>
    );
  }
  const incoming = m.author.type === 'visitor';
  const deleted = m.kind === 'deleted';
  const grouped = prev && prev.author.type === m.author.type && prev.author.id === m.author.id && prev.private === m.private &&
    Date.parse(m.created_at) - Date.parse(prev.created_at) < 5 * 60_000;
  const cls = `msg ${incoming ? 'msg-in' : 'msg-out'}${m.private ? ' msg-private' : ''}${m.author.type === 'bot' ? ' msg-bot' : ''}${grouped ? ' msg-grouped' : ''}${deleted ? ' msg-deleted' : ''}`;
  const photo = m.author.type === 'agent' ? m.author.avatar_url || inbox.members.find((x) => x.id === m.author.id)?.avatar_url : undefined;
  return (
    <div className={cls} data-seq={m.seq}>
      {!grouped && (
        <div className="msg-author">
          {incoming && <Avatar name={who} seed={c.visitor?.id ?? ''} size={24} />}
          {m.author.type === 'agent' && <Avatar name={who} seed={m.author.id ?? ''} size={24} src={photo} />}
          {m.author.type === 'bot' && (
            <span className="msg-bot-badge">
              <Icon name="bot" size={12} /> {t('conv.botBadge')}
            </span>
          )}
          <span className="msg-author-name">{who}</span>
          <time dateTime={m.created_at} title={formatDateTime(m.created_at)}>
            {formatTime(m.created_at)}
          </time>
        </div>
      )}
      <div className="msg-line">
        <div className="msg-bubble">
          {m.private && (
            <span className="msg-private-label">
              <Icon name="lock" size={12} /> {t('inbox.private')}
            </span>
          )}
          {deleted ? (
            <p className="msg-body msg-deleted-text">{t('msg.deleted')}</p>
          ) : (
            <>
              {m.body && <p className="msg-body"><LinkedText text={m.body} /></p>}
              {m.attachments && m.attachments.length > 0 && (
                <MessageAttachments conversationId={c.id} attachments={m.attachments} onRenewed={(a) => inbox.renewed(c.id, a)} />
              )}
              <RichPayload m={m} />
              {chosen && <p className="msg-chosen">{t('conv.chosen', { label: chosen })}</p>}
            </>
          )}
        </div>
        {canDelete(m, inbox.me) && (
          <button type="button" className="msg-delete" aria-label={t('msg.delete')} title={t('msg.delete')} onClick={() => onDelete(m)}>
            <Icon name="trash" size={14} />
          </button>
        )}
      </div>
      {seen && <div className="msg-meta msg-seen">✓✓ {t('conv.seen')}</div>}
    </div>
  );
}

/** downloadTranscript saves the conversation as a text file. */
async function downloadTranscript(id: string) {
  const res = await api.transcript(id);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = `conversation-${id}.txt`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function ConversationHeader({
  c,
  name,
  onToggleVisitor,
  visitorOpen,
  toast,
}: {
  c: Conversation;
  name: string;
  onToggleVisitor: () => void;
  visitorOpen: boolean;
  toast: (s: string, k?: 'info' | 'success' | 'error') => void;
}) {
  const inbox = useInbox();
  const me = inbox.me;
  const [busy, setBusy] = useState(false);
  const more = useRef<HTMLDetailsElement>(null);
  const run = async (patch: Parameters<typeof inbox.update>[1]) => {
    setBusy(true);
    try {
      await inbox.update(c.id, patch);
      toast(t('conv.updated'));
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setBusy(false);
    }
  };
  const resolved = c.status === 'resolved';
  return (
    <header className="conv-header">
      <Link href="/inbox" className="btn btn-ghost conv-back" aria-label={t('inbox.backToList')}>
        <Icon name="back" />
      </Link>
      <div className="conv-title">
        <h2 id="conv-title">{name}</h2>
        <span className={`tag tag-status-${c.status}`}>{t(`inbox.status.${c.status}`)}</span>
        {c.rating && <RatingDetail rating={c.rating} />}
        {c.status === 'snoozed' && c.snooze_until && <span className="field-hint">{t('conv.snoozedUntil', { time: formatDateTime(c.snooze_until) })}</span>}
      </div>
      <div className="conv-primary">
        <Button small variant={resolved ? 'secondary' : 'primary'} onClick={() => run({ status: resolved ? 'open' : 'resolved' })} disabled={busy} title="e">
          {resolved ? (
            t('conv.reopen')
          ) : (
            <>
              <Icon name="check" size={15} /> {t('conv.resolve')}
            </>
          )}
        </Button>
        <Button small variant="ghost" className="visitor-toggle" aria-expanded={visitorOpen} aria-controls="visitor-panel" onClick={onToggleVisitor}>
          <Icon name="user" size={15} /> <span className="visitor-toggle-text">{t('visitor.toggle')}</span>
        </Button>
        {/* The rest folds into one menu, so the toolbar stays one row however narrow the column. */}
        <details className="menu conv-more" id="conv-more" ref={more} onKeyDown={(e) => e.key === 'Escape' && more.current?.removeAttribute('open')}>
          <summary className="btn btn-secondary btn-small" aria-label={t('conv.more')} title={t('conv.more')}>
            <Icon name="more" size={16} />
          </summary>
          <div className="menu-panel conv-actions">
            <AssignControl c={c} busy={busy} onAssign={(assignee_id) => run({ assignee_id })} />
            {c.assignee_id !== me?.id && (
              <Button small onClick={() => run({ assignee_id: me?.id })} disabled={busy} title="a">
                {t('conv.assignMe')}
              </Button>
            )}
            <StatusControl c={c} busy={busy} onStatus={(status) => run({ status })} />
            <SnoozeControl busy={busy} onSnooze={(until) => run({ status: 'snoozed', snooze_until: until })} />
            <Labels c={c} onChange={(labels) => run({ labels })} busy={busy} />
            <Button small variant="ghost" onClick={() => downloadTranscript(c.id).catch((err) => toast(errorMessage(err), 'error'))}>
              {t('conv.transcript')}
            </Button>
          </div>
        </details>
      </div>
    </header>
  );
}

function AssignControl({ c, busy, onAssign }: { c: Conversation; busy: boolean; onAssign: (id: string) => void }) {
  const inbox = useInbox();
  return (
    <span className="inline-field">
      <label htmlFor="conv-assignee" className="sr-only">
        {t('conv.assignTo')}
      </label>
      <select id="conv-assignee" value={c.assignee_id ?? ''} disabled={busy} onFocus={inbox.refreshMembers} onChange={(e) => onAssign(e.target.value)}>
        <option value="">{t('conv.unassigned')}</option>
        {inbox.members.map((m) => (
          <option key={m.id} value={m.id}>
            {m.id === inbox.me?.id ? `${m.name} (${t('common.you')})` : m.name}
          </option>
        ))}
        {c.assignee_id && !inbox.members.some((m) => m.id === c.assignee_id) && <option value={c.assignee_id}>{c.assignee_id}</option>}
      </select>
    </span>
  );
}

function StatusControl({ c, busy, onStatus }: { c: Conversation; busy: boolean; onStatus: (s: ConversationStatus) => void }) {
  return (
    <span className="inline-field">
      <label htmlFor="conv-status" className="sr-only">
        {t('conv.status')}
      </label>
      <select id="conv-status" value={c.status} disabled={busy} onChange={(e) => onStatus(e.target.value as ConversationStatus)}>
        {(['open', 'pending', 'resolved'] as const).map((s) => (
          <option key={s} value={s}>
            {t(`inbox.status.${s}`)}
          </option>
        ))}
        {c.status === 'snoozed' && <option value="snoozed">{t('inbox.status.snoozed')}</option>}
      </select>
    </span>
  );
}

/** snoozePresets are the quick choices, computed from now in the agent's time zone. */
export function snoozePresets(now: Date): { key: 'conv.snooze.hour' | 'conv.snooze.tomorrow' | 'conv.snooze.week'; at: Date }[] {
  const hour = new Date(now.getTime() + 3600_000);
  const tomorrow = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 9, 0, 0);
  const daysToMonday = ((8 - now.getDay()) % 7) || 7;
  const monday = new Date(now.getFullYear(), now.getMonth(), now.getDate() + daysToMonday, 9, 0, 0);
  return [
    { key: 'conv.snooze.hour', at: hour },
    { key: 'conv.snooze.tomorrow', at: tomorrow },
    { key: 'conv.snooze.week', at: monday },
  ];
}

function SnoozeControl({ busy, onSnooze }: { busy: boolean; onSnooze: (iso: string) => void }) {
  const ref = useRef<HTMLDetailsElement>(null);
  const [custom, setCustom] = useState('');
  const [customError, setCustomError] = useState('');
  const choose = (d: Date) => {
    ref.current?.removeAttribute('open');
    onSnooze(d.toISOString());
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const d = new Date(custom);
    if (Number.isNaN(d.getTime()) || d.getTime() <= Date.now()) {
      setCustomError(t('conv.snooze.future'));
      return;
    }
    setCustomError('');
    choose(d);
  };
  return (
    <details className="menu" ref={ref} id="snooze-menu" onKeyDown={(e) => e.key === 'Escape' && ref.current?.removeAttribute('open')}>
      <summary className={`btn btn-secondary btn-small${busy ? ' disabled' : ''}`} title="s">
        <Icon name="clock" size={15} /> {t('conv.snooze')}
      </summary>
      <div className="menu-panel">
        {snoozePresets(new Date()).map((p) => (
          <button key={p.key} type="button" className="menu-item" onClick={() => choose(p.at)}>
            {t(p.key)}
            <span className="field-hint">{formatDateTime(p.at.toISOString())}</span>
          </button>
        ))}
        <form onSubmit={submit} className="menu-form">
          <label htmlFor="snooze-custom">{t('conv.snoozeUntil')}</label>
          <input
            id="snooze-custom"
            type="datetime-local"
            value={custom}
            onChange={(e) => {
              setCustom(e.target.value);
              setCustomError('');
            }}
            required
            aria-invalid={customError ? true : undefined}
            aria-describedby={customError ? 'snooze-custom-error' : undefined}
          />
          {customError && (
            <p id="snooze-custom-error" className="field-error" role="alert">
              {customError}
            </p>
          )}
          <Button type="submit" small>
            {t('conv.snooze.apply')}
          </Button>
        </form>
      </div>
    </details>
  );
}

function Labels({ c, onChange, busy }: { c: Conversation; onChange: (labels: string[]) => void; busy: boolean }) {
  const [draft, setDraft] = useState('');
  const labels = c.labels ?? [];
  const add = (e: FormEvent) => {
    e.preventDefault();
    const l = draft.trim().toLowerCase().replace(/\s+/g, '-');
    if (!l || labels.includes(l)) {
      setDraft('');
      return;
    }
    onChange([...labels, l]);
    setDraft('');
  };
  return (
    <div className="labels" role="group" aria-label={t('conv.labels')}>
      {labels.map((l) => (
        <span className="tag tag-label" key={l}>
          {l}
          <button type="button" aria-label={t('conv.removeLabel', { label: l })} disabled={busy} onClick={() => onChange(labels.filter((x) => x !== l))}>
            ×
          </button>
        </span>
      ))}
      <form onSubmit={add} className="label-form">
        <label htmlFor="label-input" className="sr-only">
          {t('conv.addLabel')}
        </label>
        <input id="label-input" placeholder={`+ ${t('conv.addLabel')}`} value={draft} onChange={(e) => setDraft(e.target.value)} maxLength={40} />
      </form>
    </div>
  );
}
