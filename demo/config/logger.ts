import env from '../start/env.ts'
import { defineConfig } from '@adonisjs/core/logger'

/**
 * JSON lines on stdout; the launcher sets the level to "warn" unless
 * LOG_LEVEL says otherwise, so the terminal shows what to open, not noise.
 */
const loggerConfig = defineConfig({
  default: 'app',
  loggers: {
    app: {
      enabled: true,
      name: 'djamazing-demo',
      level: env.get('LOG_LEVEL'),
    },
  },
})

export default loggerConfig

declare module '@adonisjs/core/types' {
  export interface LoggersList extends InferLoggers<typeof loggerConfig> {}
}
