import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'

/**
 * Debian's Chromium (`apt-get install chromium`): browser downloads do not
 * work everywhere the tests run, a system package does.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium'

const MISSING = `${CHROMIUM_PATH} is missing (apt-get install chromium)`

/**
 * Whether to skip the browser tests: only when Chromium is missing outside
 * CI. In CI (`CI=true`) they run, and fail in {@link launchChromium}.
 */
export const skipBrowserTests = !existsSync(CHROMIUM_PATH) && process.env.CI !== 'true'
export const skipBrowserTestsReason = `${MISSING}; in CI (CI=true) this fails instead`

export type Chromium = {
  context: BrowserContext
  /**
   * Closes the browser and deletes its profile.
   */
  close(): Promise<void>
}

/**
 * A headless Chromium with a fresh profile.
 */
export async function launchChromium(options: { args?: string[] } = {}): Promise<Chromium> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${MISSING}: the browser tests cannot run`)
  }
  const profile = await mkdtemp(join(tmpdir(), 'djamazing-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    acceptDownloads: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(options.args ?? []),
    ],
  })
  return {
    context,
    async close() {
      await context.close()
      // Chromium's helper processes may still be writing for a moment.
      await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 })
    },
  }
}
