/** The link from a shown error to its troubleshooting entry (the error catalogue's anchor). */
export function HelpLink({ help, testId = "help-link", label }: { help: { anchor: string; title: string } | null | undefined; testId?: string; label?: string }) {
  if (!help) return null;
  return (
    <a href={`/help/troubleshooting#${help.anchor}`} className="whitespace-nowrap font-medium text-brand-700 underline" data-testid={testId} title={help.title}>
      {label ?? "What this means"}
    </a>
  );
}
