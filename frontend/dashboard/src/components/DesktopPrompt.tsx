import { useState } from 'react';
import { t } from '../i18n';
import { useInbox } from '../inbox/store';
import { usePref } from '../lib/hooks';
import { Button } from './ui';

/**
 * DesktopPrompt offers desktop notifications once, in the page: the browser's
 * permission prompt appears only after the agent clicks "Turn on".
 */
export function DesktopPrompt() {
  const inbox = useInbox();
  const [dismissed, setDismissed] = usePref<boolean>('desktop.prompt.dismissed', false);
  const [asking, setAsking] = useState(false);
  if (dismissed) return null;
  if (inbox.desktopPermission === 'denied' && asking) {
    return (
      <div className="desktop-prompt" role="status">
        <p>{t('desktop.denied')}</p>
        <Button small variant="ghost" onClick={() => setDismissed(true)}>
          {t('desktop.dismiss')}
        </Button>
      </div>
    );
  }
  if (inbox.desktopPermission !== 'default') return null;
  return (
    <div className="desktop-prompt" role="region" aria-label={t('desktop.prompt')}>
      <p>
        <strong>{t('desktop.prompt')}</strong> {t('desktop.promptLead')}
      </p>
      <Button
        small
        variant="primary"
        onClick={() => {
          setAsking(true);
          void inbox.enableDesktop();
        }}
      >
        {t('desktop.enable')}
      </Button>
      <Button small variant="ghost" onClick={() => setDismissed(true)}>
        {t('desktop.dismiss')}
      </Button>
    </div>
  );
}
