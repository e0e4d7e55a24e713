import { E_DJAMAZING_INVALID_CONFIG } from '../errors.ts'
import type { EdgeBehavior } from './types.ts'

type CompiledBehavior = { pattern: RegExp; signed: boolean }

/**
 * CloudFront path pattern to a regular expression: `*` is any run of
 * characters (including `/`), `?` exactly one, everything else literal.
 */
function compilePattern(pathPattern: string): RegExp {
  const pattern = pathPattern.startsWith('/') ? pathPattern.slice(1) : pathPattern
  const source = [...pattern]
    .map((char) => {
      if (char === '*') return '.*'
      if (char === '?') return '.'
      return char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')
    })
    .join('')
  return new RegExp(`^${source}$`, 'su')
}

/**
 * Compiles the behaviors once, when the edge is created, and returns the
 * function that says whether a key needs a signature. Matching runs on the
 * decoded, validated key, the name of the object that would be served, so
 * no spelling of a URL (`%2F`, `%73tatic`, ...) reaches a signed object
 * through a public pattern.
 */
export function compileBehaviors(
  behaviors: EdgeBehavior[] = [],
  defaultBehavior: { signed: boolean } = { signed: true }
): { isSigned(key: string): boolean; anySigned: boolean; defaultSigned: boolean } {
  const compiled: CompiledBehavior[] = behaviors.map((behavior, index) => {
    if (typeof behavior.pathPattern !== 'string' || behavior.pathPattern === '') {
      throw new E_DJAMAZING_INVALID_CONFIG([
        `edge.behaviors[${index}].pathPattern`,
        'it must be a non-empty path pattern such as "static/*"',
      ])
    }
    if (typeof behavior.signed !== 'boolean') {
      throw new E_DJAMAZING_INVALID_CONFIG([
        `edge.behaviors[${index}].signed`,
        'it must be true (signed URLs or cookies required) or false (public)',
      ])
    }
    return { pattern: compilePattern(behavior.pathPattern), signed: behavior.signed }
  })
  return {
    defaultSigned: defaultBehavior.signed,
    anySigned: defaultBehavior.signed || compiled.some((behavior) => behavior.signed),
    isSigned(key) {
      const match = compiled.find((behavior) => behavior.pattern.test(key))
      return match ? match.signed : defaultBehavior.signed
    },
  }
}
