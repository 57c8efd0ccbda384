import { useEffect, useState } from 'react';
import { usePageTitle } from '../../app/title';
import { Dialog, EmptyState, useToast } from '../../components/ui';
import { Icon } from '../../components/Icon';
import { t, type MessageKey } from '../../i18n';
import { useInbox } from '../../inbox/store';
import { errorMessage } from '../../lib/fieldErrors';
import { navigate } from '../../lib/router';
import { focusComposer } from './Composer';
import { ConversationList } from './ConversationList';
import { ConversationView } from './ConversationView';
import { VisitorPanel } from './VisitorPanel';

const SHORTCUTS: [string, MessageKey][] = [
  ['j', 'shortcuts.next'],
  ['k', 'shortcuts.prev'],
  ['r', 'shortcuts.reply'],
  ['n', 'shortcuts.note'],
  ['a', 'shortcuts.assign'],
  ['e', 'shortcuts.resolve'],
  ['s', 'shortcuts.snooze'],
  ['/', 'shortcuts.search'],
  ['?', 'shortcuts.help'],
  ['Enter', 'shortcuts.send'],
  ['Esc', 'shortcuts.escape'],
];

/** isTypingTarget says whether a key press belongs to a text control rather than the shortcuts. */
export function isTypingTarget(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  return el.isContentEditable || el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT';
}

export function Inbox({ id }: { id: string | null }) {
  usePageTitle(t('inbox.title'));
  const inbox = useInbox();
  const toast = useToast();
  // A shortcut's change is confirmed, or its failure shown, like the header's buttons.
  const update = (id: string, patch: Parameters<typeof inbox.update>[1]) =>
    void inbox.update(id, patch).then(
      () => toast(t('conv.updated')),
      (err) => toast(errorMessage(err), 'error'),
    );
  const [help, setHelp] = useState(false);
  const [visitorOpen, setVisitorOpen] = useState(false);
  useEffect(() => {
    inbox.setActive(id);
    return () => inbox.setActive(null);
  }, [id]); // eslint-disable-line react-hooks/exhaustive-deps

  const conv = id ? inbox.state.byId[id] : undefined;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey) return;
      if (isTypingTarget(e.target)) return;
      if (document.querySelector('dialog[open]')) return;
      const list = inbox.list;
      const idx = id ? list.findIndex((c) => c.id === id) : -1;
      const go = (i: number) => {
        const c = list[Math.max(0, Math.min(list.length - 1, i))];
        if (c) navigate(`/inbox/${encodeURIComponent(c.id)}`);
      };
      switch (e.key) {
        case 'j':
          go(idx + 1);
          break;
        case 'k':
          go(idx < 0 ? 0 : idx - 1);
          break;
        case 'r':
          if (!id) return;
          focusComposer('reply');
          break;
        case 'n':
          if (!id) return;
          focusComposer('note');
          break;
        case 'a':
          if (!conv || !inbox.me || conv.assignee_id === inbox.me.id) return;
          update(conv.id, { assignee_id: inbox.me.id });
          break;
        case 'e':
          if (!conv) return;
          update(conv.id, { status: conv.status === 'resolved' ? 'open' : 'resolved' });
          break;
        case 's': {
          const menu = document.getElementById('snooze-menu') as HTMLDetailsElement | null;
          if (!menu) return;
          const more = document.getElementById('conv-more') as HTMLDetailsElement | null;
          if (more) more.open = true;
          menu.open = true;
          menu.querySelector<HTMLButtonElement>('.menu-item')?.focus();
          break;
        }
        case '/':
          document.getElementById('inbox-search')?.focus();
          break;
        case '?':
          setHelp(true);
          break;
        case 'Escape':
          if (id && window.matchMedia?.('(max-width: 760px)').matches) navigate('/inbox');
          return;
        default:
          return;
      }
      e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [id, conv, inbox]);

  return (
    <div className="inbox" data-view={id ? 'conversation' : 'list'}>
      <ConversationList activeId={id} />
      {id ? (
        <ConversationView id={id} visitorOpen={visitorOpen} onToggleVisitor={() => setVisitorOpen(!visitorOpen)} />
      ) : (
        <section className="conversation conversation-placeholder" aria-label={t('inbox.select.title')}>
          <EmptyState icon="👈" title={t('inbox.select.title')}>
            <p>{t('inbox.select.lead')}</p>
          </EmptyState>
          <button type="button" className="btn btn-ghost shortcuts-button" onClick={() => setHelp(true)}>
            <Icon name="keyboard" /> {t('shortcuts.open')}
          </button>
        </section>
      )}
      {conv && <VisitorPanel c={conv} open={visitorOpen} />}
      <Dialog open={help} title={t('shortcuts.title')} onClose={() => setHelp(false)}>
        <table className="shortcuts">
          <tbody>
            {SHORTCUTS.map(([k, label]) => (
              <tr key={k}>
                <th scope="row">
                  <kbd>{k}</kbd>
                </th>
                <td>{t(label)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Dialog>
    </div>
  );
}
