"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Field, FormError } from "~/components/field";
import { useTRPC } from "~/trpc/react";

const button = "rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60";

/** Adding a Telegram chat or an outgoing webhook; a webhook's signing secret is shown here once. */
export function AddChannelForms() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const add = useMutation(trpc.notifications.addChannel.mutationOptions());
  const [tgError, setTgError] = useState<{ field: string | null; message: string } | null>(null);
  const [whError, setWhError] = useState<{ field: string | null; message: string } | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);

  async function submit(e: React.FormEvent<HTMLFormElement>, type: "TELEGRAM" | "WEBHOOK") {
    e.preventDefault();
    const form = e.currentTarget;
    const data = Object.fromEntries(new FormData(form)) as Record<string, string>;
    const setError = type === "TELEGRAM" ? setTgError : setWhError;
    setError(null);
    setAdded(null);
    try {
      const r = await add.mutateAsync({ type, ...data });
      form.reset();
      setSecret(r.webhookSecret);
      setAdded(`${r.channel.label} added.`);
      await queryClient.invalidateQueries({ queryKey: trpc.notifications.channels.queryKey() });
    } catch (err) {
      const fields = (err as { data?: { fieldErrors?: Record<string, string> | null } }).data?.fieldErrors ?? null;
      const field = fields ? (Object.keys(fields)[0] ?? null) : null;
      setError({ field, message: (field && fields?.[field]) || (err as Error).message });
    }
  }
  const fieldError = (err: { field: string | null; message: string } | null, name: string) => (err && err.field === name ? err.message : null);

  return (
    <section className="space-y-6" aria-labelledby="add-channel-heading">
      <h2 id="add-channel-heading" className="text-lg font-semibold">
        Add a channel
      </h2>
      {added ? (
        <p role="status" data-testid="channel-added" className="text-sm text-green-700">
          {added}
        </p>
      ) : null}
      {secret ? (
        <div data-testid="webhook-secret" className="space-y-1 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
          <p className="font-medium">Signing secret, shown once: keep it in your receiver to check the X-KeyRelay-Signature header.</p>
          <code className="block break-all font-mono" data-testid="webhook-secret-value">
            {secret}
          </code>
        </div>
      ) : null}
      <form aria-label="Add Telegram" onSubmit={(e) => void submit(e, "TELEGRAM")} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
        <h3 className="font-medium">Telegram</h3>
        <p className="text-xs text-slate-500">Create a bot with @BotFather, send it /start, then enter its token and your chat id.</p>
        <FormError message={tgError && !["botToken", "chatId"].includes(tgError.field ?? "") ? tgError.message : null} />
        <Field id="tg-botToken" name="botToken" label="Bot token" type="password" autoComplete="off" error={fieldError(tgError, "botToken")} />
        <Field id="tg-chatId" name="chatId" label="Chat id" autoComplete="off" error={fieldError(tgError, "chatId")} />
        <Field id="tg-label" name="label" label="Name (optional)" autoComplete="off" />
        <button type="submit" disabled={add.isPending} className={button}>
          Add Telegram
        </button>
      </form>
      <form aria-label="Add webhook" onSubmit={(e) => void submit(e, "WEBHOOK")} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
        <h3 className="font-medium">Outgoing webhook</h3>
        <p className="text-xs text-slate-500">A JSON POST (Discord and Slack read its content/text fields), signed with HMAC-SHA256.</p>
        <FormError message={whError && whError.field !== "url" ? whError.message : null} />
        <Field id="wh-url" name="url" label="Webhook URL" type="url" autoComplete="off" error={fieldError(whError, "url")} hint="https:// address that receives the POST" />
        <Field id="wh-label" name="label" label="Name (optional)" autoComplete="off" />
        <button type="submit" disabled={add.isPending} className={button}>
          Add webhook
        </button>
      </form>
    </section>
  );
}
