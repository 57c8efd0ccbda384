import { useState } from 'react';
import { dataApi, saveBlob } from '../../api/data';
import type { Visitor } from '../../api/types';
import { Button, Dialog, useToast } from '../../components/ui';
import { t, tn } from '../../i18n';
import { useInbox } from '../../inbox/store';
import { errorMessage } from '../../lib/fieldErrors';
import { navigate } from '../../lib/router';

/**
 * VisitorData is the visitor panel's part for admins: download everything
 * Parley holds about the visitor, or erase them (after a confirmation that
 * says what goes), which removes their conversations from the inbox.
 */
export function VisitorData({ visitor, name, conversations }: { visitor: Visitor; name: string; conversations: number | undefined }) {
  const inbox = useInbox();
  const toast = useToast();
  const [exporting, setExporting] = useState(false);
  const [asking, setAsking] = useState(false);
  const [erasing, setErasing] = useState(false);

  const download = async () => {
    setExporting(true);
    try {
      const res = await dataApi.visitorExport(visitor.id);
      saveBlob(await res.blob(), `parley-visitor-${visitor.id}.json`);
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setExporting(false);
    }
  };

  const erase = async () => {
    setErasing(true);
    try {
      const r = await dataApi.eraseVisitor(visitor.id);
      setAsking(false);
      // Leave the conversation before it goes, so the view never asks for it again.
      navigate('/inbox');
      inbox.forgetVisitor(visitor.id);
      toast(tn('visitor.erased', r.conversations, { name, messages: tn('data.retention.messages', r.messages) }));
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setErasing(false);
    }
  };

  const count = Math.max(1, conversations ?? 1);
  return (
    <>
      <h3>{t('visitor.data')}</h3>
      <div className="visitor-data">
        <Button small busy={exporting} onClick={download}>
          {t('visitor.export')}
        </Button>
        <Button small variant="danger" onClick={() => setAsking(true)}>
          {t('visitor.erase')}
        </Button>
      </div>
      <Dialog
        open={asking}
        title={t('visitor.eraseTitle', { name })}
        onClose={() => setAsking(false)}
        footer={
          <>
            <Button onClick={() => setAsking(false)}>{t('common.cancel')}</Button>
            <Button variant="danger" busy={erasing} onClick={erase}>
              {t('visitor.eraseConfirm')}
            </Button>
          </>
        }
      >
        <p>{tn('visitor.eraseBody', count, { name })}</p>
        <p>
          <strong>{t('visitor.eraseUndo')}</strong>
        </p>
      </Dialog>
    </>
  );
}
