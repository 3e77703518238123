// Seed 000, "Middleware": the audit middleware, as written.
import { pikkuMiddleware } from 'pikku-durable-channels'

export const audit = pikkuMiddleware(
  async ({ logger, userSession }, interaction, next) => {
    const start = Date.now()
    try {
      await next()
    } finally {
      const userId = await userSession.get('userId').catch(() => undefined)
      logger.info('channel.audit', {
        route: interaction.route,
        userId,
        ms: Date.now() - start,
      })
    }
  }
)
