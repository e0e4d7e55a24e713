import env from '../start/env.ts'
import { defineConfig, services } from '@adonisjs/drive'
import { join } from 'node:path'

const driveConfig = defineConfig({
  default: 'uploads',
  services: {
    static: services.fs({
      location: join(env.get('DEMO_DATA_DIR'), 'fs-static'),
      visibility: 'public',
      serveFiles: true,
      routeBasePath: '/fs-static',
    }),
    uploads: services.fs({
      location: join(env.get('DEMO_DATA_DIR'), 'fs-uploads'),
      visibility: 'private',
      serveFiles: true,
      routeBasePath: '/fs-uploads',
    }),
  },
})

export default driveConfig

declare module '@adonisjs/drive/types' {
  export interface DriveDisks extends InferDriveDisks<typeof driveConfig> {}
}
