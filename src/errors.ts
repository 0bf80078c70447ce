/**
 * Domain errors. Every face (API, command line, admin center) maps these to its
 * own way of saying no; the message always names the field and the rule.
 */
export class DomainError extends Error {
  constructor(
    message: string,
    readonly code: 'validation' | 'not_found' | 'conflict' | 'unauthorized' | 'forbidden',
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  constructor(
    field: string,
    readonly rule: string,
    value?: unknown,
  ) {
    const shown = value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
    super(`${field} ${rule}${shown}.`, 'validation', field);
  }
}

export class NotFoundError extends DomainError {
  constructor(kind: string, identity: string, field = 'Identity') {
    super(`${field}: no ${kind} matches '${identity}'.`, 'not_found', field);
  }
}

export class ConflictError extends DomainError {
  constructor(field: string, message: string) {
    super(`${field}: ${message}`, 'conflict', field);
  }
}
