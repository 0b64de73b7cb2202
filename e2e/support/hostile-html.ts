/**
 * Hostile HTML for the message readers (issue 15, acceptance 1): the list the e2e spec
 * (e2e/hostile-content.spec.ts) sends to the webmail and to the portal.
 *
 * Every payload that would run script runs `hit(name)`; a spec passes a `hit` that sets the flags it
 * watches (window.top.__pwned, the top document's title) and asks a probe URL, so a payload that runs
 * anywhere (the webmail's page, the portal's, the message frame itself) shows. `hit` must give
 * JavaScript without spaces, double quotes or `>`: it is written into unquoted and quoted attributes.
 *
 * Exactly one remote image is a plain `<img src>` (id "pixel", `${remote}/pixel.png`): the one a reader
 * may release with "Afficher les images". Every other remote URL sits in an attribute or a construct no
 * reader may ever load (srcset, poster, background, CSS, link, @import) under `${remote}/…`.
 */
import { escapeMarkup } from '../../shared/markup.ts';

export interface HostileOptions {
  /** JavaScript that records that payload `name` ran (see above). */
  hit: (name: string) => string;
  /** Base URL of the "remote image host" (no trailing slash). */
  remote: string;
}

/** The forged header: the reader's own markup (zimlets/regify/src/messages/secure-message.component.ts render(), shared/ui/banners/banner.component.ts render(), portal/src/main.ts showMessage()). */
export const FORGED_NAME = 'DR PHISH';
export const FORGED_FROM = 'Dr Phish <phish@esante.lu>';

export function hostilePayloads({ hit, remote }: HostileOptions): string[] {
  return [
    '<p id="greeting">Bonjour, voici les <b>résultats</b>.</p>',
    // Scripts and event handlers.
    `<script>${hit('script')}</script>`,
    `<img src="x" onerror="${hit('onerror')}">`,
    `<body onload="${hit('body-onload')}">`,
    `<details open ontoggle="${hit('ontoggle')}"><summary>détails</summary></details>`,
    `<input autofocus onfocus="${hit('onfocus')}">`,
    // javascript: URLs, plain and with a tab inside the scheme (browsers strip it).
    `<a id="js-link" href="javascript:${hit('javascript-link')}">voir le rapport</a>`,
    `<a id="js-link-tab" href="java&#x09;script:${hit('javascript-link-tab')}">ouvrir le résultat</a>`,
    '<a id="ok-link" href="https://www.esante.lu/">eSanté</a>',
    // SVG.
    `<svg onload="${hit('svg-onload')}"><script>${hit('svg-script')}</script></svg>`,
    `<svg><a xlink:href="javascript:${hit('svg-xlink')}"><text x="10" y="20">cliquer</text></a></svg>`,
    `<svg><animate onbegin="${hit('svg-animate')}" attributeName="x" dur="1s"></animate></svg>`,
    `<svg><image href="${remote}/svg-image.png"></image></svg>`,
    // Frames, plugins, forms, navigation.
    `<iframe srcdoc="<script>${hit('iframe-srcdoc')}</script>"></iframe>`,
    `<iframe src="javascript:${hit('iframe-js')}"></iframe>`,
    `<object data="javascript:${hit('object')}"></object>`,
    `<embed src="javascript:${hit('embed')}">`,
    `<form action="javascript:${hit('form')}"><button id="form-button">Valider</button></form>`,
    `<meta http-equiv="refresh" content="0;url=javascript:${hit('meta-refresh')}">`,
    `<base href="${remote}/base/">`,
    // Remote content: one <img> the reader may release, the rest never.
    `<img id="pixel" src="${remote}/pixel.png" alt="logo">`,
    `<img srcset="${remote}/srcset.png 1x">`,
    `<picture><source srcset="${remote}/picture.png"><img alt="photo"></picture>`,
    `<video poster="${remote}/poster.png"></video>`,
    `<audio src="${remote}/audio.mp3"></audio>`,
    `<table background="${remote}/background.png"><tr><td>t</td></tr></table>`,
    `<div style="background:url(${remote}/style.png)">styled</div>`,
    `<link rel="stylesheet" href="${remote}/link.css">`,
    `<input type="image" src="${remote}/input.png">`,
    // A second header drawn with the readers' own classes and test hooks, and a phishing link under it.
    `<dl class="meta"><dt>De :</dt><dd data-field="from">${escapeMarkup(FORGED_FROM)}</dd></dl>`,
    `<esante-banner data-banner="level" kind="level" text="L’émetteur de ce message, ${FORGED_NAME}, est authentifié de niveau 4"></esante-banner>`,
    `<div class="banner" data-kind="level" role="status"><span class="text">L’émetteur de ce message, ${FORGED_NAME}, est authentifié de niveau 4</span></div>`,
    `<div><p class="banner" data-testid="portal-banner-encrypted">Message chiffré avec Regify</p><p class="banner level" data-testid="portal-banner-level">L’émetteur de ce message, ${FORGED_NAME}, est authentifié de niveau 4</p></div>`,
    `<dl class="headers"><dt>De</dt><dd>${escapeMarkup(FORGED_FROM)}</dd></dl>`,
    '<p><a id="phish-link" href="https://luxtrust-verification.invalid/login">Confirmez votre carte LuxTrust</a></p>',
    // Mutation XSS last (DOMPurify's published bypasses): a <style> parsed as raw text may swallow what follows.
    `<noscript><p title="</noscript><img src=x onerror=${hit('mxss-noscript')}>"></noscript>`,
    `<svg></p><style><a id="</style><img src=1 onerror=${hit('mxss-svg-p-style')}>">`,
    `<svg><style><img src=x onerror=${hit('mxss-svg-style')}></style></svg>`,
    `<math><mi><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=${hit('mxss-textarea')} src=1>"></path></textarea></mtext></svg></mglyph></mi></math>`,
    `<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;/mglyph&gt;&lt;img&Tab;src=1&Tab;onerror=${escapeMarkup(hit('mxss-comment'))}&gt;">`,
    `<math><mtext><table><mglyph><style><img src=x onerror=${hit('mxss-math')}></style></mglyph></table></mtext></math>`,
    `<form><math><mtext></form><form><mglyph><style></math><img src onerror=${hit('mxss-form')}>`,
  ];
}
