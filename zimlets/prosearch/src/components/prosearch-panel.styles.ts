import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
  }
  form {
    margin: 0;
  }
  .columns {
    display: grid;
    grid-template-columns: 1fr 1fr;
    gap: var(--esante-space-2) var(--esante-space-3);
  }
  fieldset {
    border: 1px solid var(--esante-color-border);
    border-radius: var(--esante-radius);
    margin: 0 0 var(--esante-space-2);
    padding: var(--esante-space-1) var(--esante-space-2) var(--esante-space-2);
  }
  legend {
    font-weight: bold;
    padding: 0 var(--esante-space-1);
  }
  .field {
    display: grid;
    grid-template-columns: 9em 1fr;
    align-items: center;
    gap: var(--esante-space-2);
    margin-top: var(--esante-space-1);
  }
  input,
  select {
    font: inherit;
    min-width: 0;
    padding: 2px var(--esante-space-1);
    border: 1px solid var(--esante-color-border);
    border-radius: var(--esante-radius);
  }
  input[aria-invalid='true'],
  select[aria-invalid='true'] {
    border-color: var(--esante-color-error);
  }
  .hint {
    color: var(--esante-color-muted);
    margin: 0 0 var(--esante-space-2);
  }
  .buttons,
  .actions,
  .pager {
    display: flex;
    flex-wrap: wrap;
    gap: var(--esante-space-2);
    align-items: center;
    margin: var(--esante-space-2) 0;
  }
  .buttons {
    justify-content: flex-end;
  }
  button.primary {
    background: var(--esante-color-accent);
    color: var(--esante-color-accent-text);
    border-color: var(--esante-color-accent);
  }
  .error {
    color: var(--esante-color-error);
    background: var(--esante-color-error-bg);
    border-radius: var(--esante-radius);
    padding: var(--esante-space-1) var(--esante-space-2);
    margin: var(--esante-space-2) 0;
  }
  .status {
    margin: var(--esante-space-1) 0;
  }
  [role='listbox'] {
    list-style: none;
    margin: 0;
    padding: 0;
    max-height: 16em;
    overflow-y: auto;
    border: 1px solid var(--esante-color-border);
    border-radius: var(--esante-radius);
  }
  [role='option'] {
    padding: var(--esante-space-1) var(--esante-space-2);
    border-bottom: 1px solid var(--esante-color-panel);
    cursor: pointer;
  }
  [role='option'][aria-selected='true'] {
    background: var(--esante-color-accent);
    color: var(--esante-color-accent-text);
  }
  [role='listbox']:focus-visible [role='option'][aria-selected='true'] {
    outline: var(--esante-focus-ring);
    outline-offset: -2px;
  }
  .muted {
    color: var(--esante-color-muted);
  }
  [role='option'][aria-selected='true'] .muted {
    color: inherit;
  }
  .card dl {
    display: grid;
    grid-template-columns: 11em 1fr;
    gap: var(--esante-space-1) var(--esante-space-2);
    margin: 0;
  }
  .card dt {
    font-weight: bold;
  }
  .card dd {
    margin: 0;
  }
  .card ul {
    margin: 0;
    padding-left: 1.2em;
  }
  .card table {
    border-collapse: collapse;
  }
  .card th,
  .card td {
    text-align: left;
    vertical-align: top;
    padding: 1px var(--esante-space-2) 1px 0;
  }
  /* An identifier is read (and dictated) as one token: never broken across lines. */
  .card td:nth-child(2) {
    white-space: nowrap;
  }
  h3 {
    font-size: 1.1em;
    margin: var(--esante-space-2) 0;
  }
`;
