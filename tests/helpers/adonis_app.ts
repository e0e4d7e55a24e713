import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import type { BaseCommand } from '@adonisjs/core/ace'
import { IgnitorFactory } from '@adonisjs/core/factories'
import { defineConfig as defineHttpConfig } from '@adonisjs/core/http'
import type { HttpContext } from '@adonisjs/core/http'
import type { ApplicationService } from '@adonisjs/core/types'
import {
  defineConfig as defineEncryptionConfig,
  drivers as encryptionDrivers,
} from '@adonisjs/core/encryption'
import { defineConfig as defineSessionConfig } from '@adonisjs/session'
import { defineConfig as defineAuthConfig, symbols } from '@adonisjs/auth'
import { sessionGuard } from '@adonisjs/auth/session'
import type { SessionGuardUser } from '@adonisjs/auth/types/session'
import { defineConfig as defineDriveConfig } from '@adonisjs/drive'
import type { Disk } from 'flydrive'
import { djamazing } from '../../index.ts'
import type { DjamazingServiceConfig } from '../../src/adonis/types.ts'
import type { LocalStoreOptions } from '../../src/types.ts'
import { startS3Server, type S3Server } from './s3_server.ts'

/**
 * The users of the test app: no database, a map in memory.
 */
export type TestUser = { id: number; name: string; linksRevision: number }
export const USERS: TestUser[] = [
  { id: 1, name: 'alice', linksRevision: 1 },
  { id: 2, name: 'bob', linksRevision: 1 },
]

/**
 * The users of the `admin` guard: another table, whose ids collide with
 * the web users' (root is #1, like alice).
 */
export const ADMINS: TestUser[] = [{ id: 1, name: 'root', linksRevision: 1 }]

/**
 * A session user provider over a list of users ({@link USERS} by
 * default): what `@adonisjs/auth`'s session guard needs, and nothing else.
 */
class MemoryUserProvider {
  declare [symbols.PROVIDER_REAL_USER]: TestUser

  constructor(private users: TestUser[] = USERS) {}

  async createUserForGuard(user: TestUser): Promise<SessionGuardUser<TestUser>> {
    return { getId: () => user.id, getOriginal: () => user }
  }

  async findById(id: string | number | bigint) {
    const user = this.users.find((candidate) => String(candidate.id) === String(id))
    return user ? this.createUserForGuard(user) : null
  }
}

export const KEY_PAIR_ID = 'K2JCJMDEHXQW5F'

/**
 * The app key of the test app (config/encryption.ts): random, as
 * `node ace generate:key` makes them (links refuse guessable secrets).
 */
export const APP_KEY = 'Pk4Wn9Tq2Zx7Lm1Vb6Rc3Yh8Jf5Gd0sA'

/**
 * config/encryption.ts of the test apps, with {@link APP_KEY}: the
 * factories' own key is a dictionary phrase.
 */
export const ENCRYPTION_CONFIG = defineEncryptionConfig({
  default: 'gcm',
  list: { gcm: encryptionDrivers.aes256gcm({ id: 'gcm', keys: [APP_KEY] }) },
})

export type AdonisTestAppOptions = {
  /**
   * `rsa` (RSA-2048) or `ec` (ECDSA P-256) CloudFront key. Default `ec`.
   */
  keyType?: 'rsa' | 'ec'
  /**
   * Extra settings of the protected `uploads` disk.
   */
  uploads?: Partial<DjamazingServiceConfig>
  /**
   * Extra settings of the public `static` disk.
   */
  static?: Partial<DjamazingServiceConfig>
  /**
   * Extra settings of the protected `other` disk.
   */
  other?: Partial<DjamazingServiceConfig>
  /**
   * Turn off HttpContext's async local storage (to test the error).
   */
  asyncLocalStorage?: boolean
  /**
   * The CDN URL of the disks. Default: the app itself, `<app>/cdn`.
   */
  cdnUrl?: string
  /**
   * Run `@adonisjs/auth`'s initialize-auth middleware. Default `true`.
   */
  authMiddleware?: boolean
  /**
   * Register the Edge provider (templates; each request then gets a
   * renderer). Default `true`.
   */
  edge?: boolean
  /**
   * Register the djamazing provider. Default `true`.
   */
  provider?: boolean
  /**
   * Keep the disks' files in the local store (bucket `local-test`)
   * instead of s3rver.
   */
  localStore?: LocalStoreOptions
  /**
   * More routes, registered before the server boots.
   */
  routes?: (router: any, app: ApplicationService) => void
}

export type AdonisTestApp = Awaited<ReturnType<typeof startAdonisApp>>

function listen(server: ReturnType<typeof createServer>) {
  server.listen(0, '127.0.0.1')
  return once(server, 'listening').then(() => (server.address() as AddressInfo).port)
}

/**
 * A real AdonisJS 7 app, booted in this process and listening on a real
 * HTTP port: session guard with alice and bob, a public `static` disk and
 * a protected `uploads` disk over one real s3rver (in a child process),
 * and the local edge serving `cdnUrl` (`<app>/cdn`) from the app itself.
 *
 * Routes for the tests: `POST /login` `{ name }` (web guard), `POST
 * /admin/login` `{ name }` (admin guard: root, #1 like alice), `POST /logout`,
 * `GET /url?disk=&key=` (the disk's `getUrl`, or `{ error: code }`), `GET /edge-template?key=`
 * (an Edge template using `driveUrl`).
 */
export async function startAdonisApp(options: AdonisTestAppOptions = {}) {
  const s3: S3Server = await startS3Server()
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503).end()
  }
  const httpServer = createServer((req, res) => handle(req, res))
  const port = await listen(httpServer)
  const baseUrl = `http://127.0.0.1:${port}`

  const keyPair =
    options.keyType === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const privateKey = keyPair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
  const publicKey: KeyObject = keyPair.publicKey

  const store = options.localStore
    ? { store: 'local' as const, bucket: 'local-test', localStore: options.localStore }
    : { bucket: s3.bucket, ...s3.clientConfig }
  const shared = {
    ...store,
    cdnUrl: options.cdnUrl ?? `${baseUrl}/cdn`,
    cloudfront: { keyPairId: KEY_PAIR_ID, privateKey },
  }
  const driveConfig = defineDriveConfig({
    default: 'uploads',
    services: {
      static: djamazing({
        ...shared,
        mode: 'public',
        prefix: 'static/',
        ...options.static,
      } as DjamazingServiceConfig),
      uploads: djamazing({
        ...shared,
        mode: 'protected',
        prefix: 'uploads/',
        ...options.uploads,
      } as DjamazingServiceConfig),
      other: djamazing({
        ...shared,
        mode: 'protected',
        prefix: 'other/',
        ...options.other,
      } as DjamazingServiceConfig),
    },
  })

  const appRoot = new URL('../../tmp/adonis-app/', import.meta.url)
  const ignitor = new IgnitorFactory()
    .withCoreProviders()
    .withCoreConfig()
    .merge({
      rcFileContents: {
        providers: [
          ...(options.edge === false
            ? []
            : [() => import('@adonisjs/core/providers/edge_provider')]),
          () => import('@adonisjs/session/session_provider'),
          () => import('@adonisjs/auth/auth_provider'),
          () => import('@adonisjs/drive/drive_provider'),
          ...(options.provider === false
            ? []
            : [() => import('../../providers/djamazing_provider.ts')]),
        ],
      },
      config: {
        // The factory merges shallowly: `app.http` must be restated.
        app: {
          appUrl: baseUrl,
          http: defineHttpConfig({ useAsyncLocalStorage: options.asyncLocalStorage ?? true }),
        },
        encryption: ENCRYPTION_CONFIG,
        session: defineSessionConfig({
          store: 'memory',
          stores: {},
          cookieName: 'app-session',
          clearWithBrowser: true,
        }),
        auth: defineAuthConfig({
          default: 'web',
          guards: {
            web: sessionGuard({ useRememberMeTokens: false, provider: new MemoryUserProvider() }),
            admin: sessionGuard({
              useRememberMeTokens: false,
              provider: new MemoryUserProvider(ADMINS),
            }),
          },
        }),
        drive: driveConfig,
      },
    })
    .create(appRoot)

  const app = ignitor.createApp('web')
  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    httpServer.closeAllConnections()
    await new Promise((resolve) => httpServer.close(resolve))
    await app.terminate().catch(() => {})
    await s3.stop()
  }

  try {
    await app.init()
    await app.boot()

    const router = await app.container.make('router')
    router.use([
      () => import('@adonisjs/core/bodyparser_middleware'),
      () => import('@adonisjs/session/session_middleware'),
      ...(options.authMiddleware === false
        ? []
        : [() => import('@adonisjs/auth/initialize_auth_middleware')]),
    ])
    router.post('/login', async (ctx: HttpContext) => {
      const user = USERS.find((candidate) => candidate.name === ctx.request.input('name'))
      if (!user) return ctx.response.unauthorized('unknown user')
      await (ctx as any).auth.use('web').login(user)
      return { id: user.id }
    })
    router.post('/admin/login', async (ctx: HttpContext) => {
      const user = ADMINS.find((candidate) => candidate.name === ctx.request.input('name'))
      if (!user) return ctx.response.unauthorized('unknown admin')
      await (ctx as any).auth.use('admin').login(user)
      return { id: user.id }
    })
    router.post('/logout', async (ctx: HttpContext) => {
      await (ctx as any).auth.use('web').logout()
      return { ok: true }
    })
    // getUrl in a controller and driveUrl in a template, as README.md shows them.
    router.get('/url', async (ctx: HttpContext) => {
      // `as=admin`: a page behind the admin guard's auth middleware.
      if (ctx.request.input('as') === 'admin') await (ctx as any).auth.authenticateUsing(['admin'])
      const drive = await app.container.make('drive.manager')
      const disk = (drive as any).use(ctx.request.input('disk', 'uploads')) as Disk
      try {
        return { url: await disk.getUrl(ctx.request.input('key')) }
      } catch (error: any) {
        // flydrive wraps driver errors: the djamazing error is the cause.
        return ctx.response.status(500).send({ error: error.cause?.code ?? error.code })
      }
    })
    router.get('/edge-template', async (ctx: HttpContext) => {
      const edge = await import('edge.js')
      return edge.default.renderRaw(
        `{{ await driveUrl(key) }}|{{ await driveUrl(key, 'static') }}`,
        { key: ctx.request.input('key') }
      )
    })
    options.routes?.(router, app)

    const server = await app.container.make('server')
    await server.boot()
    server.setNodeServer(httpServer)
    handle = server.handle.bind(server)
  } catch (error: any) {
    await stop()
    throw error
  }

  const drive = (await app.container.make('drive.manager')) as unknown as {
    use(disk: string): Disk
  }

  return {
    app,
    baseUrl,
    port,
    s3,
    publicKey,
    privateKey,
    drive,
    stop,

    /**
     * Logs a user in over HTTP and returns the `Cookie` header to send.
     */
    async login(name: string, guard: 'web' | 'admin' = 'web'): Promise<string> {
      const response = await fetch(`${baseUrl}${guard === 'admin' ? '/admin/login' : '/login'}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      })
      if (response.status !== 200) throw new Error(`login of ${name} failed: ${response.status}`)
      return response.headers
        .getSetCookie()
        .map((cookie) => cookie.split(';')[0])
        .join('; ')
    },

    /**
     * `getUrl(key)` of a disk, made over HTTP for the user of `cookie`.
     */
    async urlFor(
      cookie: string | null,
      key: string,
      disk = 'uploads',
      as: 'admin' | 'web' = 'web'
    ): Promise<string> {
      const query = new URLSearchParams({ disk, key, as })
      const response = await fetch(`${baseUrl}/url?${query}`, {
        headers: cookie ? { cookie } : {},
      })
      const body = (await response.json()) as { url?: string; error?: string }
      if (!body.url) throw new Error(`getUrl failed (${response.status}): ${JSON.stringify(body)}`)
      return body.url
    },
  }
}

/**
 * The app started with its defaults, alice logged in, and her link to
 * `key` on `uploads`: the starting point of the tests that attack a link.
 */
export async function startAdonisAppWithAliceLink(key: string) {
  const app = await startAdonisApp()
  const alice = await app.login('alice')
  return { app, alice, link: await app.urlFor(alice, key) }
}

/**
 * Runs an ace command in the app, its output kept (raw mode, no colors).
 */
export async function runAceCommand(
  app: AdonisTestApp,
  command: typeof BaseCommand,
  args: string[]
) {
  const ace = await app.app.container.make('ace')
  const instance = await ace.create(command, args)
  instance.ui.switchMode('raw')
  await instance.exec()
  const output = instance.logger
    .getLogs()
    .map((log: { message: string }) => log.message)
    .join('\n')
  return { exitCode: instance.exitCode, output }
}
