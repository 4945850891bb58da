import Image from "next/image";
import Link from "next/link";
import { Fragment } from "react";
import { screenSrc, TOKEN_PLACEHOLDER, WEBHOOK_PATH, type Block } from "~/server/help/guide-types";
import { FIND_EGRESS_IPS } from "~/server/keys/egress-ips";
import { CopyCode } from "./copy-code";

/** What the page knows about this server: EGRESS_IPS and the webhook URL's origin (NEXTAUTH_URL). */
export type ServerFacts = { egressIps: string[]; webhookBase: string };

const TOKEN = /(\*\*[^*]+\*\*|`[^`]+`|\[[^\]]+\]\([^)\s]+\))/g;
const CODE = "break-words rounded bg-slate-100 px-1 font-mono text-[0.85em]";

/** The guides' inline markup: **bold**, `code`, [label](href). */
export function Inline({ text }: { text: string }) {
  return (
    <>
      {text.split(TOKEN).map((part, i) => {
        if (part.startsWith("**") && part.endsWith("**")) return <strong key={i}>{part.slice(2, -2)}</strong>;
        if (part.startsWith("`") && part.endsWith("`") && part.length > 1) return <code key={i} className={CODE}>{part.slice(1, -1)}</code>;
        const link = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(part);
        if (link) {
          const [, label, href = ""] = link;
          return href.startsWith("/") ? (
            <Link key={i} href={href} className="font-medium text-brand-700 underline">{label}</Link>
          ) : (
            <a key={i} href={href} rel="noreferrer" className="font-medium text-brand-700 underline">{label}</a>
          );
        }
        // Bare addresses (the exchanges' API pages) become links too; they may break anywhere on a phone.
        return (
          <Fragment key={i}>
            {part.split(/(https:\/\/\S+[^\s.,)])/g).map((piece, j) =>
              /^https:\/\//.test(piece) ? (
                <a key={j} href={piece} rel="noreferrer" className="break-all text-brand-700 underline">{piece}</a>
              ) : (
                piece
              ),
            )}
          </Fragment>
        );
      })}
    </>
  );
}

function EgressIps({ ips }: { ips: string[] }) {
  if (ips.length === 0) {
    return (
      <p data-testid="help-egress-ips" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
        <strong>This server&apos;s IP addresses</strong> are not configured here yet: <Inline text={FIND_EGRESS_IPS} /> Once set, they appear here and on the Keys page.
      </p>
    );
  }
  return (
    <div data-testid="help-egress-ips" className="space-y-1 rounded-md border border-slate-200 bg-brand-50 p-3 text-sm">
      <CopyCode code={ips.join(",")} label={`This server's IP address${ips.length > 1 ? "es" : ""} (enter ${ips.length > 1 ? "each" : "it"} in the key's IP restriction)`} />
    </div>
  );
}

export function GuideBlock({ block: b, facts }: { block: Block; facts: ServerFacts }) {
  switch (b.kind) {
    case "p":
      return <p><Inline text={b.text} /></p>;
    case "note":
      return <p role="note" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-amber-900"><Inline text={b.text} /></p>;
    case "steps":
      return (
        <ol className="list-decimal space-y-1.5 pl-5">
          {b.items.map((item) => <li key={item}><Inline text={item} /></li>)}
        </ol>
      );
    case "list":
      return (
        <ul className="list-disc space-y-1.5 pl-5">
          {b.items.map((item) => <li key={item}><Inline text={item} /></li>)}
        </ul>
      );
    case "code":
      return <CopyCode code={b.code} label={b.caption ?? "Example"} />;
    case "screen":
      return (
        <figure className="space-y-1">
          <Image src={screenSrc(b.name)} alt={b.alt} width={1000} height={700} unoptimized data-testid="help-screen" className="h-auto w-full rounded-lg border border-slate-200 shadow-sm" />
          <figcaption className="text-xs text-slate-500">{b.alt}</figcaption>
        </figure>
      );
    case "egress-ips":
      return <EgressIps ips={facts.egressIps} />;
    case "webhook-url":
      return <CopyCode code={`${facts.webhookBase}${WEBHOOK_PATH}${TOKEN_PLACEHOLDER}`} label="Webhook URL (the strategy's own token in place of <token>)" />;
  }
}
