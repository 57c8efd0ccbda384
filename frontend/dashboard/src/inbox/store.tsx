import { createContext, useCallback, useContext, useEffect, useMemo, useReducer, useRef, useState, type ReactNode } from 'react';
import { api } from '../api/endpoints';
import type { Attachment, Conversation, ConversationPatch, Message, User } from '../api/types';
import { session, useSession } from '../app/session';
import { setUnreadInTitle } from '../app/title';
import { usePref } from '../lib/hooks';
import { Realtime, type ServerFrame, type SocketStatus } from '../realtime/socket';
import { chime } from './sound';
import { askDesktopPermission, desktopPermission, showDesktop, worthNotifying, type DesktopPermission } from './desktop';
import { navigate } from '../lib/router';
import { t } from '../i18n';
import { visitorName } from '../pages/inbox/names';
import {
  defaultFilter,
  inboxReducer,
  initialInbox,
  lastSeq,
  unreadTotal,
  visibleList,
  type InboxFilter,
  type InboxState,
} from './state';

const PAGE = 40;
/** How long a message of an unknown conversation waits for its conversation.updated before it is fetched. */
const UNKNOWN_WAIT_MS = 1000;

/** assigneeParam is the API's assignee filter for a list filter ("mine" is "me" on the wire). */
export function assigneeParam(a: InboxFilter['assignee']): string | undefined {
  return a === 'all' || a === 'queued' ? undefined : a === 'mine' ? 'me' : 'unassigned';
}

export interface InboxStore {
  state: InboxState;
  list: Conversation[];
  me: User | undefined;
  members: User[];
  socket: SocketStatus;
  sound: boolean;
  setSound: (v: boolean) => void;
  /** desktop: notifications are on in this browser (the agent's choice; they also need permission). */
  desktop: boolean;
  setDesktop: (v: boolean) => void;
  desktopPermission: DesktopPermission;
  /** enableDesktop asks the browser for permission (from a click) and turns notifications on. */
  enableDesktop: () => Promise<void>;
  setFilter: (f: InboxFilter) => void;
  loadMore: () => void;
  reload: () => void;
  active: string | null;
  setActive: (id: string | null) => void;
  openConversation: (id: string) => Promise<void>;
  markRead: (id: string) => void;
  refreshMembers: () => void;
  update: (id: string, patch: ConversationPatch) => Promise<Conversation>;
  upsert: (c: Conversation) => void;
  addMessage: (m: Message) => void;
  /** messageDeleted shows a deleted message in its place (from the API's answer or the socket). */
  messageDeleted: (m: Message, c?: Conversation) => void;
  /** renewed keeps an attachment's fresh signed URLs in its message. */
  renewed: (conversationId: string, a: Attachment) => void;
  sendTyping: (conversationId: string, typing: boolean) => void;
  /** forgetVisitor removes an erased visitor's conversations from the inbox. */
  forgetVisitor: (visitorId: string) => void;
}

const Ctx = createContext<InboxStore | null>(null);

export function useInbox(): InboxStore {
  const v = useContext(Ctx);
  if (!v) throw new Error('useInbox outside InboxProvider');
  return v;
}

/** InboxProvider holds the signed-in agent's live view of the inbox for the whole app. */
export function InboxProvider({ children }: { children: ReactNode }) {
  const s = useSession();
  const me = s.user;
  const [savedAssignee, setSavedAssignee] = usePref<string>('inbox.assignee', 'all');
  const [savedStatus, setSavedStatus] = usePref<string>('inbox.status', 'open');
  const [savedLabel, setSavedLabel] = usePref<string>('inbox.label', '');
  const [state, dispatch] = useReducer(inboxReducer, {
    ...initialInbox,
    filter: { ...defaultFilter, assignee: savedAssignee as InboxFilter['assignee'], status: savedStatus as InboxFilter['status'], label: savedLabel },
  });
  const [socket, setSocket] = useState<SocketStatus>('connecting');
  const [sound, setSound] = usePref<boolean>('sound', true);
  const [desktop, setDesktop] = usePref<boolean>('desktop', true);
  const [permission, setPermission] = useState<DesktopPermission>(() => desktopPermission());
  const [members, setMembers] = useState<User[]>([]);
  const [active, setActiveState] = useState<string | null>(null);

  // Refs so socket callbacks see current values without reconnecting.
  const ref = useRef({ state, active, sound, me, desktop });
  ref.current = { state, active, sound, me, desktop };
  const listRun = useRef(0);

  const load = useCallback(async (filter: InboxFilter, cursor?: string) => {
    const run = ++listRun.current;
    try {
      const page = await api.conversations({
        status: filter.status === 'all' ? undefined : filter.status,
        assignee: assigneeParam(filter.assignee),
        handoff: filter.assignee === 'queued' ? 'queued' : undefined,
        q: filter.q || undefined,
        label: filter.label || undefined,
        cursor,
        limit: PAGE,
      });
      if (run !== listRun.current) return;
      dispatch({ type: 'loaded', conversations: page.conversations ?? [], nextCursor: page.next_cursor, append: !!cursor });
    } catch (err) {
      if (run !== listRun.current) return;
      dispatch({ type: 'failed', error: err });
    }
  }, []);

  const fetchMessages = useCallback(async (id: string) => {
    let after = lastSeq(ref.current.state.messages[id]);
    for (let i = 0; i < 50; i++) {
      const page = await api.messages(id, after);
      const msgs = page.messages ?? [];
      dispatch({ type: 'messages', conversationId: id, messages: msgs });
      if (!page.has_more || !msgs.length) break;
      after = msgs[msgs.length - 1].seq;
    }
  }, []);

  const markRead = useCallback((id: string) => {
    const c = ref.current.state.byId[id];
    if (!c || document.visibilityState === 'hidden') return;
    if (c.unread_count <= 0 && c.agent_read_seq >= c.last_seq) return;
    dispatch({ type: 'read', conversationId: id, seq: c.last_seq });
    api.read(id, c.last_seq).catch(() => {});
  }, []);

  // A visitor's message while the tab is in the background becomes a desktop
  // notification, when it is worth one (see desktop.ts).
  const notifyDesktop = useCallback((m: Message, conv: Conversation | undefined) => {
    if (!document.hidden || !ref.current.desktop || !worthNotifying(m, conv, ref.current.me?.id)) return;
    const name = conv ? visitorName(conv.visitor) : t('conv.author.visitor');
    showDesktop({
      conversationId: m.conversation_id,
      title: m.seq === 1 ? t('desktop.newChat', { name }) : t('desktop.newMessage', { name }),
      body: m.body,
      onOpen: (id) => navigate(`/inbox/${id}`),
    });
  }, []);

  // A message of a conversation this tab does not know yet, waiting for the
  // conversation.updated frame the server sends right after a message that
  // changed more than itself (a new conversation, a reopening, a claim).
  // Without one soon, the conversation is fetched.
  const unknown = useRef(new Map<string, Message>());
  const fetchUnknown = useCallback((m: Message, live: boolean) => {
    api.conversation(m.conversation_id).then(
      (c) => {
        dispatch({ type: 'upsert', conversation: c });
        if (live) notifyDesktop(m, c);
      },
      () => {
        if (live) notifyDesktop(m, undefined);
      },
    );
  }, [notifyDesktop]);

  const onFrame = useCallback(
    (f: ServerFrame, live: boolean) => {
      const { active, me } = ref.current;
      switch (f.type) {
        case 'message.created': {
          const m = f.message;
          const viewing = active === m.conversation_id && document.visibilityState === 'visible';
          const conv = ref.current.state.byId[m.conversation_id];
          dispatch({ type: 'message', message: m, viewing });
          if (!conv && f.cursor !== undefined) {
            // The frame came from a stored event: its conversation.updated
            // may follow (no fetch per conversation, e.g. when a resume
            // replays many new ones); if it does not, fetch it.
            unknown.current.set(m.conversation_id, m);
            setTimeout(() => {
              if (unknown.current.get(m.conversation_id) !== m) return;
              unknown.current.delete(m.conversation_id);
              if (!ref.current.state.byId[m.conversation_id]) fetchUnknown(m, live);
            }, UNKNOWN_WAIT_MS);
          } else if (!conv) {
            fetchUnknown(m, true);
          } else {
            if (viewing && m.author.type === 'visitor') api.read(m.conversation_id, m.seq).catch(() => {});
            if (live) notifyDesktop(m, conv);
          }
          // A gap in the open conversation: fetch what we missed.
          const list = ref.current.state.messages[m.conversation_id];
          if (list && m.seq > lastSeq(list) + 1) void fetchMessages(m.conversation_id).catch(() => {});
          // Missed messages a resume replays do not each chime.
          if (live && m.author.type === 'visitor' && document.visibilityState === 'hidden' && ref.current.sound) chime();
          break;
        }
        case 'conversation.updated':
          if (f.conversation && typeof f.conversation === 'object' && 'visitor' in f.conversation) {
            dispatch({ type: 'upsert', conversation: f.conversation });
            const m = unknown.current.get(f.conversation.id);
            unknown.current.delete(f.conversation.id);
            if (m && live) notifyDesktop(m, f.conversation);
          }
          break;
        case 'typing':
          if (f.author?.type === 'agent' && f.author.id === me?.id) break;
          dispatch({ type: 'typing', conversationId: f.conversation_id, author: f.author, typing: f.typing !== false, now: Date.now() });
          break;
        case 'read':
          if (f.reader?.type === 'visitor') dispatch({ type: 'visitorRead', conversationId: f.conversation_id, seq: f.seq });
          else if (f.reader?.type === 'agent') dispatch({ type: 'read', conversationId: f.conversation_id, seq: f.seq });
          break;
        case 'message.ack':
          if (f.message) dispatch({ type: 'message', message: f.message, viewing: true });
          break;
        case 'message.deleted':
          if (f.message) dispatch({ type: 'messageDeleted', message: f.message, conversation: f.conversation });
          break;
        case 'conversations.deleted':
          dispatch({ type: 'conversationsDeleted', ids: f.conversation_ids });
          if (active && f.conversation_ids.includes(active)) navigate('/inbox');
          break;
      }
    },
    [fetchMessages, notifyDesktop, fetchUnknown],
  );

  const rt = useRef<Realtime | null>(null);
  useEffect(() => {
    if (!me) return;
    const r = new Realtime({
      token: () => session.token(),
      onFrame: (f, live) => onFrame(f, live),
      onStatus: (st, reload) => {
        setSocket(st);
        if (st === 'open' && reload) {
          // The socket could not resume (no cursor yet, or "resync"): re-read what we show.
          void load(ref.current.state.filter);
          const a = ref.current.active;
          if (a) void fetchMessages(a).catch(() => {});
        }
      },
    });
    rt.current = r;
    r.start();
    return () => {
      r.stop();
      rt.current = null;
    };
  }, [me?.id, onFrame, load, fetchMessages]); // eslint-disable-line react-hooks/exhaustive-deps

  // The list for the current filter.
  useEffect(() => {
    if (!me) return;
    void load(state.filter);
  }, [me?.id, state.filter, load]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (!me) return;
    api.members().then(setMembers, () => setMembers([]));
  }, [me?.id]);

  // Typing indicators fade out when the typist goes quiet.
  useEffect(() => {
    const h = setInterval(() => dispatch({ type: 'expireTyping', now: Date.now() }), 1000);
    return () => clearInterval(h);
  }, []);

  // Coming back to the tab marks the open conversation as read.
  useEffect(() => {
    const on = () => {
      if (document.visibilityState === 'visible' && ref.current.active) markRead(ref.current.active);
    };
    document.addEventListener('visibilitychange', on);
    return () => document.removeEventListener('visibilitychange', on);
  }, [markRead]);

  const unread = useMemo(() => unreadTotal(state.byId, me?.id), [state.byId, me?.id]);
  useEffect(() => setUnreadInTitle(unread), [unread]);
  useEffect(() => () => setUnreadInTitle(0), []);

  const list = useMemo(() => visibleList(state, me?.id), [state, me?.id]);

  const store: InboxStore = {
    state,
    list,
    me,
    members,
    socket,
    sound,
    setSound,
    desktop,
    setDesktop,
    desktopPermission: permission,
    enableDesktop: async () => {
      const p = await askDesktopPermission();
      setPermission(p);
      if (p === 'granted') setDesktop(true);
    },
    active,
    setActive: setActiveState,
    setFilter: (f) => {
      setSavedAssignee(f.assignee);
      setSavedStatus(f.status);
      setSavedLabel(f.label ?? '');
      dispatch({ type: 'filter', filter: f });
    },
    loadMore: () => {
      if (state.nextCursor) void load(state.filter, state.nextCursor);
    },
    reload: () => {
      dispatch({ type: 'loading' });
      void load(state.filter);
    },
    openConversation: async (id) => {
      if (!ref.current.state.byId[id]) {
        const c = await api.conversation(id);
        dispatch({ type: 'upsert', conversation: c });
      }
      await fetchMessages(id);
    },
    markRead,
    refreshMembers: () => {
      api.members().then(setMembers, () => {});
    },
    update: async (id, patch) => {
      const c = await api.updateConversation(id, patch);
      dispatch({ type: 'upsert', conversation: c });
      return c;
    },
    upsert: (c) => dispatch({ type: 'upsert', conversation: c }),
    addMessage: (m) => dispatch({ type: 'message', message: m, viewing: true }),
    messageDeleted: (m, c) => dispatch({ type: 'messageDeleted', message: m, conversation: c }),
    renewed: (conversationId, a) => dispatch({ type: 'attachment', conversationId, attachment: a }),
    sendTyping: (conversationId, typing) => {
      rt.current?.send({ type: 'typing', conversation_id: conversationId, typing });
    },
    forgetVisitor: (visitorId) => dispatch({ type: 'visitorErased', visitorId }),
  };
  return <Ctx.Provider value={store}>{children}</Ctx.Provider>;
}
