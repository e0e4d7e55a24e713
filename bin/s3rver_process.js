// Runs s3rver in its own process, for the tests and the demo. They talk to it
// over HTTP only, and a crash of s3rver (it has a few on odd keys) cannot take
// the test runner or the demo app down with it.
// Node runs it with --openssl-legacy-provider: s3rver encrypts listing
// continuation tokens with DES, which OpenSSL 3 keeps in the legacy provider.
//
// Argument: JSON `{ directory, buckets, resetOnClose? = true, port? = 0,
// corsOrigins? }`. With `corsOrigins`, every bucket gets the CORS rule
// direct uploads from a browser need (docs/uploads.md gives it for S3).
// Sends `{ port }` to the parent once listening; exits when the parent
// disconnects (or dies: the IPC channel closes with it).
import S3rver from 's3rver'
import { escapeXml, fixS3rver } from './s3rver_fixes.js'

// A Ctrl-C in a terminal reaches the whole process group: the parent decides
// when this server stops (it disconnects), so requests in flight finish.
process.on('SIGINT', () => {})

const {
  directory,
  buckets,
  resetOnClose = true,
  port = 0,
  corsOrigins,
} = JSON.parse(process.argv[2])

// The rule of docs/uploads.md, in the XML form S3's PutBucketCors takes.
const uploadCors = (origins) =>
  [
    '<CORSConfiguration><CORSRule>',
    ...origins.map((origin) => `<AllowedOrigin>${escapeXml(origin)}</AllowedOrigin>`),
    '<AllowedMethod>PUT</AllowedMethod>',
    '<AllowedHeader>content-type</AllowedHeader>',
    '<AllowedHeader>x-amz-checksum-sha256</AllowedHeader>',
    '<ExposeHeader>ETag</ExposeHeader>',
    '<MaxAgeSeconds>3000</MaxAgeSeconds>',
    '</CORSRule></CORSConfiguration>',
  ].join('')

const server = new S3rver({
  address: '127.0.0.1',
  port,
  silent: true,
  directory,
  resetOnClose,
  allowMismatchedSignatures: true,
  vhostBuckets: false,
  configureBuckets: buckets.map((name) => ({
    name,
    configs: corsOrigins ? [uploadCors(corsOrigins)] : [],
  })),
})
fixS3rver(server, directory)
const address = await server.run()
process.send({ port: address.port })
process.on('disconnect', async () => {
  await server.close()
  process.exit(0)
})
