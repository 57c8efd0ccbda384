import { describe, expect, it } from 'vitest'
import { contrast, safeColor, textOn } from '../src/shared/color'

describe('text on the tenant colour', () => {
  it('always reaches WCAG AA 4.5:1', () => {
    for (let r = 0; r < 256; r += 17)
      for (let g = 0; g < 256; g += 17)
        for (let b = 0; b < 256; b += 17) {
          const c = '#' + [r, g, b].map((x) => x.toString(16).padStart(2, '0')).join('')
          expect(contrast(c, textOn(c)), c).toBeGreaterThanOrEqual(4.5)
        }
  })
  it('keeps only #rrggbb colours', () => {
    expect(safeColor('#ABCDEF')).toBe('#abcdef')
    expect(safeColor('red;background:url(x)')).toBe('#2563eb')
  })
})
