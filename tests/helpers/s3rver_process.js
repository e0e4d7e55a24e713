// Runs s3rver in its own process. Tests talk to it over HTTP only, and a
// crash of s3rver (it has a few on odd keys) cannot take the runner down.
// Node runs it with --openssl-legacy-provider: s3rver encrypts listing
// continuation tokens with DES, which OpenSSL 3 keeps in the legacy provider.
import S3rver from 's3rver'

const { directory, buckets } = JSON.parse(process.argv[2])
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  resetOnClose: true,
  allowMismatchedSignatures: true,
  vhostBuckets: false,
  configureBuckets: buckets.map((name) => ({ name })),
})
const { port } = await server.run()
process.send({ port })
process.on('disconnect', async () => {
  await server.close()
  process.exit(0)
})
