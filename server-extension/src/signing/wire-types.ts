/**
 * Compile-time check (run by `npx tsc --noEmit`): the SOAP operation shapes of
 * shared/signing/operations.ts (`signingOperations`, registered in shared/soap/operations.ts) describe
 * exactly the TypeScript values the service returns, so the handlers pass a VerificationReport /
 * SigningStatus straight through.
 */
import type { Infer } from '../../../shared/soap/schema.ts';
import type { SigningStatus, VerificationReport, signingOperations } from '../../../shared/signing/operations.ts';

type Ops = typeof signingOperations;
type ReportOnWire = Infer<Ops['VerifySignature']['response']>['report'];
type StatusOnWire = Infer<Ops['GetSigningStatus']['response']>;
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;

// Every value the service produces fits the wire type…
export const reportFits = (r: VerificationReport): ReportOnWire => r;
export const statusFits = (s: SigningStatus): StatusOnWire => s;
// …and no field is missing on either side.
export const reportKeys: SameKeys<ReportOnWire, VerificationReport> = true;
export const statusKeys: SameKeys<StatusOnWire, SigningStatus> = true;
export const signerKeys: SameKeys<NonNullable<ReportOnWire['signer']>, NonNullable<VerificationReport['signer']>> = true;
