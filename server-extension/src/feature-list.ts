/**
 * The features of the service, in one list: the composition root builds each one, and the README's
 * configuration table and main.ts's unknown-variable check read their variables from here.
 */
import { accountsConfigVars, createAccountsFeature } from './accounts/feature.ts';
import { CONFIG_VARS, type ConfigVar } from './config.ts';
import { createDirectoryFeature, directoryConfigVars } from './directory/feature.ts';
import { createDspFeature, dspConfigVars } from './dsp/feature.ts';
import type { FeatureFactory } from './feature.ts';
import { createHelpFeature, helpConfigVars } from './help/feature.ts';
import { createMessagesFeature, messagesConfigVars } from './messages/feature.ts';
import { createProvisioningFeature, provisioningConfigVars } from './provisioning/feature.ts';
import { SIGNING_CONFIG_VARS } from './signing/config.ts';
import { createSigningFeature } from './signing/feature.ts';
import { createWebexFeature, webexConfigVars } from './webex/feature.ts';

export const FEATURE_FACTORIES: readonly FeatureFactory[] = [
  createDirectoryFeature,
  createAccountsFeature,
  createMessagesFeature,
  createSigningFeature,
  createProvisioningFeature,
  createWebexFeature,
  createDspFeature,
  createHelpFeature,
];

/** Every environment variable the service reads, core first. */
export const ALL_CONFIG_VARS: readonly ConfigVar[] = [
  ...CONFIG_VARS,
  ...directoryConfigVars,
  ...accountsConfigVars,
  ...messagesConfigVars,
  ...SIGNING_CONFIG_VARS,
  ...provisioningConfigVars,
  ...webexConfigVars,
  ...dspConfigVars,
  ...helpConfigVars,
];
