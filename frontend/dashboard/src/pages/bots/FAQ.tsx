import { useId, useState } from 'react';
import { botApi, type FAQTryResult } from '../../api/bot';
import { Alert, Button, EmptyState, InputField, TextareaField } from '../../components/ui';
import { t } from '../../i18n';
import { errorMessage } from '../../lib/fieldErrors';
import { addEntry, alternativesFromText, percent, removeEntry, updateEntry, type DraftEntry } from './model';

/** FAQEditor edits the questions (with other phrasings) and answers, and the confidence threshold. */
export function FAQEditor({
  threshold,
  entries,
  onThreshold,
  onEntries,
  err,
}: {
  threshold: number;
  entries: DraftEntry[];
  onThreshold: (v: number) => void;
  onEntries: (e: DraftEntry[]) => void;
  err: (path: string) => string | undefined;
}) {
  const thresholdId = useId();
  const add = () => {
    const next = addEntry(entries);
    onEntries(next);
    // Put the cursor in the new question.
    const key = next[next.length - 1].key;
    requestAnimationFrame(() => document.querySelector<HTMLInputElement>(`[data-faq-q="${key}"]`)?.focus());
  };
  const thresholdErr = err('faq.threshold');
  return (
    <>
      <div className={`field threshold${thresholdErr ? ' field-invalid' : ''}`}>
        <label htmlFor={thresholdId}>{t('bots.faq.threshold')}</label>
        <div className="threshold-row">
          <input
            id={thresholdId}
            type="range"
            min={0.05}
            max={1}
            step={0.05}
            value={threshold}
            aria-valuetext={`${percent(threshold)} %`}
            aria-describedby={`${thresholdId}-hint`}
            aria-invalid={!!thresholdErr || undefined}
            onChange={(e) => onThreshold(Number(e.target.value))}
          />
          <output htmlFor={thresholdId} className="threshold-value">
            {percent(threshold)} %
          </output>
        </div>
        {thresholdErr && (
          <p className="field-error" role="alert">
            {thresholdErr}
          </p>
        )}
        <p className="field-hint" id={`${thresholdId}-hint`}>
          {t('bots.faq.thresholdHint')}
        </p>
      </div>
      <h3 id="faq-entries-title">{t('bots.faq.entries')}</h3>
      {err('faq.entries') && (
        <p className="field-error" role="alert" data-field="faq.entries">
          {err('faq.entries')}
        </p>
      )}
      {entries.length === 0 ? (
        <EmptyState icon="❓" title={t('bots.faq.empty.title')}>
          <p>{t('bots.faq.empty')}</p>
        </EmptyState>
      ) : (
        <ol className="faq-list" aria-labelledby="faq-entries-title">
          {entries.map((e, i) => (
            <li key={e.key} className="faq-entry">
              <fieldset>
                <legend>{t('bots.faq.entry', { n: i + 1 })}</legend>
                {err(`faq.entries.${i}`) && (
                  <p className="field-error" role="alert">
                    {err(`faq.entries.${i}`)}
                  </p>
                )}
                <InputField
                  data-faq-q={e.key}
                  label={t('bots.faq.question')}
                  value={e.question}
                  maxLength={300}
                  error={err(`faq.entries.${i}.question`)}
                  onChange={(ev) => onEntries(updateEntry(entries, e.key, { question: ev.target.value }))}
                />
                <TextareaField
                  label={t('bots.faq.alternatives')}
                  hint={t('bots.faq.alternativesHint')}
                  rows={2}
                  value={e.alternatives.join('\n')}
                  error={err(`faq.entries.${i}.alternatives`)}
                  onChange={(ev) => onEntries(updateEntry(entries, e.key, { alternatives: alternativesFromText(ev.target.value) }))}
                />
                <TextareaField
                  label={t('bots.faq.answer')}
                  rows={3}
                  maxLength={2000}
                  value={e.answer}
                  error={err(`faq.entries.${i}.answer`)}
                  onChange={(ev) => onEntries(updateEntry(entries, e.key, { answer: ev.target.value }))}
                />
                <div className="row-actions faq-entry-actions">
                  <Button small variant="ghost" onClick={() => onEntries(removeEntry(entries, e.key))} aria-label={t('bots.faq.removeLabel', { n: i + 1 })}>
                    {t('common.remove')}
                  </Button>
                </div>
              </fieldset>
            </li>
          ))}
        </ol>
      )}
      <Button onClick={add}>+ {t('bots.faq.add')}</Button>
    </>
  );
}

/** TryPanel asks the server what the saved FAQ would do with a question. */
export function TryPanel({ dirty, threshold }: { dirty: boolean; threshold: number }) {
  const [q, setQ] = useState('');
  const [asked, setAsked] = useState('');
  const [busy, setBusy] = useState(false);
  const [res, setRes] = useState<FAQTryResult | null>(null);
  const [error, setError] = useState('');
  // Not a <form>: the panel sits inside the bot's settings form, and forms do not nest.
  const submit = async () => {
    const question = q.trim();
    if (!question || busy) return;
    setBusy(true);
    setError('');
    try {
      setRes(await botApi.tryFAQ(question));
      setAsked(question);
    } catch (err) {
      setRes(null);
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const matches = res?.matches ?? [];
  return (
    <section className="try-panel" aria-labelledby="faq-try-title">
      <h3 id="faq-try-title">{t('bots.try.title')}</h3>
      <p className="field-hint">{t('bots.try.lead')}</p>
      <div className="inline-form">
        <InputField
          label={t('bots.try.question')}
          value={q}
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              void submit();
            }
          }}
          maxLength={500}
          placeholder={t('bots.try.placeholder')}
        />
        <Button busy={busy} disabled={!q.trim()} onClick={() => void submit()}>
          {t('bots.try.submit')}
        </Button>
      </div>
      {dirty && <p className="field-hint try-dirty">{t('bots.try.unsaved')}</p>}
      {error && <Alert>{error}</Alert>}
      <div role="status" aria-live="polite" className="try-result">
        {res && (
          <>
            <p className={`try-verdict ${res.answered ? 'try-yes' : 'try-no'}`}>
              {res.answered && matches[0]
                ? t('bots.try.answered', { question: matches[0].question })
                : matches.length
                  ? t('bots.try.suggests', { q: asked })
                  : t('bots.try.nothing', { q: asked })}
            </p>
            {matches.length > 0 && (
              <ol className="try-matches" aria-label={t('bots.try.matches')}>
                {matches.map((m, i) => {
                  const pct = percent(m.score);
                  const above = m.score >= threshold;
                  return (
                    <li key={m.entry_id || i} className={above ? 'above' : ''}>
                      <span className="try-q">{m.question}</span>
                      <span className="try-score">
                        <span className="try-bar" aria-hidden="true">
                          <span style={{ width: `${pct}%` }} />
                        </span>
                        <span>{t('bots.try.score', { pct })}</span>
                      </span>
                    </li>
                  );
                })}
              </ol>
            )}
          </>
        )}
      </div>
    </section>
  );
}
