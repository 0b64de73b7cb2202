/**
 * The error box every panel shows when its service call failed: the translated text, and a button
 * that loads again (keyboard-usable; role=alert so screen readers announce it at once).
 */
import { html, type TemplateResult } from 'lit';

export function retryAlert(message: string, retryLabel: string, retry: () => unknown): TemplateResult {
  return html`<div role="alert" class="error">
    <p>${message}</p>
    <button type="button" @click=${() => void retry()}>${retryLabel}</button>
  </div>`;
}
