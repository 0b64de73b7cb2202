/** Styles shared by the account wizard, the password meter and the account window. */
import { css } from 'lit';

export const formStyles = css`
  :host {
    display: block;
    min-width: 30em;
    max-width: 44em;
  }
  .grid {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: var(--esante-space-2) var(--esante-space-3);
    align-items: center;
    margin: 0 0 var(--esante-space-3);
  }
  .grid > label,
  .grid > dt {
    font-weight: bold;
  }
  dd {
    margin: 0;
  }
  input[type='text'],
  input[type='password'],
  input[type='number'] {
    font: inherit;
    padding: 2px var(--esante-space-1);
    border: 1px solid var(--esante-color-border);
    border-radius: var(--esante-radius);
    min-width: 16em;
  }
  /* Every field of a form grid fills its column, also one wrapped with its strength meter (issue 13: the
     wizard's password field was narrower than the others). */
  .grid input[type='text'],
  .grid input[type='password'],
  .grid input[type='number'] {
    width: 100%;
    box-sizing: border-box;
  }
  input[readonly] {
    background: var(--esante-color-panel);
  }
  input[aria-invalid='true'] {
    border-color: var(--esante-color-error);
  }
  .check {
    display: flex;
    gap: var(--esante-space-2);
    align-items: flex-start;
    margin: var(--esante-space-1) 0;
  }
  .error {
    color: var(--esante-color-error);
    background: var(--esante-color-error-bg);
    padding: var(--esante-space-2);
    border-radius: var(--esante-radius);
    margin: var(--esante-space-2) 0;
  }
  .error:empty {
    display: none;
  }
  .status {
    color: var(--esante-color-ok);
    margin: var(--esante-space-2) 0;
  }
  .hint {
    color: var(--esante-color-muted);
    margin: var(--esante-space-1) 0 var(--esante-space-2);
  }
  .actions {
    display: flex;
    gap: var(--esante-space-2);
    justify-content: flex-end;
    margin-top: var(--esante-space-3);
  }
  fieldset {
    border: 1px solid var(--esante-color-border);
    border-radius: var(--esante-radius);
    margin: 0 0 var(--esante-space-3);
    padding: var(--esante-space-2) var(--esante-space-3);
  }
  legend {
    font-weight: bold;
  }
`;
