import type { Author, User, Visitor } from '../../api/types';
import { t } from '../../i18n';

export function visitorName(v: Visitor | undefined): string {
  if (!v) return t('conv.author.visitor');
  return v.name || v.email || t('inbox.anonymous', { id: v.id.slice(-4).toUpperCase() });
}

export function authorName(a: Author, visitor: Visitor | undefined, members: User[], meId: string | undefined): string {
  switch (a.type) {
    case 'visitor':
      return visitorName(visitor);
    case 'agent':
      if (a.id && a.id === meId) return t('inbox.you');
      return a.name || members.find((m) => m.id === a.id)?.name || t('conv.author.agent');
    case 'bot':
      return a.name || t('conv.author.bot');
    default:
      return t('conv.author.system');
  }
}
