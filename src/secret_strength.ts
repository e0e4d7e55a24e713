/**
 * Words that make up the placeholder secrets people write by hand
 * ("averylongrandomsecretkey", "test-app-key-0123456789", "changeme..."):
 * none of them adds entropy.
 */
const WORDS = [
  'password',
  'passwd',
  'secret',
  'changeme',
  'change',
  'example',
  'sample',
  'default',
  'testing',
  'test',
  'demo',
  'admin',
  'root',
  'qwerty',
  'azerty',
  'letmein',
  'welcome',
  'hello',
  'world',
  'random',
  'string',
  'value',
  'token',
  'signing',
  'links',
  'link',
  'key',
  'keys',
  'app',
  'application',
  'very',
  'long',
  'super',
  'strong',
  'least',
  'bytes',
  'byte',
  'chars',
  'characters',
  'this',
  'that',
  'your',
  'here',
  'insert',
  'replace',
  'please',
  'development',
  'dev',
  'production',
  'prod',
  'local',
  'staging',
  'old',
  'new',
  'edge',
  'flow',
  'foo',
  'bar',
  'baz',
  'lorem',
  'ipsum',
  'djamazing',
  'adonis',
  'adonisjs',
].sort((a, b) => b.length - a.length)

/**
 * Bits a secret must carry once its guessable parts are taken out: 64,
 * the security of a 16-byte random value written in hex.
 */
const MIN_BITS = 64

/**
 * Drops runs of 3 or more characters that step by 0 or ±1 (`aaaa`,
 * `abcd`, `4321`): the first things a guesser tries.
 */
function withoutRuns(text: string): string {
  let kept = ''
  let i = 0
  while (i < text.length) {
    const step = text.charCodeAt(i + 1) - text.charCodeAt(i)
    if (Math.abs(step) <= 1) {
      let end = i + 1
      while (text.charCodeAt(end + 1) - text.charCodeAt(end) === step) end++
      if (end - i >= 2) {
        i = end + 1
        continue
      }
    }
    kept += text[i]
    i++
  }
  return kept
}

/**
 * What is left of a secret once dictionary words, runs and separators are
 * taken out.
 */
function unguessablePart(secret: string): string {
  let rest = secret
  for (const word of WORDS) rest = rest.replace(new RegExp(word, 'gi'), ' ')
  return withoutRuns(rest.replace(/[\s\-_.:/]+/g, ' ')).replace(/ /g, '')
}

/**
 * log2 of the alphabet the characters are drawn from, judged by the kinds
 * of characters present.
 */
function bitsPerCharacter(text: string): number {
  let size = 0
  if (/[a-z]/.test(text)) size += 26
  if (/[A-Z]/.test(text)) size += 26
  if (/[0-9]/.test(text)) size += 10
  if (/[^a-zA-Z0-9]/.test(text)) size += 32
  return Math.log2(Math.max(size, 2))
}

/**
 * Whether `text` is a shorter string repeated (`abcabcabc`).
 */
function isRepeated(text: string): boolean {
  return /^([\s\S]+?)\1+$/.test(text)
}

/**
 * Why a secret is too easy to guess, or `undefined` when it is not. A
 * link secret that someone can guess lets them sign links for anyone.
 */
export function weakSecretReason(secret: string | Uint8Array): string | undefined {
  if (typeof secret !== 'string') {
    const bytes = Buffer.from(secret)
    if (new Set(bytes).size < 8 || isRepeated(bytes.toString('latin1'))) {
      return 'its bytes repeat'
    }
    return undefined
  }
  if (isRepeated(secret)) return 'it is a repeated pattern'
  const rest = unguessablePart(secret)
  const bits = rest.length * bitsPerCharacter(secret)
  if (new Set(rest).size < 8 || bits < MIN_BITS) {
    return 'it is made of words, sequences or repeated characters'
  }
  return undefined
}
