/*
 * `npm run demo`: the whole protected flow on one machine, no AWS account.
 *
 * Starts s3rver (in a child process) as the S3 bucket, creates the demo's
 * secrets and CloudFront key pair on first start, boots the AdonisJS app
 * of demo/ (which serves the local CloudFront-compatible edge under /cdn),
 * seeds the users alice and bob, and prints what to open. Ctrl-C stops
 * everything. The app is shaped as an installed one: it imports djamazing
 * by name (bin/package_from_source.ts resolves it to this repository's
 * sources) and reads the values set here from its environment, where an
 * installed copy reads its .env.
 *
 * docs/development.md shows what it prints and its environment: keep them in step.
 *
 * Environment: PORT (default 3333, 0 picks a free port), HOST (default
 * 127.0.0.1), DEMO_DATA_DIR (default demo/tmp), LOG_LEVEL (default warn).
 * `npm run demo -- --local` keeps the files in the local store of the data
 * folder instead of s3rver.
 *
 * `npm run demo -- --edge-origin` runs the edge on its own origin, as
 * CloudFront is in production: EDGE_PORT (default PORT + 1, or a free port
 * with PORT=0). DEMO_APP_HOST and DEMO_EDGE_HOST name the hosts the
 * browser uses (default: HOST's), e.g. app.example.test and
 * cdn.example.test mapped to this machine: cookies are per host, not per
 * port. CLOUDFRONT_CORS_ORIGINS (default: the app's origin) and
 * CLOUDFRONT_COOKIE_DOMAIN (default: the parent both hosts share) are the
 * app's settings, to try other values.
 */
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { join, resolve } from 'node:path'
import type { ApplicationService } from '@adonisjs/core/types'
import { forkS3rver, type S3rverProcess } from './s3rver.ts'
import { openDemoData } from './demo_data.ts'

const BUCKET = 'djamazing-demo'

/**
 * Asks the OS for a free port (PORT=0): the app must know its own URL before
 * it boots, because the CDN URL of its disks points back at it.
 */
async function freePort(host: string): Promise<number> {
  const server = createServer()
  await new Promise<void>((done, fail) => {
    server.once('error', fail)
    server.listen(0, host, done)
  })
  const { port } = server.address() as { port: number }
  await new Promise((done) => server.close(done))
  return port
}

/**
 * The cookie domain two host names share (`.example.test` for
 * app.example.test and cdn.example.test): none for the same host, IP
 * addresses, or hosts sharing no more than a top-level domain.
 */
function sharedCookieDomain(app: string, edge: string): string | undefined {
  if (app === edge || /^[\d.]+$|:/.test(app) || /^[\d.]+$|:/.test(edge)) return undefined
  const a = app.split('.').reverse()
  const b = edge.split('.').reverse()
  let common = 0
  while (common < a.length && common < b.length && a[common] === b[common]) common++
  return common >= 2 ? `.${a.slice(0, common).reverse().join('.')}` : undefined
}

/**
 * The host part of the URL to print: a wildcard address is reached as
 * localhost, an IPv6 literal needs brackets.
 */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost'
  return host.includes(':') ? `[${host}]` : host
}

async function main() {
  const [major] = process.versions.node.split('.').map(Number)
  if (major < 24) {
    throw new Error(`The demo needs Node.js >= 24, this is ${process.version}. Run "npm run demo".`)
  }

  const dataDirectory = resolve(
    process.env.DEMO_DATA_DIR || fileURLToPath(new URL('../demo/tmp/', import.meta.url))
  )
  const data = await openDemoData(dataDirectory)
  const host = process.env.HOST || '127.0.0.1'
  const requestedPort = Number(process.env.PORT ?? 3333)
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
    throw new Error(`PORT must be a port number, got "${process.env.PORT}"`)
  }
  const port = requestedPort === 0 ? await freePort(host) : requestedPort
  const appHost = process.env.DEMO_APP_HOST || urlHost(host)
  const appUrl = `http://${appHost}:${port}`
  // --edge-origin: the edge listens on its own port (and host name), as
  // the distribution is another origin than the app in production.
  const edgeOrigin = process.argv.includes('--edge-origin')
  const edgeHost = process.env.DEMO_EDGE_HOST || urlHost(host)
  const edgePort = Number(
    process.env.EDGE_PORT || (requestedPort === 0 ? await freePort(host) : port + 1)
  )
  const cdnUrl = edgeOrigin ? `http://${edgeHost}:${edgePort}/cdn` : `${appUrl}/cdn`
  const cookieDomain = edgeOrigin ? sharedCookieDomain(appHost, edgeHost) : undefined

  let s3: S3rverProcess | undefined
  let app: ApplicationService | undefined
  let stopping = false

  async function stop(exitCode: number) {
    if (stopping) return
    stopping = true
    await app?.terminate()
    await s3?.stop()
    process.exit(exitCode)
  }
  process.on('SIGINT', () => {
    if (stopping) process.exit(130)
    console.log('\nStopping the demo...')
    void stop(0)
  })
  process.on('SIGTERM', () => void stop(0))

  // --local: the local store instead of s3rver (files in the data folder).
  const store = process.argv.includes('--local') ? 'local' : 's3'
  if (store === 'local' && edgeOrigin) {
    // The local store's upload URLs point at the edge, and its answers to
    // cross-origin PUTs carry no CORS headers: uploads would fail.
    throw new Error('--edge-origin runs on s3rver only: leave out --local')
  }
  if (store === 's3') {
    s3 = await forkS3rver({
      directory: data.s3Directory,
      buckets: [BUCKET],
      // Browsers PUT direct uploads to the bucket from the app's pages.
      corsOrigins: [appUrl],
      resetOnClose: false,
      stdio: 'inherit',
    })
    s3.process.once('exit', (code) => {
      if (stopping) return
      console.error(`The S3 server stopped unexpectedly (exit code ${code}); stopping the demo.`)
      void stop(1)
    })
  }

  Object.assign(process.env, {
    // A demo over plain http on a laptop: production settings would refuse
    // the http:// CDN URL, and rightly so.
    NODE_ENV: 'development',
    HOST: host,
    PORT: String(port),
    LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
    APP_KEY: data.appKey,
    APP_URL: appUrl,
    DEMO_DATA_DIR: dataDirectory,
    DJAMAZING_STORE: store,
    ...(s3 && { S3_ENDPOINT: s3.endpoint }),
    S3_BUCKET: BUCKET,
    // s3rver's fixed credentials
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    CLOUDFRONT_URL: cdnUrl,
    CLOUDFRONT_CORS_ORIGINS: process.env.CLOUDFRONT_CORS_ORIGINS || appUrl,
    ...(cookieDomain &&
      !process.env.CLOUDFRONT_COOKIE_DOMAIN && { CLOUDFRONT_COOKIE_DOMAIN: cookieDomain }),
    CLOUDFRONT_KEY_PAIR_ID: data.keyPairId,
    CLOUDFRONT_PRIVATE_KEY_FILE: data.privateKeyFile,
  })

  const { startHttpServer } = await import('../demo/bin/server.ts')
  app = await startHttpServer()

  const { seedDemo } = await import('../demo/app/seed.ts')
  await seedDemo(data.passwords)

  console.log(
    [
      '',
      'djamazing demo',
      `  data folder      ${dataDirectory}${data.created ? ' (created now)' : ''}`,
      s3
        ? `  S3 (s3rver)      ${s3.endpoint}, bucket "${BUCKET}"`
        : `  local store      ${join(dataDirectory, 'storage', BUCKET)}`,
      `  CloudFront edge  ${cdnUrl}${edgeOrigin ? ' (its own origin)' : ''}`,
      `  key pair id      ${data.keyPairId}`,
      `  public key       ${data.publicKeyFile}`,
      `  users            alice / ${data.passwords.alice}`,
      `                   bob / ${data.passwords.bob}`,
      '',
      `Open ${appUrl}`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n')
  )
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
