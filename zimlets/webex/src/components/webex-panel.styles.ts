import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    max-width: 42em;
  }
  section {
    margin-bottom: var(--esante-space-3);
  }
  h3 {
    font-size: 1.1em;
    margin: var(--esante-space-2) 0;
  }
  form {
    margin: 0;
  }
  .field {
    display: grid;
    grid-template-columns: 10em 1fr;
    align-items: center;
    gap: var(--esante-space-2);
    margin-top: var(--esante-space-1);
  }
  .field.top {
    align-items: start;
  }
  .when {
    display: flex;
    gap: var(--esante-space-2);
    flex-wrap: wrap;
  }
  input,
  select,
  textarea {
    font: inherit;
    min-width: 0;
    padding: 2px var(--esante-space-1);
    border: 1px solid var(--esante-color-border);
    border-radius: var(--esante-radius);
  }
  /* The participants box fills its column, as wide as the title field (issue 13: it was 20 columns wide). */
  textarea,
  #w-title {
    width: 100%;
    box-sizing: border-box;
  }
  textarea {
    resize: vertical;
    min-height: 5.5em;
  }
  .hint,
  .muted {
    color: var(--esante-color-muted);
  }
  .hint {
    margin: 2px 0 0;
  }
  .buttons {
    display: flex;
    flex-wrap: wrap;
    gap: var(--esante-space-2);
    align-items: center;
    margin: var(--esante-space-2) 0;
  }
  button.primary {
    background: var(--esante-color-accent);
    color: var(--esante-color-accent-text);
    border-color: var(--esante-color-accent);
  }
  a.button {
    display: inline-block;
    padding: var(--esante-space-1) var(--esante-space-3);
    border: 1px solid var(--esante-color-accent);
    border-radius: var(--esante-radius);
    background: var(--esante-color-accent);
    color: var(--esante-color-accent-text);
    text-decoration: none;
  }
  .created {
    border: 1px solid var(--esante-color-ok);
    border-radius: var(--esante-radius);
    padding: var(--esante-space-2);
    margin: var(--esante-space-2) 0;
  }
  /* A Webex link is one long token: let it wrap instead of widening the dialog. */
  .created a {
    overflow-wrap: anywhere;
  }
  ul.meetings {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  ul.meetings > li {
    border-bottom: 1px solid var(--esante-color-panel);
    padding: var(--esante-space-1) 0;
  }
  .meeting-title {
    font-weight: bold;
  }
  .error {
    color: var(--esante-color-error);
    background: var(--esante-color-error-bg);
    padding: var(--esante-space-1) var(--esante-space-2);
    border-radius: var(--esante-radius);
  }
  .error:empty {
    display: none;
  }
`;
