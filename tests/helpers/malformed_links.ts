import { NOW, makeSigner } from './links.ts'

/**
 * Request targets that are not links this package makes, each with what it
 * tries. Built around a genuine link of alice's so that only the named
 * part is wrong. None may get a 5xx or a redirect.
 */
export function malformedLinks(): [what: string, target: string][] {
  const link = makeSigner().linkFor('uploads', 'a.txt', { userId: 'alice', now: new Date(NOW) })
  const query = link.slice(link.indexOf('?') + 1)
  const params = new URLSearchParams(query)
  const e = params.get('e')!
  const s = params.get('s')!
  const path = '/djamazing/uploads/a.txt'
  const valid = `e=${e}&s=${s}`

  return [
    ['the bare prefix', '/djamazing'],
    ['the prefix with a slash', '/djamazing/'],
    ['a disk and no key', `/djamazing/uploads?${valid}`],
    ['a disk, a slash and no key', `/djamazing/uploads/?${valid}`],
    ['an empty disk', `/djamazing//a.txt?${valid}`],
    ['no query', path],
    ['an empty query', `${path}?`],
    ['two question marks', `${path}??${valid}`],
    ['no e', `${path}?s=${s}`],
    ['no s', `${path}?e=${e}`],
    ['an empty e', `${path}?e=&s=${s}`],
    ['an empty s', `${path}?e=${e}&s=`],
    ['e twice', `${path}?e=${e}&e=${e}&s=${s}`],
    ['s twice', `${path}?${valid}&s=${s}`],
    ['e not a number', `${path}?e=soon&s=${s}`],
    ['a negative e', `${path}?e=-${e}&s=${s}`],
    ['e with a leading zero', `${path}?e=0${e}&s=${s}`],
    ['e with a fraction', `${path}?e=${e}.5&s=${s}`],
    ['e in exponent notation', `${path}?e=1e10&s=${s}`],
    ['a huge e', `${path}?e=${'9'.repeat(400)}&s=${s}`],
    ['e as hex', `${path}?e=0x${Number(e).toString(16)}&s=${s}`],
    ['s not base64', `${path}?e=${e}&s=${'!'.repeat(43)}`],
    ['s one character too long', `${path}?e=${e}&s=${s}A`],
    ['s one character too short', `${path}?e=${e}&s=${s.slice(1)}`],
    ['s padded', `${path}?e=${e}&s=${s}%3D`],
    ['s in standard base64', `${path}?e=${e}&s=${'+/'.repeat(21)}A`],
    ['a huge s', `${path}?e=${e}&s=${'A'.repeat(100_000)}`],
    ['an unknown parameter', `${path}?${valid}&x=1`],
    ['a parameter without "="', `${path}?${valid}&debug`],
    ['an empty parameter', `${path}?e=${e}&&s=${s}`],
    ['a parameter with an empty name', `${path}?${valid}&=1`],
    ['an encoded parameter name', `${path}?%65=${e}&s=${s}`],
    ['a bracketed parameter name', `${path}?e%5B%5D=${e}&s=${s}`],
    ['an empty ct', `${path}?${valid}&ct=`],
    ['ct twice', `${path}?e=${e}&ct=a&ct=b&s=${s}`],
    ['a header injection in cd', `${path}?e=${e}&cd=a%0D%0ASet-Cookie%3A%20x&s=${s}`],
    ['a cd over 1024 characters', `${path}?e=${e}&cd=${'a'.repeat(2000)}&s=${s}`],
    ['"+" for a space in cd', `${path}?e=${e}&cd=a+b&s=${s}`],
    ['a bad percent escape in the query', `${path}?e=${e}&ct=%ZZ&s=${s}`],
    ['a lone "%" in the query', `${path}?e=${e}&ct=%&s=${s}`],
    ['a huge query', `${path}?${valid}&ct=${'a'.repeat(20_000)}`],
    ['a fragment', `${path}?${valid}#x`],
    ['a truncated UTF-8 escape in the key', `/djamazing/uploads/%E0%A4%A.txt?${valid}`],
    ['an overlong UTF-8 dot', `/djamazing/uploads/%C0%AE%C0%AE/a.txt?${valid}`],
    ['an encoded lone surrogate', `/djamazing/uploads/%ED%A0%80.txt?${valid}`],
    ['a ".." segment', `/djamazing/uploads/../uploads/a.txt?${valid}`],
    ['an encoded ".." segment', `/djamazing/uploads/%2e%2e/a.txt?${valid}`],
    ['a "." segment', `/djamazing/uploads/./a.txt?${valid}`],
    ['an encoded slash', `/djamazing/uploads/x%2Fa.txt?${valid}`],
    ['an encoded backslash', `/djamazing/uploads/x%5Ca.txt?${valid}`],
    ['an encoded NUL', `/djamazing/uploads/a%00.txt?${valid}`],
    ['an encoded newline', `/djamazing/uploads/a%0A.txt?${valid}`],
    ['lowercase hex for the right key', `/djamazing/uploads/%61.txt?${valid}`],
    ['raw unicode in the key', `/djamazing/uploads/é.txt?${valid}`],
    ['a leading slash in the key', `/djamazing/uploads//a.txt?${valid}`],
    ['a key of 5000 characters', `/djamazing/uploads/${'a'.repeat(5000)}?${valid}`],
    ['a key of 2000 segments', `/djamazing/uploads/${'a/'.repeat(2000)}a.txt?${valid}`],
    ['an uppercase disk', `/djamazing/UPLOADS/a.txt?${valid}`],
    ['a disk with a space', `/djamazing/up%20loads/a.txt?${valid}`],
    ['an encoded disk', `/djamazing/%75ploads/a.txt?${valid}`],
    ['".." as the disk', `/djamazing/../a.txt?${valid}`],
    ['a disk of 100 characters', `/djamazing/${'u'.repeat(100)}/a.txt?${valid}`],
    ['"__proto__" as the disk', `/djamazing/__proto__/a.txt?${valid}`],
    ['"constructor" as the disk', `/djamazing/constructor/a.txt?${valid}`],
    ['"hasOwnProperty" as the disk', `/djamazing/hasOwnProperty/a.txt?${valid}`],
    ['a public disk', `/djamazing/static/a.txt?${valid}`],
  ]
}
