/**
 * The catalogue's positions part: what the Positions page can say about a position or its
 * protective orders (positions/protection/sync-protection.ts, refresh-order.ts, protection-plan.ts,
 * positions/drift-check.ts). The page links each note and each failed protective order here.
 */
import type { CatalogueEntry } from "~/server/error-catalogue/catalogue-entry";

const POSITIONS = "Positions page: the position's row and its protective orders";

export const POSITION_ENTRIES = {
  UNPROTECTED: {
    code: "POSITION_UNPROTECTED",
    title: "The position has no stop-loss on the exchange",
    cause: "The position should carry a stop-loss, and none is open on the exchange: placing it failed (the row's protective orders say why) or it was removed. You are told once by notification; KeyRelay keeps trying every watch cycle.",
    fix: "Read the failed protective order's reason and fix it (often the key, the balance, or a stop price already passed). Or close the position from the Positions page.",
    where: POSITIONS,
  },
  PROTECTION_REFUSED: {
    code: "POSITION_PROTECTION_REFUSED",
    title: "The exchange refused a stop-loss or take-profit",
    cause: "The exchange refused the protective order: a stop price on the wrong side of the market (the price already moved past it), a size below the minimum, or the key lost its trading permission.",
    fix: "The row quotes the exchange; fix that cause. For stops already passed, close the position or let the watch place it again once the price allows.",
    where: POSITIONS,
  },
  PROTECTION_REPLACED: {
    code: "POSITION_PROTECTION_REPLACED",
    title: "A protective order was cancelled outside KeyRelay",
    cause: "A stop-loss or take-profit KeyRelay placed was cancelled on the exchange (by hand, or by another tool on the same account). While the position is open KeyRelay places it again.",
    fix: "To stop protection for a position, change the subscription's protection settings instead of cancelling on the exchange.",
    where: POSITIONS,
  },
  LEFT_OUT: {
    code: "POSITION_PROTECTION_LEFT_OUT",
    title: "A stop-loss, take-profit or trailing stop was left out",
    cause: "The alert's stop-loss is not beyond the entry on the losing side (or its take-profit not on the winning side), so it would fire at once; or the exchange is Bybit, which takes no percent trailing stop as an order. The rest of the protection is still placed.",
    fix: "Check the alert's stopLoss / takeProfit prices against the entry (a long's stop below it, a short's above). For a trailing stop, trade the strategy on Binance futures, or use a stop-loss with break-even on Bybit.",
    where: POSITIONS,
  },
  DRIFT: {
    code: "POSITION_DRIFT",
    title: "The account holds a different size than the ledger",
    cause: "The exchange account held less than the strategy's ledger (closed or sold by hand, liquidated): the ledger followed the account at cost. Or it held more: those coins or contracts are yours and the ledger counts only the strategy's.",
    fix: "Nothing to fix. Use one account (or sub-account) per tool so positions do not cross.",
    where: POSITIONS,
  },
} as const satisfies Record<string, CatalogueEntry>;
