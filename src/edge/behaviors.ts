import { E_DJAMAZING_INVALID_CONFIG } from '../errors.ts'
import { compileCors, type CompiledCors } from './cors.ts'
import type { EdgeBehavior } from './types.ts'

/**
 * What the edge does with one key: whether it needs a signature, whether
 * active content (HTML, SVG, ...) is served inline, which methods it
 * allows and which CORS headers it adds.
 */
export type ResolvedBehavior = {
  signed: boolean
  inlineActiveContent: boolean
  allowedMethods: ReadonlySet<string>
  cors: CompiledCors | undefined
}

type CompiledBehavior = ResolvedBehavior & { pattern: RegExp }

const METHOD_SETS = ['GET,HEAD', 'GET,HEAD,OPTIONS']

/**
 * The parts of a behavior that do not depend on its path pattern, checked.
 */
function resolve(behavior: Omit<EdgeBehavior, 'pathPattern'>, setting: string): ResolvedBehavior {
  if (typeof behavior.signed !== 'boolean') {
    throw new E_DJAMAZING_INVALID_CONFIG([
      `${setting}.signed`,
      'it must be true (signed URLs or cookies required) or false (public)',
    ])
  }
  const methods = behavior.allowedMethods ?? ['GET', 'HEAD']
  if (!Array.isArray(methods) || !METHOD_SETS.includes(methods.join(','))) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      `${setting}.allowedMethods`,
      "it must be ['GET', 'HEAD'] or ['GET', 'HEAD', 'OPTIONS']: the edge only reads, so CloudFront's sets with PUT, POST, PATCH and DELETE do not apply",
    ])
  }
  return {
    signed: behavior.signed,
    inlineActiveContent: behavior.inlineActiveContent === true,
    allowedMethods: new Set(methods),
    cors: behavior.cors === undefined ? undefined : compileCors(behavior.cors, `${setting}.cors`),
  }
}

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
  defaultBehavior: Omit<EdgeBehavior, 'pathPattern'> = { signed: true }
): {
  behaviorFor(key: string | undefined): ResolvedBehavior
  isSigned(key: string): boolean
  anySigned: boolean
} {
  const compiled: CompiledBehavior[] = behaviors.map((behavior, index) => {
    if (typeof behavior.pathPattern !== 'string' || behavior.pathPattern === '') {
      throw new E_DJAMAZING_INVALID_CONFIG([
        `edge.behaviors[${index}].pathPattern`,
        'it must be a non-empty path pattern such as "static/*"',
      ])
    }
    return {
      pattern: compilePattern(behavior.pathPattern),
      ...resolve(behavior, `edge.behaviors[${index}]`),
    }
  })
  const fallback = resolve(defaultBehavior, 'edge.defaultBehavior')
  // A path that is no valid key matches no pattern: the default behavior.
  const behaviorFor = (key: string | undefined): ResolvedBehavior =>
    (key === undefined ? undefined : compiled.find((behavior) => behavior.pattern.test(key))) ??
    fallback
  return {
    anySigned: defaultBehavior.signed || compiled.some((behavior) => behavior.signed),
    behaviorFor,
    isSigned: (key) => behaviorFor(key).signed,
  }
}
