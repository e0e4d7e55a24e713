import { join } from 'node:path'
import { defineConfig, stores } from '@adonisjs/session'
import env from '../start/env.ts'

const sessionConfig = defineConfig({
  enabled: true,
  cookieName: 'djamazing-demo-session',
  clearWithBrowser: true,
  age: '2h',
  cookie: {
    path: '/',
    httpOnly: true,
    secure: false,
    sameSite: 'lax',
  },
  /**
   * Sessions live on the server (the cookie only carries their id), so
   * logging out ends them there: a cookie copied before logout opens
   * nothing after it. With the cookie store the session would be the
   * cookie itself, and a copy would stay logged in until it expires.
   */
  store: 'file',
  stores: {
    file: stores.file({ location: join(env.get('DEMO_DATA_DIR'), 'sessions') }),
  },
})

export default sessionConfig
