import { css } from 'lit';

/** The tables of the sender's control and of the "Messages envoyés" list. */
export const controlTableStyles = css`
  table {
    border-collapse: collapse;
    width: 100%;
  }
  caption {
    text-align: left;
    font-weight: bold;
    padding: var(--esante-space-1) 0;
  }
  th,
  td {
    text-align: left;
    vertical-align: top;
    padding: var(--esante-space-1) var(--esante-space-2);
    border-bottom: 1px solid var(--esante-color-border);
  }
`;

export const senderControlStyles = css`
  :host {
    display: block;
    margin: var(--esante-space-2) 0;
  }
  #control-panel {
    border: 1px solid var(--esante-color-border);
    border-radius: var(--esante-radius);
    background: var(--esante-color-bg);
    padding: var(--esante-space-2) var(--esante-space-3);
    margin-top: var(--esante-space-2);
  }
  h3 {
    font-size: 1.1em;
    margin: 0 0 var(--esante-space-2);
  }
  h4 {
    font-size: 1em;
    margin: var(--esante-space-3) 0 var(--esante-space-1);
  }
  td.actions {
    white-space: nowrap;
  }
  td.actions button + button {
    margin-left: var(--esante-space-1);
  }
  .state-revoked,
  .state-access_ended {
    color: var(--esante-color-error);
    font-weight: bold;
  }
  .state-opened {
    color: var(--esante-color-ok);
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    gap: var(--esante-space-2);
    margin: var(--esante-space-2) 0;
  }
  /* .ok, .muted, .error: shared/ui/tokens.ts statusStyles (the component adds them). */
  button.danger {
    color: var(--esante-color-accent-text);
    background: var(--esante-color-error);
    border-color: var(--esante-color-error);
  }
  dialog {
    max-width: min(36rem, 90vw);
    border: 1px solid var(--esante-color-border);
    border-radius: var(--esante-radius);
    padding: var(--esante-space-3);
    font: inherit;
    color: var(--esante-color-text);
  }
  dialog::backdrop {
    background: rgba(0, 0, 0, 0.3);
  }
  dialog h2 {
    font-size: 1.2em;
    margin: 0 0 var(--esante-space-2);
  }
  .field {
    margin: var(--esante-space-2) 0;
  }
  .field label {
    display: block;
    font-weight: bold;
  }
  .field .hint {
    display: block;
    color: var(--esante-color-muted);
    margin: var(--esante-space-1) 0;
  }
  .buttons {
    display: flex;
    justify-content: flex-end;
    gap: var(--esante-space-2);
    margin-top: var(--esante-space-3);
  }
`;
