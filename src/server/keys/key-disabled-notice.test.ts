import { describe, expect, it } from "vitest";
import { keyDisabledMessage } from "~/server/keys/key-disabled-notice";

describe("keyDisabledMessage", () => {
  it("plain without open positions", () => {
    expect(keyDisabledMessage("BYBIT", "Bybit rejected this API key.", 0)).toBe("Your Bybit key was disabled: Bybit rejected this API key.");
  });
  it("escalates with the count and what it means when positions are open", () => {
    const one = keyDisabledMessage("BINANCE", "Binance rejected this API key.", 1);
    expect(one).toMatch(/^URGENT: Your Binance key was disabled: Binance rejected this API key\. You hold 1 open live position on Binance\./);
    expect(one).toContain("KeyRelay can no longer manage it");
    expect(keyDisabledMessage("BYBIT", "x.", 3)).toContain("You hold 3 open live positions on Bybit. Stop-loss and take-profit orders already on Bybit stay there");
  });
});
