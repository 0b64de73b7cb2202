import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
  }
  .ok {
    color: var(--esante-color-ok);
  }
  .off,
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
  .error p {
    margin: 0 0 var(--esante-space-2);
  }
`;
