import { useEffect, useRef, useState } from 'react';
import type { Skill } from '../../api/bot';
import { t, type MessageKey } from '../../i18n';
import { Link } from '../../lib/router';
import { moveSkill, toggleSkill, type SkillRow } from './model';

export const skillName = (s: Skill) => t(`bots.skill.${s}` as MessageKey);
export const skillHint = (s: Skill) => t(`bots.skill.${s}.hint` as MessageKey);

/** PlanNotice says the plan lacks a skill (a 402) and links to Billing. */
export function PlanNotice({ what }: { what: string }) {
  return (
    <p className="plan-notice" role="alert">
      {what}{' '}
      <Link href="/billing">{t('bots.plan.link')}</Link>
    </p>
  );
}

/**
 * SkillsEditor orders the skills (the first that answers with confidence
 * replies) with up/down buttons, and turns each on or off. Focus follows the
 * moved skill, and a live region says where it went.
 */
export function SkillsEditor({
  rows,
  onChange,
  planSkills,
  error,
}: {
  rows: SkillRow[];
  onChange: (rows: SkillRow[]) => void;
  /** Skills the plan does not include (from a 402). */
  planSkills: Set<Skill>;
  error?: string;
}) {
  const [announce, setAnnounce] = useState('');
  const focusNext = useRef<{ id: Skill; dir: 'up' | 'down' } | null>(null);
  const buttons = useRef(new Map<string, HTMLButtonElement | null>());
  useEffect(() => {
    const f = focusNext.current;
    if (!f) return;
    focusNext.current = null;
    const want = buttons.current.get(`${f.id}-${f.dir}`);
    const other = buttons.current.get(`${f.id}-${f.dir === 'up' ? 'down' : 'up'}`);
    (want && !want.disabled ? want : other)?.focus();
  }, [rows]);
  const move = (i: number, dir: 'up' | 'down') => {
    const next = moveSkill(rows, i, dir === 'up' ? -1 : 1);
    const id = rows[i].id;
    focusNext.current = { id, dir };
    onChange(next);
    setAnnounce(t('bots.skills.moved', { skill: skillName(id), position: next.findIndex((r) => r.id === id) + 1, total: next.length }));
  };
  return (
    <>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <ol className="skill-list" aria-label={t('bots.skills.order')}>
        {rows.map((r, i) => {
          const name = skillName(r.id);
          return (
            <li key={r.id} className={`skill-row${r.enabled ? '' : ' skill-off'}`} data-skill={r.id}>
              <span className="skill-pos" aria-hidden="true">
                {i + 1}
              </span>
              <div className="skill-text">
                <label htmlFor={`skill-${r.id}`} className="skill-name">
                  {name}
                </label>
                <span className="field-hint" id={`skill-${r.id}-hint`}>
                  {skillHint(r.id)}
                </span>
                {planSkills.has(r.id) && <PlanNotice what={t('bots.plan.skill')} />}
              </div>
              <input
                id={`skill-${r.id}`}
                type="checkbox"
                role="switch"
                className="switch"
                checked={r.enabled}
                aria-describedby={`skill-${r.id}-hint`}
                onChange={(e) => onChange(toggleSkill(rows, r.id, e.target.checked))}
              />
              <span className="skill-move">
                <button
                  type="button"
                  className="btn btn-ghost btn-small btn-icon"
                  ref={(el) => void buttons.current.set(`${r.id}-up`, el)}
                  aria-label={t('bots.skills.up', { skill: name })}
                  disabled={i === 0}
                  onClick={() => move(i, 'up')}
                >
                  <span aria-hidden="true">↑</span>
                </button>
                <button
                  type="button"
                  className="btn btn-ghost btn-small btn-icon"
                  ref={(el) => void buttons.current.set(`${r.id}-down`, el)}
                  aria-label={t('bots.skills.down', { skill: name })}
                  disabled={i === rows.length - 1}
                  onClick={() => move(i, 'down')}
                >
                  <span aria-hidden="true">↓</span>
                </button>
              </span>
            </li>
          );
        })}
      </ol>
      <p className="sr-only" role="status" aria-live="polite">
        {announce}
      </p>
    </>
  );
}
