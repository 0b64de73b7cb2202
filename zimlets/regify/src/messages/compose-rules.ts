/**
 * What "Envoyer avec Regify" accepts (pure, no DOM): the recipients of the compose view and the checks
 * Regify users know.
 */
import type { ComposedMsgLike } from './zimbra-objects.ts';

export interface Recipients {
  to: string[];
  cc: string[];
  bcc: string[];
}

export type ComposeRefusal = 'no_recipient' | 'no_subject' | 'bcc';

function addresses(msg: ComposedMsgLike, type: string): string[] {
  try {
    return msg
      .getAddresses(type)
      .getArray()
      .map((a) => a.address.trim())
      .filter((a) => a.length > 0);
  } catch {
    return [];
  }
}

export function recipientsOf(msg: ComposedMsgLike, types: { to: string; cc: string; bcc: string }): Recipients {
  return { to: addresses(msg, types.to), cc: addresses(msg, types.cc), bcc: addresses(msg, types.bcc) };
}

/**
 * The checks Regify users know from the Thunderbird add-on (regify/regimail-Thunderbird-AddOn
 * `_locales/en/messages.json`): Bcc is refused (every recipient of an encrypted message is listed
 * with the key service and may see the others), as are an empty subject and a message without To/Cc.
 */
export function checkCompose(r: Recipients, subject: string): ComposeRefusal | undefined {
  if (r.bcc.length > 0) return 'bcc';
  if (r.to.length + r.cc.length === 0) return 'no_recipient';
  if (subject.trim() === '') return 'no_subject';
  return undefined;
}

