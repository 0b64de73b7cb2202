import { RegifySentMessages } from './sent-messages.component.ts';

export { RegifySentMessages };

RegifySentMessages.define('esante-regify-sent-messages');

declare global {
  interface HTMLElementTagNameMap {
    'esante-regify-sent-messages': RegifySentMessages;
  }
}
