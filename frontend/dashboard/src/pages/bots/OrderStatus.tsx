import { useState } from 'react';
import { InputField, TextareaField } from '../../components/ui';
import { t } from '../../i18n';
import { SecretField } from './SecretField';
import { SAMPLE_ORDER, TEMPLATE_PLACEHOLDERS, fillTemplate, placeholders, testPattern, type Draft } from './model';

type OS = Draft['order_status'];

/** OrderStatusEditor: the tenant's endpoint and secret, the order-number pattern (with a live test) and the reply template. */
export function OrderStatusEditor({ os, onChange, err }: { os: OS; onChange: (os: OS) => void; err: (p: string) => string | undefined }) {
  const [sample, setSample] = useState('12345');
  const result = testPattern(os.number_pattern, sample);
  const used = placeholders(os.reply_template);
  const verdict =
    result.state === 'invalid'
      ? t('bots.order.patternInvalid', { error: result.error })
      : result.state === 'unsupported'
        ? t('bots.order.patternUnsupported')
        : result.state === 'match'
          ? t('bots.order.sampleMatches', { sample: sample.trim() })
          : result.state === 'nomatch'
            ? t('bots.order.sampleNoMatch', { sample: sample.trim() })
            : os.number_pattern
              ? ''
              : t('bots.order.patternEmpty');
  return (
    <>
      <InputField
        label={t('bots.order.url')}
        type="url"
        inputMode="url"
        placeholder="https://shop.example.com/parley/orders"
        value={os.url}
        error={err('order_status.url')}
        hint={t('bots.order.urlHint')}
        onChange={(e) => onChange({ ...os, url: e.target.value })}
      />
      <SecretField
        label={t('bots.order.secret')}
        isSet={os.secret_set}
        value={os.secret}
        error={err('order_status.secret')}
        hint={t('bots.order.secretHint')}
        onChange={(secret) => onChange({ ...os, secret })}
      />
      <div className="field-row pattern-row">
        <InputField
          label={t('bots.order.pattern')}
          className="mono"
          spellCheck={false}
          placeholder="^#?\d{5,8}$"
          maxLength={200}
          value={os.number_pattern}
          error={err('order_status.number_pattern') ?? (result.state === 'invalid' || result.state === 'unsupported' ? verdict : undefined)}
          hint={t('bots.order.patternHint')}
          onChange={(e) => onChange({ ...os, number_pattern: e.target.value })}
        />
        <InputField
          label={t('bots.order.sample')}
          className="mono"
          spellCheck={false}
          value={sample}
          onChange={(e) => setSample(e.target.value)}
          // Testing a number is not saving the bot.
          onKeyDown={(e) => e.key === 'Enter' && e.preventDefault()}
          hint={t('bots.order.sampleHint')}
        />
      </div>
      {(result.state === 'match' || result.state === 'nomatch' || result.state === 'empty') && verdict && (
        <p className={`pattern-verdict ${result.state === 'match' ? 'ok' : result.state === 'nomatch' ? 'bad' : ''}`} role="status" data-testid="pattern-verdict">
          {result.state === 'match' ? '✓ ' : result.state === 'nomatch' ? '✗ ' : ''}
          {verdict}
        </p>
      )}
      <TextareaField
        label={t('bots.order.template')}
        rows={3}
        maxLength={1000}
        placeholder="Order {{number}} is {{status}}, due {{eta}}."
        value={os.reply_template}
        error={err('order_status.reply_template')}
        hint={
          <>
            {t('bots.order.templateHint')}{' '}
            {TEMPLATE_PLACEHOLDERS.map((p, i) => (
              <span key={p}>
                {i > 0 && ', '}
                <code>{`{{${p}}}`}</code> {t(`bots.order.ph.${p}`)}
              </span>
            ))}
            . {t('bots.order.templateMore')}
          </>
        }
        onChange={(e) => onChange({ ...os, reply_template: e.target.value })}
      />
      {os.reply_template.trim() && (
        <div className="template-preview">
          <span className="field-label">{t('bots.order.preview')}</span>
          <p className="template-sample">{t('bots.order.previewFor', { json: JSON.stringify(SAMPLE_ORDER) })}</p>
          <p className="template-out" data-testid="template-preview">
            {fillTemplate(os.reply_template, SAMPLE_ORDER)}
          </p>
          {used.some((p) => !(p in SAMPLE_ORDER)) && (
            <p className="field-hint">{t('bots.order.previewUnknown', { names: used.filter((p) => !(p in SAMPLE_ORDER)).map((p) => `{{${p}}}`).join(', ') })}</p>
          )}
        </div>
      )}
      <details className="help">
        <summary>{t('bots.order.how')}</summary>
        <p>{t('bots.order.how1')}</p>
        <pre className="code-block">{`webhook-id: msg_2Lq…
webhook-timestamp: 1767225600
webhook-signature: v1,<base64 HMAC-SHA256(secret, id + "." + timestamp + "." + body)>`}</pre>
        <p>{t('bots.order.how2')}</p>
      </details>
    </>
  );
}
