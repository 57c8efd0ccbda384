import type { Attachment, Author, Conversation, ConversationStatus, Message } from '../api/types';
import { withAttachment } from '../files/logic';

/** Which conversations the list shows; "queued" is the bot's hand-off queue (waiting for a person). */
export type AssigneeFilter = 'mine' | 'unassigned' | 'queued' | 'all';
export type StatusFilter = ConversationStatus | 'all';

export interface InboxFilter {
  assignee: AssigneeFilter;
  status: StatusFilter;
  q: string;
  /** label: only conversations with this label ('' for any), e.g. the bot's "follow-up". */
  label?: string;
}

export const defaultFilter: InboxFilter = { assignee: 'mine', status: 'open', q: '' };

/** FOLLOW_UP is the label the bot sets when a visitor leaves an email for the team to answer later. */
export const FOLLOW_UP = 'follow-up';

export interface TypingState {
  author: Author;
  until: number;
}

export interface InboxState {
  /** Every conversation this tab knows, by id, as fresh as events made it. */
  byId: Record<string, Conversation>;
  /** Ids the server returned for the current filter (a search cannot be evaluated locally). */
  listIds: string[];
  nextCursor?: string;
  filter: InboxFilter;
  loading: boolean;
  error?: unknown;
  /** Messages of conversations opened in this tab, by conversation id, in seq order. */
  messages: Record<string, Message[]>;
  typing: Record<string, TypingState | undefined>;
}

export const initialInbox: InboxState = {
  byId: {},
  listIds: [],
  filter: defaultFilter,
  loading: true,
  messages: {},
  typing: {},
};

const time = (s: string | undefined) => (s ? Date.parse(s) || 0 : 0);

/** byActivity orders conversations newest activity first (id breaks ties so the order is stable). */
export function byActivity(a: Conversation, b: Conversation): number {
  return time(b.last_activity_at) - time(a.last_activity_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** labelChoices are the labels to filter by: follow-up first, then those in use (and the chosen one). */
export function labelChoices(convs: readonly Conversation[], chosen?: string): string[] {
  const seen = new Set<string>();
  for (const c of convs) for (const l of c.labels ?? []) seen.add(l);
  if (chosen) seen.add(chosen);
  seen.delete(FOLLOW_UP);
  return [FOLLOW_UP, ...[...seen].sort().slice(0, 50)];
}

/** matchesFilter says whether a conversation belongs in a list (the search text is the server's job). */
export function matchesFilter(c: Conversation, f: InboxFilter, meId: string | undefined): boolean {
  if (f.status !== 'all' && c.status !== f.status) return false;
  if (f.assignee === 'mine' && (!meId || c.assignee_id !== meId)) return false;
  if (f.assignee === 'unassigned' && c.assignee_id) return false;
  if (f.assignee === 'queued' && c.handoff !== 'queued') return false;
  if (f.label && !(c.labels ?? []).includes(f.label)) return false;
  return true;
}

/**
 * mergeConversation keeps the freshest view of a conversation when events
 * and fetched pages race: an older snapshot never rolls back the last
 * message, the sequence or the activity time.
 */
export function mergeConversation(old: Conversation | undefined, next: Conversation): Conversation {
  if (!old) return next;
  if (time(next.updated_at) < time(old.updated_at) && next.last_seq <= old.last_seq) return old;
  if (next.last_seq >= old.last_seq) return next;
  return {
    ...next,
    last_seq: old.last_seq,
    last_message: old.last_message,
    last_activity_at: time(old.last_activity_at) > time(next.last_activity_at) ? old.last_activity_at : next.last_activity_at,
    unread_count: Math.max(old.unread_count, next.unread_count),
  };
}

/**
 * applyMessage folds a new message into its conversation. A message the
 * conversation already covers (seq ≤ last_seq) changes nothing, so a
 * duplicate event never counts twice. Visitor messages raise the unread count
 * unless the agent is looking at the conversation.
 */
export function applyMessage(c: Conversation, m: Message, viewing: boolean): Conversation {
  if (m.seq <= c.last_seq) return c;
  const next: Conversation = { ...c, last_seq: m.seq };
  if (time(m.created_at) > time(c.last_activity_at)) next.last_activity_at = m.created_at;
  if (!m.private) {
    next.last_message = { seq: m.seq, author: m.author, body: m.body.slice(0, 140), created_at: m.created_at };
  }
  if (m.author.type === 'visitor') {
    if (viewing) next.agent_read_seq = m.seq;
    else next.unread_count = c.unread_count + 1;
  }
  if (m.author.type === 'agent' && !m.private) {
    // An agent's public answer means the agents have read what came before.
    next.unread_count = 0;
    next.agent_read_seq = m.seq;
  }
  return next;
}

/** markRead clears the unread count up to seq. */
export function markRead(c: Conversation, seq: number): Conversation {
  if (seq < c.agent_read_seq) return c;
  return { ...c, agent_read_seq: seq, unread_count: seq >= c.last_seq ? 0 : c.unread_count };
}

/** visibleList is what the list shows for the filter, ordered by activity. */
export function visibleList(s: InboxState, meId: string | undefined): Conversation[] {
  const out: Conversation[] = [];
  if (s.filter.q) {
    // Search results come from the server; events only refresh them.
    for (const id of s.listIds) if (s.byId[id]) out.push(s.byId[id]);
  } else {
    for (const c of Object.values(s.byId)) {
      if (matchesFilter(c, s.filter, meId)) out.push(c);
    }
  }
  return out.sort(s.filter.assignee === 'queued' ? byQueue : byActivity);
}

/** byQueue orders the queue: next in line first, then by activity. */
export function byQueue(a: Conversation, b: Conversation): number {
  const pa = a.queue?.position || Number.MAX_SAFE_INTEGER;
  const pb = b.queue?.position || Number.MAX_SAFE_INTEGER;
  return pa - pb || byActivity(a, b);
}

/**
 * unreadTotal is the count in the tab title: unread visitor messages in
 * open or pending conversations that are the agent's or nobody's.
 */
export function unreadTotal(byId: Record<string, Conversation>, meId: string | undefined): number {
  let n = 0;
  for (const c of Object.values(byId)) {
    if (c.status !== 'open' && c.status !== 'pending') continue;
    if (c.assignee_id && c.assignee_id !== meId) continue;
    n += Math.max(0, c.unread_count);
  }
  return n;
}

/**
 * mergeMessages adds messages to a seq-ordered list without duplicates (by id
 * and by seq). A deletion is final: a page fetched before it, arriving after
 * it, never brings the deleted message back.
 */
export function mergeMessages(list: Message[] | undefined, incoming: Message[]): Message[] {
  const bySeq = new Map<number, Message>();
  for (const m of list ?? []) bySeq.set(m.seq, m);
  for (const m of incoming) if (bySeq.get(m.seq)?.kind !== 'deleted') bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** lastSeq is the highest seq of a message list (0 for none). */
export function lastSeq(list: Message[] | undefined): number {
  return list && list.length ? list[list.length - 1].seq : 0;
}

export type InboxAction =
  | { type: 'filter'; filter: InboxFilter }
  | { type: 'loading' }
  | { type: 'loaded'; conversations: Conversation[]; nextCursor?: string; append: boolean }
  | { type: 'failed'; error: unknown }
  | { type: 'upsert'; conversation: Conversation }
  | { type: 'message'; message: Message; viewing: boolean }
  | { type: 'messages'; conversationId: string; messages: Message[] }
  | { type: 'read'; conversationId: string; seq: number }
  | { type: 'visitorRead'; conversationId: string; seq: number }
  | { type: 'typing'; conversationId: string; author: Author; typing: boolean; now: number }
  | { type: 'expireTyping'; now: number }
  | { type: 'visitorErased'; visitorId: string }
  | { type: 'conversationsDeleted'; ids: string[] }
  | { type: 'messageDeleted'; message: Message; conversation?: Conversation }
  | { type: 'attachment'; conversationId: string; attachment: Attachment };

export const TYPING_TTL_MS = 6000;

export function inboxReducer(s: InboxState, a: InboxAction): InboxState {
  switch (a.type) {
    case 'filter':
      return { ...s, filter: a.filter, listIds: [], nextCursor: undefined, loading: true, error: undefined };
    case 'loading':
      return { ...s, loading: true, error: undefined };
    case 'loaded': {
      const byId = { ...s.byId };
      for (const c of a.conversations) byId[c.id] = mergeConversation(byId[c.id], c);
      const ids = a.conversations.map((c) => c.id);
      return {
        ...s,
        byId,
        listIds: a.append ? [...s.listIds, ...ids.filter((id) => !s.listIds.includes(id))] : ids,
        nextCursor: a.nextCursor,
        loading: false,
        error: undefined,
      };
    }
    case 'failed':
      return { ...s, loading: false, error: a.error };
    case 'upsert': {
      const merged = mergeConversation(s.byId[a.conversation.id], a.conversation);
      return { ...s, byId: { ...s.byId, [merged.id]: merged } };
    }
    case 'message': {
      const m = a.message;
      const list = s.messages[m.conversation_id];
      const messages = list ? { ...s.messages, [m.conversation_id]: mergeMessages(list, [m]) } : s.messages;
      const c = s.byId[m.conversation_id];
      const typing = m.author.type === 'visitor' && s.typing[m.conversation_id] ? { ...s.typing, [m.conversation_id]: undefined } : s.typing;
      if (!c) return { ...s, messages, typing };
      return { ...s, messages, typing, byId: { ...s.byId, [c.id]: applyMessage(c, m, a.viewing) } };
    }
    case 'messages':
      return { ...s, messages: { ...s.messages, [a.conversationId]: mergeMessages(s.messages[a.conversationId], a.messages) } };
    case 'read': {
      const c = s.byId[a.conversationId];
      return c ? { ...s, byId: { ...s.byId, [c.id]: markRead(c, a.seq) } } : s;
    }
    case 'visitorRead': {
      const c = s.byId[a.conversationId];
      if (!c || a.seq <= c.visitor_read_seq) return s;
      return { ...s, byId: { ...s.byId, [c.id]: { ...c, visitor_read_seq: a.seq } } };
    }
    case 'typing':
      return {
        ...s,
        typing: { ...s.typing, [a.conversationId]: a.typing ? { author: a.author, until: a.now + TYPING_TTL_MS } : undefined },
      };
    case 'expireTyping': {
      let changed = false;
      const typing = { ...s.typing };
      for (const [id, t] of Object.entries(typing)) {
        if (t && t.until <= a.now) {
          typing[id] = undefined;
          changed = true;
        }
      }
      return changed ? { ...s, typing } : s;
    }
    case 'visitorErased':
      return forgetVisitor(s, a.visitorId);
    case 'conversationsDeleted':
      return forgetConversations(s, new Set(a.ids));
    case 'messageDeleted':
      return deleteMessage(s, a.message, a.conversation);
    case 'attachment': {
      const list = s.messages[a.conversationId];
      if (!list) return s;
      return { ...s, messages: { ...s.messages, [a.conversationId]: list.map((m) => withAttachment(m, a.attachment)) } };
    }
  }
}

/** deleteMessage shows a deleted message in its place, and drops its text from the list's preview. */
export function deleteMessage(s: InboxState, m: Message, conv?: Conversation): InboxState {
  const id = m.conversation_id;
  const list = s.messages[id];
  const messages = list ? { ...s.messages, [id]: list.map((x) => (x.seq === m.seq ? m : x)) } : s.messages;
  let c = conv && 'visitor' in conv ? mergeConversation(s.byId[id], conv) : s.byId[id];
  if (c?.last_message?.seq === m.seq) c = { ...c, last_message: { ...c.last_message, body: '' } };
  return { ...s, messages, byId: c ? { ...s.byId, [id]: c } : s.byId };
}

/** forgetVisitor drops an erased visitor's conversations, with their messages and typing state, from everything the tab holds. */
export function forgetVisitor(s: InboxState, visitorId: string): InboxState {
  return forgetConversations(s, new Set(Object.values(s.byId).filter((c) => c.visitor?.id === visitorId).map((c) => c.id)));
}

/** forgetConversations drops deleted conversations (an erasure, retention), with their messages and typing state. */
export function forgetConversations(s: InboxState, gone: ReadonlySet<string>): InboxState {
  if (![...gone].some((id) => id in s.byId || id in s.messages)) return s;
  const keep = <T>(r: Record<string, T>) => Object.fromEntries(Object.entries(r).filter(([id]) => !gone.has(id)));
  return { ...s, byId: keep(s.byId), listIds: s.listIds.filter((id) => !gone.has(id)), messages: keep(s.messages), typing: keep(s.typing) };
}
