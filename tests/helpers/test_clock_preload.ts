/*
 * Test-only preload (`node --import=@poppinss/ts-exec
 * --import=./tests/helpers/test_clock_preload.ts ...`): gives a child
 * process the test clock of `test_clock.ts`, moved by the test over the
 * child's IPC channel. Nothing in the package or the demo reads it; a
 * process started without this preload has the real clock.
 */
import { installTestClock, isTestClockMessage } from './test_clock.ts'

const clock = installTestClock()

process.on('message', (message) => {
  if (!isTestClockMessage(message)) return
  clock.advance(message.testClockOffset - clock.offset)
  process.send?.(message)
})
// The channel alone must not keep the process alive.
process.channel?.unref()
