import type { Group } from '@japa/runner/core'
import type { Page } from 'playwright-core'
import { launchChromium, type Chromium } from './chromium.ts'
import { startDemoApp, type DemoApp, type DemoAppOptions } from './demo_app.ts'

/**
 * For the tests of a group: `open()` starts the demo and a Chromium and
 * gives a new page; both are stopped after each test.
 */
export function demoInChromium(group: Group) {
  let demo: DemoApp | undefined
  let browser: Chromium | undefined
  group.each.teardown(async () => {
    await browser?.close()
    await demo?.stop()
    browser = undefined
    demo = undefined
  })
  return async function open(
    options: DemoAppOptions & { chromiumArgs?: (demo: DemoApp) => string[] } = {}
  ): Promise<{ demo: DemoApp; page: Page }> {
    const { chromiumArgs, ...demoOptions } = options
    demo = await startDemoApp(demoOptions)
    browser = await launchChromium({ args: chromiumArgs?.(demo) })
    return { demo, page: await browser.context.newPage() }
  }
}

/**
 * Logs a user into the demo through its login form.
 */
export async function logIn(page: Page, demo: DemoApp, user: 'alice' | 'bob') {
  await page.goto(`${demo.url}/login`)
  await page.fill('#username', user)
  await page.fill('#password', demo.passwords[user])
  await Promise.all([page.waitForURL(`${demo.url}/files`), page.click('#login')])
}
