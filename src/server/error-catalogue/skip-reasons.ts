/**
 * The catalogue's "no order was placed" part: every reason an execution ends SKIPPED (engine/
 * subscriber-legs.ts, positions/position-rules.ts, engine/plan-order.ts, engine/send-order.ts,
 * the reversal release in engine/result-writer.ts). Each skip is recorded with its code in the
 * execution's `errorKind`, so the order's row links to its entry. Fixed messages are drawn from here
 * (`message`); a message with figures in it (a size, a limit, the exchange's own words) is written
 * where the figures are, under the code from here.
 */
import type { CatalogueEntry } from "~/server/error-catalogue/catalogue-entry";
import type { SizingCode } from "~/server/engine/sizing";

/** A skip's code and the words shown on the order's row. */
export interface Reason {
  code: string;
  message: string;
}

type SkipEntry = CatalogueEntry & { message?: string };

const SIGNALS = "Signals page: the order's row, and the strategy's latest signals";
const SUBSCRIPTION = "Signals page → My subscriptions: the subscription's settings";
const KEYS = "Keys page (Keys in the menu)";
const POSITIONS = "Positions page: the strategy's position on this symbol";

export const SKIP_ENTRIES = {
  ACCOUNT_DISABLED: {
    code: "SKIP_ACCOUNT_DISABLED",
    title: "Your account is disabled",
    message: "Account disabled by an admin.",
    cause: "An admin disabled the account, so no order is placed for any of its subscriptions.",
    fix: "Contact the platform's operator; an admin can enable the account again on Admin → Users.",
    where: "Admin → Users (admins)",
  },
  SUBSCRIPTION_PAUSED: {
    code: "SKIP_SUBSCRIPTION_PAUSED",
    title: "The subscription is paused",
    message: "Subscription paused.",
    cause: "You paused this subscription, so its signals are recorded but not traded.",
    fix: "Resume the subscription when you want its signals traded again.",
    where: SUBSCRIPTION,
  },
  TRIAL_ENDED: {
    code: "SKIP_TRIAL_ENDED",
    title: "The trial has ended",
    message: "Trial ended: upgrade to keep trading signals.",
    cause: "A TRIAL account trades signals until its trial's end date; after it, signals are recorded but not traded.",
    fix: "Ask the operator to move the account to a paid tier (FLEX or PRO).",
    where: "Settings: your tier and trial end date",
  },
  TRADING_OFF: {
    code: "SKIP_TRADING_OFF",
    title: "Trading mode is OFF",
    message: "Trading mode is OFF.",
    cause: "With trading mode OFF, signals are recorded for you but no order is placed, on paper or live.",
    fix: "Choose PAPER (simulated fills) or PERSONAL (your own keys) in Settings → Trading mode.",
    where: "Settings → Trading mode (the badge at the top of every page shows the mode)",
  },
  NO_KEY: {
    code: "SKIP_NO_KEY",
    title: "No exchange key for the subscription",
    message: "No exchange key chosen for this subscription.",
    cause: "Live (PERSONAL) trading places orders with your own key on the strategy's exchange, and the subscription has none.",
    fix: "Connect a key for the strategy's exchange on the Keys page, then pick it in the subscription's settings.",
    where: KEYS,
  },
  KEY_NOT_ACTIVE: {
    code: "SKIP_KEY_NOT_ACTIVE",
    title: "The subscription's key is not active",
    cause: "The key was disabled (the exchange refused it), rejected at verification, or not verified yet, so nothing is sent with it.",
    fix: "Open the Keys page: the card says why the key is not ACTIVE. Fix it on the exchange and press Verify, or enter a new key.",
    where: KEYS,
  },
  HALTED: {
    code: "SKIP_HALTED",
    title: "Trading halted by the operator",
    cause: "The operator halted live trading for the whole platform, one exchange or one strategy (the red banner says which and why). Paper trading and your own Close still work.",
    fix: "Nothing to do on your side: orders resume with the next signal once the operator resumes trading.",
    where: "The red banner at the top of every page",
  },
  COOLDOWN: {
    code: "SKIP_COOLDOWN",
    title: "Inside the cooldown",
    cause: "An order on this symbol was placed for you moments ago, and the strategy waits a cooldown between opens on one symbol so a burst of alerts does not stack positions. Closes always go.",
    fix: "Nothing, usually: the next signal after the cooldown trades. If the strategy is meant to fire this often, its admin can lower Cooldown seconds in the strategy's settings.",
    where: SIGNALS,
  },
  BREAK_EVEN: {
    code: "SKIP_BREAK_EVEN",
    title: "Break-even alert: no order",
    cause: "A break-even alert places no order: it moves an open live futures position's stop-loss to its entry price. The row says what happened to the stop.",
    fix: "Nothing to fix. For the stop to move, the position needs a stop-loss (set it in the subscription's protection) and the price must be past the entry.",
    where: POSITIONS,
  },
  CANCEL_ALERT: {
    code: "SKIP_CANCEL_ALERT",
    title: "Cancel alert: recorded only",
    message: "Cancel alerts are recorded only: KeyRelay's orders fill at once, so there is nothing to cancel.",
    cause: "The alert asked to cancel open orders (a TradersPost or 3Commas cancel); KeyRelay's entries are market orders, so nothing rests to cancel.",
    fix: "Nothing to fix. Remove the cancel alert in TradingView if you do not want it recorded.",
    where: SIGNALS,
  },
  NOTHING_TO_ADD: {
    code: "SKIP_NOTHING_TO_ADD",
    title: "Add alert with no position",
    message: "An add alert, and this account holds nothing for the strategy: nothing to add to.",
    cause: "An add alert grows the position you hold; you hold none for this strategy (you subscribed after the entry, or it was closed).",
    fix: "Nothing to fix: the next entry opens a position.",
    where: POSITIONS,
  },
  NOTHING_TO_CLOSE: {
    code: "SKIP_NOTHING_TO_CLOSE",
    title: "Nothing to close",
    cause: "The alert closes or reduces a position, and your account holds none for this strategy (you subscribed after the entry, closed it yourself, or the entry was skipped).",
    fix: "Nothing to fix: the strategy's next entry opens a position for you.",
    where: POSITIONS,
  },
  CLOSED_OUTSIDE: {
    code: "SKIP_CLOSED_OUTSIDE",
    title: "The position was closed outside KeyRelay",
    cause: "The exchange account no longer holds the position the strategy's ledger recorded: it was closed by hand, liquidated, or closed by another tool using the same account. The ledger now follows the account.",
    fix: "Nothing to fix. Use one account (or sub-account) per tool so positions do not cross.",
    where: POSITIONS,
  },
  EXIT_SIDE_MISMATCH: {
    code: "SKIP_EXIT_SIDE_MISMATCH",
    title: "The exit is for the other side",
    cause: "The alert closes a long (or a short) and the account holds the opposite side for the strategy.",
    fix: "Check the alert's exit side in TradingView (TradersPost \"exit\" with a sentiment, or KeyRelay's side field).",
    where: POSITIONS,
  },
  CLOSE_PERCENT_INVALID: {
    code: "SKIP_CLOSE_PERCENT_INVALID",
    title: "The close percentage is out of range",
    cause: "A partial close must close more than 0 % and at most 100 % of the position.",
    fix: "Fix the alert's close percentage in TradingView.",
    where: SIGNALS,
  },
  REDUCE_SIZE_UNKNOWN: {
    code: "SKIP_REDUCE_SIZE_UNKNOWN",
    title: "A partial close without its sizes",
    message: 'The strategy reduced its position but the alert does not say by how much; send "marketPositionSize": "{{strategy.market_position_size}}" and "quantity": "{{strategy.order.contracts}}".',
    cause: "The strategy's position got smaller, but the alert carries neither its previous size nor the size traded, so the share to close cannot be known.",
    fix: 'Add "marketPositionSize": "{{strategy.market_position_size}}" and "quantity": "{{strategy.order.contracts}}" to the alert message (or use the strategy page\'s template).',
    where: "The strategy's page: the alert template",
  },
  SPOT_NO_SHORT: {
    code: "SKIP_SPOT_NO_SHORT",
    title: "Spot cannot open a short",
    message: "A sell on spot with nothing held for the strategy: spot cannot open a short.",
    cause: "A sell on a spot market only sells what is held; with nothing held it would be a short, which spot does not allow.",
    fix: "Nothing to fix for a long-only spot strategy. To trade shorts, the strategy must trade a USDT perpetual (futures) market.",
    where: SIGNALS,
  },
  REVERSAL_STOPPED: {
    code: "SKIP_REVERSAL_STOPPED",
    title: "A reversal stopped at its close",
    cause: "A reversal closes the old side first and opens the new side once the close has filled; the close did not fill, so the open was not sent.",
    fix: "Look at the close's row just above for why it did not fill and fix that; the next entry signal opens normally.",
    where: SIGNALS,
  },
  SYMBOL_NOT_LISTED: {
    code: "SKIP_SYMBOL_NOT_LISTED",
    title: "The symbol is not listed on the exchange",
    cause: "The alert's symbol does not exist on your key's exchange (or on that exchange's market type: spot or USDT perpetual).",
    fix: "Check the ticker in the alert, or subscribe with a key on the exchange that lists it.",
    where: SIGNALS,
  },
  LIMIT_NEEDS_PRICE: {
    code: "SKIP_LIMIT_NEEDS_PRICE",
    title: "A limit order without a price",
    message: "A limit order needs a price in the alert.",
    cause: "The strategy places limit orders and the alert carried no price.",
    fix: 'Add "price": "{{close}}" (or the limit you want) to the alert message.',
    where: "The strategy's page: the alert template",
  },
  NOTIONAL_LIMIT: {
    code: "SKIP_NOTIONAL_LIMIT",
    title: "Over the subscription's order limit",
    cause: "The order's value is above the per-order limit you set on the subscription.",
    fix: "Raise the subscription's limit or lower its size.",
    where: SUBSCRIPTION,
  },
  FUTURES_SETTINGS: {
    code: "SKIP_FUTURES_SETTINGS",
    title: "Leverage or margin mode could not be set",
    cause: "Before a futures order, KeyRelay sets the symbol's leverage and margin mode on your account; the exchange refused (leverage above the symbol's maximum, or margin mode changed while a position or orders are open).",
    fix: "Lower the leverage to at most the symbol's maximum, or close the symbol's position and open orders before changing the margin mode. The row quotes the exchange.",
    where: SUBSCRIPTION,
  },
  CLOSE_BELOW_MIN: {
    code: "SKIP_CLOSE_BELOW_MIN",
    title: "The holding to close is below the smallest order",
    cause: "The share of the position to close is smaller than the exchange's smallest order on that market (dust).",
    fix: "Nothing to fix; dust stays on the account. Close it on the exchange if you want it gone.",
    where: POSITIONS,
  },
} as const satisfies Record<string, SkipEntry>;

export type SkipKey = keyof typeof SKIP_ENTRIES;

/** One entry per way sizing refuses an order (engine/sizing.ts); the message, with its figures, comes from sizing. */
export const SIZING_ENTRIES: Record<SizingCode, CatalogueEntry> = {
  NO_PRICE: {
    code: "SIZE_NO_PRICE",
    title: "No price to size the order with",
    cause: "Sizing by value needs a price; the alert carried none and the exchange's price could not be read.",
    fix: 'Add "price": "{{close}}" to the alert message.',
    where: "The strategy's page: the alert template",
  },
  INVALID_INPUT: {
    code: "SIZE_INVALID",
    title: "The subscription's size is not usable",
    cause: "The size is 0, negative, a percentage above 100, or so large it cannot be a real order.",
    fix: "Set a size above 0 in the subscription's settings (a percentage at most 100).",
    where: SUBSCRIPTION,
  },
  NO_BALANCE: {
    code: "SIZE_NO_BALANCE",
    title: "No free balance to take a percentage of",
    cause: "The subscription sizes as a percentage of the free balance, and the account holds none of the quote currency (USDT) in the wallet this market trades from.",
    fix: "Fund the right wallet (spot, or USDⓈ-M futures on Binance; the unified account on Bybit), or size by a fixed amount.",
    where: "Keys page: the card shows the USDT balance read at verification",
  },
  NO_CONTRACTS: {
    code: "SIZE_NO_CONTRACTS",
    title: "The alert carries no quantity",
    cause: "The subscription multiplies the strategy's own order size, and the alert did not carry it.",
    fix: 'Add "quantity": "{{strategy.order.contracts}}" to the alert message.',
    where: "The strategy's page: the alert template",
  },
  BELOW_MIN_AMOUNT: {
    code: "SIZE_BELOW_MIN_AMOUNT",
    title: "The order is below the market's minimum size",
    cause: "The size the subscription works out to is smaller than the exchange's smallest amount (or its step) for this market.",
    fix: "Raise the subscription's size.",
    where: SUBSCRIPTION,
  },
  BELOW_MIN_NOTIONAL: {
    code: "SIZE_BELOW_MIN_NOTIONAL",
    title: "The order is below the market's minimum value",
    cause: "The order's value (size times price) is below the exchange's minimum order value for this market (often 5 or 10 USDT).",
    fix: "Raise the subscription's size.",
    where: SUBSCRIPTION,
  },
};

/** A skip with its code; `message` only where the words carry figures, else the catalogue's own. */
export function skipped(key: SkipKey, message?: string): Reason {
  const entry: SkipEntry = SKIP_ENTRIES[key];
  const text = message ?? entry.message;
  if (text === undefined) throw new Error(`skip ${key} needs its message`);
  return { code: entry.code, message: text };
}

export function sizingReason(reason: { code: SizingCode; message: string }): Reason {
  return { code: SIZING_ENTRIES[reason.code].code, message: reason.message };
}
