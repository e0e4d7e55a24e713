import { configPkg } from '@adonisjs/eslint-config'

export default configPkg({
  ignores: [
    'build/**',
    'tests/fixtures/starter_kits/**',
    'demo/tmp/**',
    'demo/.adonisjs/**',
    'tmp/**',
    'test-output/**',
    'tests/fixtures/newcomer_app/**',
  ],
})
