import { css } from 'lit';

/**
 * Banners look like Zimbra's own information bars above a message (a thin coloured strip with an
 * icon), one per line as in guide p.12.
 */
export const styles = css`
  :host {
    display: block;
    margin: 0 0 var(--esante-space-1) 0;
  }
  .banner {
    display: flex;
    align-items: center;
    gap: var(--esante-space-2);
    padding: var(--esante-space-1) var(--esante-space-2);
    border: 1px solid var(--esante-color-border);
    border-left-width: 4px;
    border-radius: var(--esante-radius);
    background: var(--esante-color-panel);
  }
  .banner[data-kind='encrypted'] {
    border-left-color: var(--esante-color-accent);
  }
  .banner[data-kind='level'],
  .banner[data-kind='signed'] {
    border-left-color: var(--esante-color-ok);
  }
  .banner[data-kind='error'] {
    border-left-color: var(--esante-color-error);
    background: var(--esante-color-error-bg);
    color: var(--esante-color-error);
  }
  .icon {
    flex: none;
    width: 16px;
    height: 16px;
  }
  .text {
    flex: 1;
  }
`;
