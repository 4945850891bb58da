import { describe, expect, it } from "vitest";
import { audience, canTradeLive, describeCohort, grantedMessage, normaliseTiers, refusalMessage, refusedMessage } from "~/server/cohorts/cohort-rules";

describe("cohort rules", () => {
  it("everyone, the listed tiers, or the beta list may trade live; nobody else (admins included: no hidden case)", () => {
    const proOnly = { everyone: false, tiers: ["PRO" as const] };
    expect(canTradeLive({ tier: "TRIAL", liveAccess: false }, { everyone: true, tiers: [] })).toBe(true);
    expect(canTradeLive({ tier: "PRO", liveAccess: false }, proOnly)).toBe(true);
    expect(canTradeLive({ tier: "TRIAL", liveAccess: true }, proOnly)).toBe(true);
    expect(canTradeLive({ tier: "TRIAL", liveAccess: false }, proOnly)).toBe(false);
    expect(canTradeLive({ tier: "FLEX", liveAccess: false }, proOnly)).toBe(false);
    expect(canTradeLive({ tier: "PRO", liveAccess: false }, { everyone: false, tiers: [] })).toBe(false);
  });

  it("says who live trading is open to in plain words", () => {
    expect(audience({ everyone: true, tiers: [] })).toBe("everyone");
    expect(audience({ everyone: false, tiers: [] })).toBe("the beta list");
    expect(audience({ everyone: false, tiers: ["FLEX", "PRO"] })).toBe("PRO and FLEX users and the beta list");
    expect(audience({ everyone: false, tiers: ["TRIAL", "FLEX", "PRO"] })).toBe("PRO, FLEX and TRIAL users and the beta list");
    expect(describeCohort({ everyone: false, tiers: ["PRO"] })).toBe("Live trading is open to PRO users and the beta list.");
    expect(refusalMessage({ everyone: false, tiers: ["PRO"] })).toBe("Live trading is open to PRO users and the beta list for now. Ask for access in Settings, under Trading mode.");
    expect(normaliseTiers(["TRIAL", "PRO", "PRO"])).toEqual(["PRO", "TRIAL"]);
  });

  it("ends an admin's note as a sentence", () => {
    expect(grantedMessage("Welcome aboard")).toBe("You can now trade live: switch to Personal (live) in Settings when you are ready. Note from the admin: Welcome aboard.");
    expect(refusedMessage({ everyone: false, tiers: [] }, "Not yet!")).toBe("Your request for live trading was refused: Not yet! Live trading is open to the beta list for now.");
    expect(refusedMessage({ everyone: false, tiers: [] }, null)).toBe("Your request for live trading was refused. Live trading is open to the beta list for now.");
  });
});
