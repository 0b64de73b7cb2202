/**
 * Design tokens shared by every zimlet's lit content. Values follow Zimbra's classic "harmony" skin
 * (Helvetica/Arial 12px, grey borders, blue selection), so a panel looks like it belongs to the
 * webmail around it, with eSanté blue as the accent. Custom properties stay overridable from the
 * page (they inherit through shadow roots), e.g. by a Zimbra skin.
 */
import { css } from 'lit';

export const tokens = css`
  :host {
    --esante-font: Helvetica, Arial, 'Liberation Sans', sans-serif;
    --esante-font-size: 12px;
    --esante-line-height: 1.4;
    --esante-color-text: #333333;
    --esante-color-muted: #666666;
    --esante-color-bg: #ffffff;
    --esante-color-panel: #f2f2f2;
    --esante-color-border: #c0c0c0;
    --esante-color-accent: #005ea8;
    --esante-color-accent-text: #ffffff;
    --esante-color-ok: #2e7d32;
    --esante-color-error: #b00020;
    --esante-color-error-bg: #fdecea;
    --esante-focus-ring: 2px solid #1a73e8;
    --esante-radius: 3px;
    --esante-space-1: 4px;
    --esante-space-2: 8px;
    --esante-space-3: 12px;
    font-family: var(--esante-font);
    font-size: var(--esante-font-size);
    line-height: var(--esante-line-height);
    color: var(--esante-color-text);
  }
`;

/**
 * Visible focus for keyboard users only (`:focus-visible`), never removed: the panels must be usable
 * without a mouse. Buttons look like classic Zimbra toolbar buttons.
 */
export const controls = css`
  :where(button, a, input, select, textarea, [tabindex]):focus-visible {
    outline: var(--esante-focus-ring);
    outline-offset: 1px;
  }
  button {
    font: inherit;
    color: var(--esante-color-text);
    background: linear-gradient(#ffffff, #e6e6e6);
    border: 1px solid var(--esante-color-border);
    border-radius: var(--esante-radius);
    padding: var(--esante-space-1) var(--esante-space-3);
    cursor: pointer;
  }
  button:hover {
    border-color: var(--esante-color-accent);
  }
  button[disabled] {
    opacity: 0.6;
    cursor: default;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;

/** Label/value lists (certificate details, service information, signature reports): one look everywhere. */
export const definitionList = css`
  dl {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: var(--esante-space-1) var(--esante-space-3);
    margin: 0;
  }
  dt {
    font-weight: bold;
  }
  dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
`;

/** Status colours and the error box, the same in every panel: `.ok`, `.muted`, `.error`. */
export const statusStyles = css`
  .ok {
    color: var(--esante-color-ok);
  }
  .muted {
    color: var(--esante-color-muted);
  }
  .error {
    color: var(--esante-color-error);
    background: var(--esante-color-error-bg);
    border: 1px solid var(--esante-color-error);
    border-radius: var(--esante-radius);
    padding: var(--esante-space-2);
  }
`;
