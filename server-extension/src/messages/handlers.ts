/**
 * SOAP handlers of the key service (operations declared in shared/messages/operations.ts). The
 * caller is the Zimbra account the auth layer proved; its primary address is what recipients and
 * senders are matched against.
 */
import type { HandlerRegistry, UserContext } from '../soap/handlers.ts';
import type { KeyCaller, KeyService } from './key-service.ts';

function zimbraCaller(ctx: UserContext): KeyCaller {
  return { address: ctx.caller.name, displayName: ctx.caller.displayName, lang: ctx.caller.lang, channel: 'zimbra' };
}

export function messageHandlers(keys: KeyService): HandlerRegistry {
  return {
    RegisterSecureMessage: async (req, ctx) => keys.register(zimbraCaller(ctx), req),
    ConfirmSecureMessageSent: async (req, ctx) => keys.confirmSent(zimbraCaller(ctx), req),
    ReleaseMessageKey: async (req, ctx) => keys.release(zimbraCaller(ctx), req.messageId),
    GetSecureMessageStatus: async (req, ctx) => keys.status(zimbraCaller(ctx), req.messageId),
    ListSentSecureMessages: async (req, ctx) => keys.listSent(zimbraCaller(ctx), req),
    RevokeSecureMessage: async (req, ctx) => keys.revoke(zimbraCaller(ctx), req),
    UpdateSecureMessage: async (req, ctx) => keys.update(zimbraCaller(ctx), req),
    GetSecureMessageHistory: async (req, ctx) => keys.history(zimbraCaller(ctx), req.messageId),
    ExportSecureMessageHistory: async (_req, ctx) => keys.exportHistory(zimbraCaller(ctx)),
  };
}
