// Translates the sandbox login page from ?lang=de|en (French is in the HTML). Plain script: the
// page is served before any session exists, so it cannot use the webmail bundle.
(function () {
  var TEXTS = {
    de: {
      pageTitle: 'Zimbra – eSanté Sichere Nachrichten',
      title: 'eSanté Sichere Nachrichten',
      subtitle: 'Testumgebung (Sandbox)',
      username: 'Benutzername',
      password: 'Passwort',
      method: 'Anmeldeart',
      card: 'LuxTrust-Karte',
      fallback: 'Notfallmodus (ohne Karte)',
      submit: 'Anmelden'
    },
    en: {
      pageTitle: 'Zimbra – eSanté Secure Messaging',
      title: 'eSanté Secure Messaging',
      subtitle: 'Test environment (sandbox)',
      username: 'Username',
      password: 'Password',
      method: 'Sign-in method',
      card: 'LuxTrust card',
      fallback: 'Fallback mode (without card)',
      submit: 'Sign in'
    }
  };
  var match = /[?&]lang=(fr|de|en)\b/.exec(window.location.search);
  var lang = match ? match[1] : 'fr';
  var hidden = document.getElementById('login-lang');
  if (hidden) hidden.value = lang;
  // Keep the language in the URL the form posts to, so a failed login re-renders in it.
  var form = document.getElementById('login-form');
  if (form && match) form.setAttribute('action', '/?lang=' + lang);
  var texts = TEXTS[lang];
  if (!texts) return;
  document.documentElement.lang = lang;
  document.title = texts.pageTitle;
  var nodes = document.querySelectorAll('[data-i18n]');
  for (var i = 0; i < nodes.length; i++) {
    var key = nodes[i].getAttribute('data-i18n');
    if (texts[key]) nodes[i].textContent = texts[key];
  }
})();
