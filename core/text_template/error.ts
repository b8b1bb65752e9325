/**
 * A template failed to parse or execute. The message follows Go's `text/template` wording,
 * e.g. `template: format:1: unexpected "}" in operand`, because users compare it with Lima's.
 */
export class GoTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GoTemplateError";
  }
}
