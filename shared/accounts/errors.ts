/**
 * Error codes of the accounts feature with their fr/de/en texts, merged into shared/errors.ts.
 * Codes are public API: never rename one. The four `password.*` problem codes are also the verdicts
 * of shared/password/policy.ts (the wizard shows the same text the service answers with).
 */
import type { Lang } from '../i18n/lang.ts';

export const accountErrorTexts = {
  'password.too_short': {
    fr: 'Le mot de passe doit comporter au minimum 8 caractères.',
    de: 'Das Passwort muss mindestens 8 Zeichen lang sein.',
    en: 'The password must be at least 8 characters long.',
  },
  'password.too_long': {
    fr: 'Le mot de passe ne peut pas dépasser 128 caractères.',
    de: 'Das Passwort darf höchstens 128 Zeichen lang sein.',
    en: 'The password cannot be longer than 128 characters.',
  },
  'password.breached': {
    fr: 'Ce mot de passe figure parmi les mots de passe couramment piratés. Veuillez en choisir un autre.',
    de: 'Dieses Passwort gehört zu den häufig gehackten Passwörtern. Bitte wählen Sie ein anderes.',
    en: 'This password is among commonly breached passwords. Please choose another one.',
  },
  'password.too_weak': {
    fr: 'Ce mot de passe est trop faible. Ajoutez des chiffres, des majuscules et minuscules et des caractères spéciaux (!, @, _, #).',
    de: 'Dieses Passwort ist zu schwach. Verwenden Sie Ziffern, Groß- und Kleinbuchstaben und Sonderzeichen (!, @, _, #).',
    en: 'This password is too weak. Add digits, upper and lower case letters and special characters (!, @, _, #).',
  },
  'password.mismatch': {
    fr: 'La confirmation ne correspond pas au mot de passe.',
    de: 'Die Bestätigung stimmt nicht mit dem Passwort überein.',
    en: 'The confirmation does not match the password.',
  },
  'account.not_found': {
    fr: 'Vous n’avez pas encore de compte Regify. Créez-le depuis le menu Regify.',
    de: 'Sie haben noch kein Regify-Konto. Erstellen Sie es über das Regify-Menü.',
    en: 'You do not have a Regify account yet. Create it from the Regify menu.',
  },
  'account.already_exists': {
    fr: 'Votre compte Regify existe déjà.',
    de: 'Ihr Regify-Konto existiert bereits.',
    en: 'Your Regify account already exists.',
  },
  'account.full_name_required': {
    fr: 'Veuillez indiquer votre nom complet (256 caractères au maximum).',
    de: 'Bitte geben Sie Ihren vollständigen Namen ein (höchstens 256 Zeichen).',
    en: 'Please enter your full name (at most 256 characters).',
  },
  'account.read_deadline_invalid': {
    fr: 'Le délai de lecture doit être un nombre entier de jours entre 1 et 365.',
    de: 'Die Lesefrist muss eine ganze Zahl von Tagen zwischen 1 und 365 sein.',
    en: 'The read deadline must be a whole number of days between 1 and 365.',
  },
  'account.access_days_invalid': {
    fr: 'La durée d’accès doit être 0 (aucune fin) ou un nombre entier de jours entre le délai de lecture ({0}) et 365.',
    de: 'Die Zugriffsdauer muss 0 (kein Ende) oder eine ganze Zahl von Tagen zwischen der Lesefrist ({0}) und 365 sein.',
    en: 'The access period must be 0 (no end) or a whole number of days between the read deadline ({0}) and 365.',
  },
  'account.wrong_password': {
    fr: 'Mot de passe Regify incorrect. Tentatives restantes avant blocage : {0}.',
    de: 'Falsches Regify-Passwort. Verbleibende Versuche bis zur Sperre: {0}.',
    en: 'Wrong Regify password. Attempts left before the account is locked: {0}.',
  },
  'account.locked': {
    fr: 'Votre compte Regify est bloqué après trop de mots de passe erronés, jusqu’au {0}. Utilisez votre code de déblocage pour le débloquer.',
    de: 'Ihr Regify-Konto ist nach zu vielen falschen Passwörtern bis {0} gesperrt. Entsperren Sie es mit Ihrem Entsperrcode.',
    en: 'Your Regify account is locked after too many wrong passwords, until {0}. Use your unlock code to unlock it.',
  },
  'account.unlock_code_invalid': {
    fr: 'Ce code de déblocage est incorrect.',
    de: 'Dieser Entsperrcode ist falsch.',
    en: 'This unlock code is incorrect.',
  },
} as const satisfies Record<string, Record<Lang, string>>;
