/**
 * Sizing and protection (src/server/engine/sizing.ts, the Signals page's subscription form,
 * README "Protective orders") and paper before live (trading modes, the go-live confirmation, cohorts).
 */
import type { Guide } from "~/server/help/guide-types";

export const SIZING_AND_PROTECTION: Guide = {
  slug: "sizing-and-protection",
  title: "Choose your sizing and protection",
  summary: "How big each order is on your account (four sizing modes, leverage, a maximum order value) and the stop-loss, take-profits, trailing stop and break-even that protect a perpetual position.",
  sections: [
    {
      heading: "Where",
      id: "where",
      blocks: [
        {
          kind: "p",
          text: "Open **Signals**, find the strategy and fill in its card: the **Exchange key** to trade with, the **Sizing** and **Size**, and on perpetual strategies the leverage, margin mode and protective orders. Press **Subscribe** (later **Save**). **Pause** stops new orders for this strategy; **Unsubscribe** leaves it.",
        },
        { kind: "screen", name: "subscription-settings", alt: "A strategy's card on Signals: exchange key, sizing, size, leverage cap, leverage, margin mode, max order value and protective orders" },
      ],
    },
    {
      heading: "Sizing modes",
      id: "sizing",
      blocks: [
        {
          kind: "list",
          items: [
            "**Fixed quote amount (USDT)**: the USDT of your own money each order uses, e.g. `50`. On a perpetual market the position is that amount times the leverage.",
            "**Percent of available balance**: a percent (at most 100) of the free balance of the key's account at the time of the order; on a perpetual market, times the leverage. It reads the balance through the subscription's key, so with no key chosen it cannot size an order.",
            "**Fixed base quantity**: the amount of the coin itself, e.g. `0.01` for 0.01 BTC; leverage then changes only the margin the exchange holds.",
            "**Signal contracts × multiplier**: the alert's own quantity (TradingView's `{{strategy.order.contracts}}`) times your number, e.g. `0.5` to trade half the strategy's size. An alert without a quantity cannot be sized this way.",
          ],
        },
        {
          kind: "p",
          text: "The amount is rounded **down** to the market's step. When it ends up below the exchange's minimum order size or value, no order is sent and the order's reason on **Signals** says so: raise the size. Closing orders are not sized: a close closes what the strategy holds on your account, never more than the account holds.",
        },
      ],
    },
    {
      heading: "Limits and futures settings",
      id: "limits",
      blocks: [
        {
          kind: "list",
          items: [
            "**Max order value** (optional, USDT): a larger opening order is not placed; orders that reduce or close a position are never blocked by it.",
            "**Leverage cap** (perpetuals, 1 to 125): the highest leverage used, whatever the alert asks. Empty: the signal's own.",
            "**Leverage** (perpetuals): used when the alert names none, set on your account before an entry. Empty: your account's own.",
            "**Margin mode** (perpetuals): isolated or cross, set before an entry; on Bybit unified accounts this applies to the whole account. Empty: your account's own.",
          ],
        },
        { kind: "p", text: "The strategy can also have a cooldown between orders; an order it holds back is listed on **Signals** with the reason." },
      ],
    },
    {
      heading: "Protective orders (perpetual strategies)",
      id: "protection",
      blocks: [
        {
          kind: "p",
          text: "On perpetual (linear) markets KeyRelay places a position's protection **on your own exchange account**, reduce-only, right after the entry fills, so it works even while KeyRelay is down. Spot positions get no protective orders.",
        },
        {
          kind: "list",
          items: [
            "**Stop-loss %**: a distance from the entry price; the stop always covers the whole position.",
            "**Take-profits**: up to 5 levels, each a distance % from the entry and the share % of the position it closes (the shares add up to at most 100 %; the rest is left to the strategy's own close).",
            "**Trailing stop callback %**: 0.1 to 10, **Binance only** (Bybit has no percent trailing order).",
            "**Break-even**: after the first take-profit fills, the stop-loss moves to the entry price.",
          ],
        },
        {
          kind: "p",
          text: "Under **Protective orders** on the card, choose **Use the strategy's protection** (the operator's defaults, shown there) or **My own settings**. The strategy may cap how far your own stop-loss can be (it is then required) or not let subscribers set their own. Prices or percentages sent in the alert itself win for the position that alert opens.",
        },
        {
          kind: "p",
          text: "**Positions** shows each open position's protective orders and their status. If the exchange refuses a stop-loss, the position is marked **Unprotected** with the exchange's reason and you are notified; orders you cancel by hand on the exchange are placed again. When the position closes, whatever is left is cancelled.",
        },
      ],
    },
  ],
};

export const PAPER_BEFORE_LIVE: Guide = {
  slug: "paper-before-live",
  title: "Paper before live",
  summary: "Start in Paper mode, watch what your subscriptions would have done, then switch to Personal (live) after a confirmation that lists what will trade.",
  sections: [
    {
      heading: "Trading modes",
      id: "modes",
      blocks: [
        { kind: "p", text: "Your trading mode, in **Settings → Trading mode**, decides what every signal does for you. It is shown in the header of every page (LIVE, PAPER or OFF). A new account starts **Off**." },
        {
          kind: "list",
          items: [
            "**Off**: no signals are traded for you.",
            "**Paper**: signals are simulated at the alert's or the market price and recorded, paying a fee like the exchange's (0.1 % by default), so paper results compare with live ones; nothing is sent to an exchange. No key is needed: choose **No key (paper trading only)** on a subscription.",
            "**Personal (live)**: signals place real orders on your own exchange accounts, with your own keys. It needs at least one ACTIVE key.",
          ],
        },
        { kind: "screen", name: "trading-mode", alt: "Settings → Trading mode: Personal (live), Paper and Off" },
      ],
    },
    {
      heading: "Try it on paper",
      id: "paper",
      blocks: [
        {
          kind: "steps",
          items: [
            "In **Settings → Trading mode**, choose **Paper**.",
            "On **Signals**, subscribe to a strategy with the size you mean to trade live (see [Sizing and protection](/help/sizing-and-protection)).",
            "Wait for the strategy's next alerts. **Signals** lists each of your orders with what happened and why; **Positions** shows your paper positions, their PnL and the trade history, apart from live ones.",
            "Ask the operator for a test alert if you want one now: **Send test alert** on the strategy runs a buy through the whole path for every subscriber, always on paper whatever their mode, and its fills land in the paper book.",
          ],
        },
        { kind: "p", text: "A **testnet** or **demo** key is the next step: real exchange orders with play money. See [Connect a Binance key](/help/connect-binance#testnet-demo) or [Connect a Bybit key](/help/connect-bybit#testnet-demo)." },
      ],
    },
    {
      heading: "Going live",
      id: "live",
      blocks: [
        {
          kind: "steps",
          items: [
            "Connect a key that verifies **ACTIVE** (see the key guides) and pick it on each subscription on **Signals**.",
            "In **Settings → Trading mode**, choose **Personal (live)**.",
            "Read the confirmation: each subscription, its size, the exchange key it uses (with its environment) and whether it **will trade live** or why not (paused, no key chosen, key not ACTIVE, strategy disabled).",
            "Press **Go live**, or **Cancel** to keep your current mode. You may be asked for your password again.",
          ],
        },
        { kind: "screen", name: "go-live-dialog", alt: "The confirmation before live trading: what will trade live, at what size, on which key" },
        { kind: "p", text: "To stop at any time, choose **Paper** or **Off**, or pause a single subscription on **Signals**. Switching mode closes nothing: open live positions and the protective orders already on the exchange stay, and the strategy's later alerts no longer trade them live (they are skipped in Off, simulated in Paper). Close a live position yourself on **Positions** first if you want out." },
      ],
    },
    {
      heading: "When Personal (live) is greyed out",
      id: "cohorts",
      blocks: [
        {
          kind: "p",
          text: "The operator may open live trading cohort by cohort: to everyone, to some tiers (e.g. PRO), or to a beta list only. Outside it, Personal (live) is greyed out with the reason, and **Ask for access** sends the operator a request (with an optional message). You are notified when it is approved or refused. If the cohort later shrinks and leaves you outside, your account is switched to **Paper** and you are told: your strategies keep trading on paper.",
        },
        { kind: "p", text: "The operator can also halt live trading for everyone, one exchange or one strategy; a banner on every page says so, and paper trading goes on." },
      ],
    },
  ],
};
