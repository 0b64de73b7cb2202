import { css } from 'lit';

/** What the service information adds to the shared status styles (tokens.ts statusStyles). */
export const styles = css`
  :host {
    display: block;
  }
  .off {
    color: var(--esante-color-muted);
  }
  .error p {
    margin: 0 0 var(--esante-space-2);
  }
`;
