/**
 * What the core asks of a terminal menu (Lima's `pkg/uiutil`): the CLI implements it, the core
 * decides what each answer means, and tests answer with a script.
 */

/** Shows MESSAGE with OPTIONS and resolves to the index of the one chosen (Lima's `uiutil.Select`). */
export type Select = (message: string, options: string[]) => Promise<number>;

/** Thrown by a `Select` when the user pressed Ctrl-C (Lima's `uiutil.InterruptErr`). */
export class PromptInterrupted extends Error {
  constructor() {
    super("interrupt");
    this.name = "PromptInterrupted";
  }
}
