/**
 * Keys that have broken S3 and CloudFront URL encoders before. Every URL
 * the package makes is tested against all of them.
 *
 * `s3rver: false` marks keys the test S3 server cannot store (it keeps
 * objects as files), with the reason; the URL tests still use them.
 */
export type AwkwardKey = { key: string; s3rver?: false; why?: string }

const longSegment = 'x'.repeat(200)

export const AWKWARD_KEYS: AwkwardKey[] = [
  { key: 'plain.txt' },
  { key: 'with space.txt' },
  { key: 'two  spaces and trailing space .txt' },
  { key: 'plus+sign.txt' },
  { key: 'percent%20literal.txt' },
  { key: 'percent%.txt' },
  { key: 'percent%2F-slash-lookalike.txt' },
  { key: 'hash#fragment.txt' },
  { key: 'question?mark.txt' },
  { key: 'amp&ersand.txt' },
  { key: 'equals=sign.txt' },
  { key: 'comma,separated.txt' },
  { key: "apostrophe's.txt" },
  { key: 'paren(1).txt' },
  { key: 'star*wild.txt' },
  { key: 'bang!.txt' },
  { key: 'tilde~home.txt' },
  { key: 'at@evil.com.txt' },
  { key: '@evil.com/x' },
  { key: 'semi;colon.txt' },
  { key: 'colon:name.txt' },
  { key: 'dollar$.txt' },
  { key: 'brackets[0].txt' },
  { key: 'braces{a}.txt' },
  { key: 'pipe|bar.txt' },
  { key: 'caret^hat.txt' },
  { key: 'backtick`.txt' },
  { key: 'quote".txt' },
  { key: 'lt<gt>.txt' },
  { key: 'dots...txt' },
  { key: '.hidden' },
  { key: '..double-leading-dots.txt' },
  { key: 'trailing-dots..' },
  { key: 'café.txt' },
  { key: 'decomposed-cafe\u0301.txt' },
  { key: '日本語/ファイル.txt' },
  { key: 'emoji-😀.png' },
  { key: 'arabic-ملف.txt' },
  { key: 'zero\u200bwidth.txt' },
  { key: "filename*=UTF-8''x.txt" },
  { key: 'response-content-disposition=attachment.txt' },
  { key: 'Expires=1&Signature=x&Key-Pair-Id=y.txt' },
  { key: 'folder/nested/deep/file.txt' },
  { key: `${'deep/'.repeat(60)}file.txt` },
  { key: `${longSegment}/${longSegment}/${longSegment}/${longSegment}.txt` },
  {
    key: 'double//slash.txt',
    s3rver: false,
    why: 's3rver stores objects as files, and a//b is the file a/b',
  },
  {
    key: 'trailing-slash/',
    s3rver: false,
    why: 's3rver stores objects as files, and a folder cannot be one',
  },
  {
    key: 'x'.repeat(300),
    s3rver: false,
    why: 'a segment over 255 bytes crashes s3rver (ENAMETOOLONG)',
  },
]

/**
 * Keys the driver must refuse with E_DJAMAZING_INVALID_KEY before any request.
 */
export const INVALID_KEYS: string[] = [
  '',
  '/leading-slash.txt',
  '../escape.txt',
  'a/../../escape.txt',
  'a/..',
  '..',
  '.',
  'a/.',
  'a/./',
  './dot.txt',
  'a/./b.txt',
  'back\\slash.txt',
  'nul\u0000byte.txt',
  'new\nline.txt',
  'carriage\rreturn.txt',
  'tab\there.txt',
  'del\u007f.txt',
  'lone-surrogate-\ud800.txt',
  'é'.repeat(600),
  // 1,026 bytes of UTF-8 in 342 characters.
  '€'.repeat(342),
]
