// autocannon ships no type declarations.
const { default: autocannon } = (await import('autocannon' as string)) as { default: any }

/**
 * Runs autocannon in this (child) process, so that the load generator and
 * the server under test do not share an event loop, and sends the figures
 * back to the parent. Started by `runLoad` in `load.ts`.
 */
process.once('message', async (options: Record<string, unknown>) => {
  // 30 s: on a 2-core machine shared with other test runs, p99 reached 17 s.
  const result = await autocannon({ ...options, timeout: 30 })
  process.send!(
    {
      requests: result.requests.total,
      sent: result.requests.sent,
      errors: result.errors,
      timeouts: result.timeouts,
      mismatches: result.mismatches,
      statusCodes: Object.fromEntries(
        Object.entries(result.statusCodeStats ?? {}).map(([status, stat]: [string, any]) => [
          status,
          stat.count,
        ])
      ),
      reqPerSec: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      max: result.latency.max,
      bytes: result.throughput.total,
      seconds: result.duration,
    },
    () => process.exit(0)
  )
})
