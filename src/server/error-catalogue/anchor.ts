/** The anchor of a catalogue entry in docs/troubleshooting.md and on /help/troubleshooting ("SKIP_COOLDOWN" -> "skip-cooldown"). */
export function anchorOf(code: string): string {
  return code.toLowerCase().replace(/_/g, "-");
}
