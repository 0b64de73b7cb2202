/**
 * A tiny schema language for our SOAP operations. Each operation is declared once (operations.ts);
 * from that one declaration come the TypeScript types of both sides, the WSDL/XSD the service
 * serves at `?wsdl`, and the (de)serialisation of the browser client.
 * Element order in XML follows the key order of the declaration.
 */
export type Scalar = 'string' | 'int' | 'boolean' | 'dateTime';

export interface ScalarField {
  type: Scalar;
  optional?: boolean;
  list?: boolean;
  /** Upper bound checked on input, in characters (strings) or items (lists). */
  max?: number;
  doc?: string;
}
export interface ObjectField {
  fields: Fields;
  optional?: boolean;
  list?: boolean;
  max?: number;
  doc?: string;
}
export type FieldSpec = Scalar | ScalarField | ObjectField;
export interface Fields {
  readonly [name: string]: FieldSpec;
}
export interface OperationSpec {
  doc: string;
  /** 'user': needs a Zimbra session (cookie + CSRF header); 'none': public (portal, health). */
  auth: 'user' | 'none';
  request: Fields;
  response: Fields;
}

type ScalarValue<S> = S extends 'string' | 'dateTime' ? string : S extends 'int' ? number : S extends 'boolean' ? boolean : never;
type Many<F, V> = F extends { list: true } ? V[] : V;
export type FieldValue<F> = F extends Scalar
  ? ScalarValue<F>
  : F extends { fields: infer G extends Fields }
    ? Many<F, Infer<G>>
    : F extends { type: infer S }
      ? Many<F, ScalarValue<S>>
      : never;
type OptionalKeys<T extends Fields> = { [K in keyof T]: T[K] extends { optional: true } ? K : never }[keyof T];
type RequiredKeys<T extends Fields> = Exclude<keyof T, OptionalKeys<T>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
/** The value type a field declaration describes. */
export type Infer<T extends Fields> = Simplify<
  { -readonly [K in RequiredKeys<T>]: FieldValue<T[K]> } & { -readonly [K in OptionalKeys<T>]?: FieldValue<T[K]> }
>;

/** Normalises the shorthand `'string'` into `{ type: 'string' }`. */
export function fieldOf(spec: FieldSpec): ScalarField | ObjectField {
  return typeof spec === 'string' ? { type: spec } : spec;
}
export function isObjectField(spec: ScalarField | ObjectField): spec is ObjectField {
  return 'fields' in spec;
}
